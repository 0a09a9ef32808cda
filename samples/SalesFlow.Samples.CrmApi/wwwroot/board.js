// The SalesFlow board: stages as columns, deals as cards, a button per move. Plain JavaScript against /api; every
// value from the server is written with textContent, never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { pipelines: [], pipeline: null };

function headers(extra) {
  const h = { 'Accept': 'application/json', 'X-Actor': $('actor').value.trim() || 'web-user', ...extra };
  if ($('manager').checked) h['X-Role'] = 'manager';
  // The development sign-in's tenant: empty is the default tenant (a single-tenant host) or 403 (a multi-tenant one).
  const tenant = $('tenant').value.trim();
  if (tenant) h['X-Tenant'] = tenant;
  return h;
}

async function api(path, options = {}) {
  const response = await fetch('/api' + path, { ...options, headers: headers(options.headers) });
  const type = response.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await response.json() : await response.text();
  return { ok: response.ok, status: response.status, etag: response.headers.get('ETag'), body };
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function setStatus(text) { $('status').textContent = text; }

async function loadPipelines() {
  const result = await api('/pipelines');
  state.pipelines = result.body;
  const select = $('pipeline');
  select.replaceChildren(...state.pipelines.map(p => el('option', { value: p.id, textContent: `${p.name} (${p.id})` })));
  const wanted = new URLSearchParams(location.search).get('pipeline');
  if (wanted && state.pipelines.some(p => p.id === wanted)) select.value = wanted;
  await showPipeline(select.value);
}

async function showPipeline(id) {
  state.pipeline = state.pipelines.find(p => p.id === id);
  $('history-panel').hidden = true;
  await Promise.all([loadBoard(), loadGraph()]);
}

async function loadDeals() {
  const deals = [];
  let after = null;
  do {
    const query = new URLSearchParams({ pipeline: state.pipeline.id, limit: '200' });
    if (after) query.set('after', after);
    const page = await api('/deals?' + query);
    deals.push(...page.body.items);
    after = page.body.next;
  } while (after);
  return deals;
}

async function loadBoard() {
  const pipeline = state.pipeline;
  setStatus('Loading…');
  const deals = await loadDeals();
  const moves = await Promise.all(deals.map(d => api(`/deals/${encodeURIComponent(d.id)}/moves`)));
  const columns = pipeline.stages.map(stage => {
    const cards = el('div', { className: 'cards' });
    const column = el('section', { className: 'column ' + stage.kind.toLowerCase(), dataset: { stage: stage.id } },
      el('h2', {}, el('span', { textContent: stage.name }), el('span', { className: 'count', textContent: '0' })), cards);
    return { stage, column, cards };
  });
  deals.forEach((deal, i) => {
    const target = columns.find(c => c.stage.id === deal.stageId);
    if (target) target.cards.append(card(deal, moves[i].ok ? moves[i].body : []));
  });
  for (const c of columns) c.column.querySelector('.count').textContent = String(c.cards.children.length);
  $('board').replaceChildren(...columns.map(c => c.column));
  setStatus(`${deals.length} deal(s)`);
}

function card(deal, moves) {
  const reasons = el('div', { className: 'reasons', 'aria-live': 'polite' });
  const buttons = moves.map(move => {
    const button = el('button', {
      type: 'button',
      className: move.allowed ? 'move' : 'move blocked',
      textContent: move.trigger,
      title: move.allowed ? `${move.trigger} → ${move.toStage || '(previous stage)'}` : move.unmetGuards.map(g => g.reason).join('\n'),
      dataset: { trigger: move.trigger },
    });
    button.addEventListener('click', () => fire(deal, move.trigger, reasons));
    return button;
  });
  const meta = [deal.owner, deal.amount != null ? `amount ${deal.amount}` : null, `v${deal.version}`].filter(Boolean).join(' · ');
  const history = el('button', { type: 'button', className: 'history', textContent: 'History' });
  history.addEventListener('click', () => showHistory(deal.id));
  return el('article', { className: 'card', dataset: { deal: deal.id, version: String(deal.version) } },
    el('h3', { textContent: deal.id }),
    el('div', { className: 'meta', textContent: meta }),
    el('div', { className: 'moves' }, ...buttons),
    reasons,
    history);
}

async function fire(deal, trigger, reasons) {
  const body = { trigger };
  if ($('manager').checked) {
    const justification = prompt(`Override as manager: why may '${trigger}' pass its guards? (Cancel for a normal move)`);
    if (justification) body.overrideJustification = justification;
  }
  const result = await api(`/deals/${encodeURIComponent(deal.id)}/fire`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'If-Match': `"${deal.version}"` },
    body: JSON.stringify(body),
  });
  if (result.ok) {
    setStatus(`${trigger}: ${deal.id} is now in ${result.body.deal.stageName}`);
    await loadBoard();
    return;
  }
  showProblem(reasons, result.body);
  if (result.status === 412) await loadBoard();
}

function showProblem(target, problem) {
  const items = (problem.unmetGuards || []).map(g => el('li', { textContent: g.reason, dataset: { code: g.code } }));
  if (problem.permittedTriggers) items.push(el('li', { textContent: 'Moves from here: ' + problem.permittedTriggers.join(', ') }));
  if (problem.errors) for (const [field, list] of Object.entries(problem.errors)) items.push(el('li', { textContent: `${field}: ${list.join(' ')}` }));
  target.replaceChildren(el('strong', { textContent: `${problem.title || 'Refused'} (${problem.status})` }),
    items.length ? el('ul', {}, ...items) : el('div', { textContent: problem.detail || '' }));
}

async function showHistory(dealId) {
  const result = await api(`/deals/${encodeURIComponent(dealId)}/history`);
  if (!result.ok) { setStatus(result.body.detail || 'History not found'); return; }
  $('history-deal').textContent = dealId;
  const rows = result.body.map(e => el('tr', { dataset: { sequence: String(e.sequence) } },
    ...[e.sequence, e.timestamp.replace('T', ' ').slice(0, 19), e.kind, e.trigger || e.activity || '', e.fromStage || '', e.toStage, e.actor, e.note || '']
      .map(v => el('td', { textContent: String(v) }))));
  $('history').tBodies[0].replaceChildren(...rows);
  $('history-panel').hidden = false;
}

async function loadGraph() {
  const format = $('graph-format').value;
  const result = await api(`/pipelines/${encodeURIComponent(state.pipeline.id)}/graph?format=${format}`);
  $('graph').textContent = result.ok ? result.body : (result.body.detail || 'No graph');
}

async function startDeal(event) {
  event.preventDefault();
  const body = { pipelineId: state.pipeline.id };
  if ($('start-id').value.trim()) body.dealId = $('start-id').value.trim();
  if ($('start-owner').value.trim()) body.owner = $('start-owner').value.trim();
  if ($('start-amount').value !== '') body.amount = Number($('start-amount').value);
  const result = await api('/deals', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!result.ok) { showProblem($('start-problem'), result.body); return; }
  $('start-problem').replaceChildren();
  $('start-id').value = '';
  setStatus(`Started ${result.body.id}`);
  await loadBoard();
}

$('pipeline').addEventListener('change', e => showPipeline(e.target.value));
$('refresh').addEventListener('click', () => loadBoard());
$('tenant').addEventListener('change', () => loadBoard());
$('graph-format').addEventListener('change', () => loadGraph());
$('start-form').addEventListener('submit', startDeal);
loadPipelines().catch(error => setStatus('Could not load the board: ' + error));
