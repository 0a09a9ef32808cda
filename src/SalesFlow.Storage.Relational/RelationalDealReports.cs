using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using System.Text;

namespace SalesFlow.Storage.Relational;

/// <summary>
/// The reports computed in SQL: the database walks each deal's events in sequence order with window functions (what a
/// stay is, where it ended, which moves were made, when the deal reached its outcome, which stages it touched) and
/// aggregates per deal and per stage; only small per-deal rows (durations, amounts) or per-mask counts come back, and the
/// figures are finished here exactly as <see cref="SalesReports"/> finishes them. The results equal the reference's
/// (docs/reports.md defines them). The idle report is the reference's, which asks the store only for deals that can be idle.
/// </summary>
/// <remarks>
/// A store derives this class and says how to run a command on one of its connections. The SQL is portable (common table
/// expressions, <c>VALUES</c> lists, <c>LAG</c>/<c>LEAD</c>/<c>ROW_NUMBER</c> and running sums over
/// <c>(deal_id, sequence)</c>); the stages' kinds and the re-entry pairs are passed as parameters.
/// </remarks>
public abstract class RelationalDealReports : IDealReports
{
    private const int Open = 0;
    private const int Won = 1;
    private const int Lost = 2;
    private const int Closed = 3;

    // A deal's events from its last one back, counting from the end.
    private const string Backwards = "PARTITION BY deal_id ORDER BY sequence DESC ROWS UNBOUNDED PRECEDING";

    private readonly PipelineRegistry _pipelines;
    private readonly RelationalDialect _dialect;
    private readonly string _dealsTable;
    private readonly string _eventsTable;
    private readonly SalesReports _reference;
    private readonly IDealStore _store;
    private readonly TimeProvider _time;
    private readonly string _tenantId;

    /// <summary>Initializes a new instance of the <see cref="RelationalDealReports"/> class.</summary>
    /// <param name="pipelines">The registry holding the pipelines reported on.</param>
    /// <param name="store">
    /// The store (for the reports the reference computes); it implements <see cref="IEventFeedStore"/>. Its tenant
    /// (<see cref="IDealStore.TenantId"/>) is the one reported on.
    /// </param>
    /// <param name="dialect">The store's dialect (parameter marker).</param>
    /// <param name="dealsTable">The deals table's (qualified) name.</param>
    /// <param name="eventsTable">The deal events table's (qualified) name.</param>
    /// <param name="timeProvider">The clock for "now"; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    protected RelationalDealReports(PipelineRegistry pipelines, IDealStore store, RelationalDialect dialect, string dealsTable, string eventsTable, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentException.ThrowIfNullOrWhiteSpace(dealsTable);
        ArgumentException.ThrowIfNullOrWhiteSpace(eventsTable);
        _pipelines = pipelines;
        _dialect = dialect;
        _dealsTable = dealsTable;
        _eventsTable = eventsTable;
        _time = timeProvider ?? TimeProvider.System;
        _reference = new SalesReports(pipelines, store, _time);
        _store = store;
        _tenantId = store.TenantId;
    }

    /// <inheritdoc/>
    public async ValueTask<FunnelReport> FunnelAsync(ReportRequest request, FunnelMode mode, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Use FunnelMode.Strict, Touched or Implied.");
        }

        var plan = Plan(request, startedInWindow: true);
        if (plan.Bars.Length > 62)
        {
            return await _reference.FunnelAsync(request, mode, cancellationToken).ConfigureAwait(false); // one bit per bar
        }

        // One aggregation over each deal's events, no window and no sort by sequence: the deal counts when its last start
        // (by sequence) is its last start in the window; it ended lost when its last event is its last one into a lost
        // stage; the bars it touched add up one bit each. (Over 1,000,000 deals the window it replaced took 1.8 times as long.)
        var touched = plan.Bars.Length == 0
            ? "0"
            : string.Join(" + ", plan.Bars.Select((_, i) => string.Create(CultureInfo.InvariantCulture, $"MAX(CASE WHEN bar_bit = {1L << i} THEN {1L << i} ELSE 0 END)")));
        var sql = plan.Events +
            ", summary AS (SELECT deal_id, MAX(CASE WHEN k = 1 THEN sequence END) AS last_start, " +
            "MAX(CASE WHEN k = 1 AND at >= " + P("from") + " AND at < " + P("to") + " THEN sequence END) AS last_start_in, " +
            "MAX(sequence) AS last_seq, MAX(CASE WHEN to_kind = " + Lost + " THEN sequence END) AS last_lost, " +
            "CAST(" + touched + " AS BIGINT) AS touched FROM ev GROUP BY deal_id) " +
            "SELECT touched, CASE WHEN last_lost = last_seq THEN 1 ELSE 0 END, COUNT(*) FROM summary WHERE last_start = last_start_in GROUP BY 1, 2";
        var groups = await QueryAsync(plan, sql, r => (Mask: r.IsDBNull(0) ? 0L : r.GetInt64(0), Lost: r.GetInt64(1) == 1, Count: r.GetInt64(2)), cancellationToken).ConfigureAwait(false);
        var bars = plan.Bars;
        var counts = new long[bars.Length];
        long cohort = 0;
        foreach (var (mask, lost, count) in groups)
        {
            cohort += count;
            var furthest = -1;
            for (var i = 0; i < bars.Length; i++)
            {
                if (Touched(mask, i))
                {
                    furthest = i;
                }
            }

            for (var i = 0; i < bars.Length; i++)
            {
                var counted = mode switch
                {
                    FunnelMode.Touched => Touched(mask, i),
                    FunnelMode.Implied => lost ? Touched(mask, i) : i <= furthest,
                    _ => (mask & ((2L << i) - 1)) == ((2L << i) - 1), // every bar up to this one
                };
                counts[i] += counted ? count : 0;
            }
        }

        var result = ImmutableArray.CreateBuilder<FunnelBar>(bars.Length);
        for (var i = 0; i < bars.Length; i++)
        {
            var stage = bars[i];
            double? step = i > 0 && counts[i - 1] > 0 ? (double)(int)counts[i] / (int)counts[i - 1] : null;
            double? cumulative = counts[0] > 0 ? (double)(int)counts[i] / (int)counts[0] : null;
            result.Add(new FunnelBar(stage.Id, stage.Name, (int)counts[i], step, cumulative));
        }

        return new FunnelReport(plan.Version.Id, plan.Version.Version, request.Window, mode, (int)cohort, result.MoveToImmutable());

        static bool Touched(long mask, int bar) => (mask & (1L << bar)) != 0;
    }

    /// <inheritdoc/>
    public async ValueTask<TimeInStageReport> TimeInStageAsync(ReportRequest request, CancellationToken cancellationToken = default)
    {
        var plan = Plan(request, dealsFirst: true);
        var now = _time.GetUtcNow();
        var from = P("from");
        var to = P("to");

        // One pass over each deal's events in order: the next event, and the sequence of the event that began the stay (a
        // start or a move; a migration only relabels the stay, so its stay began at an earlier event, looked up by key).
        // 1: one row per deal and stage with a stay that ended in the window (latest, sum); 2: current stays; 3: entries.
        // ev and t are read once: NOT MATERIALIZED streams them into the window instead of copying them to a temporary table
        // first (half the time of this query in SQLite). stays is read three times: MATERIALIZED keeps SQLite from inlining
        // it, which ran the join, the sort and the window three times (2.1 times slower over 20,000 deals).
        var sql = plan.Events.Replace(" ev AS (", " ev AS NOT MATERIALIZED (", StringComparison.Ordinal) +
            ", t AS NOT MATERIALIZED (SELECT ev.*, LEAD(k) OVER w AS next_k, LEAD(at) OVER w AS next_at, MAX(CASE WHEN k < 3 THEN sequence END) OVER w AS entry_seq " +
            "FROM ev WINDOW w AS (PARTITION BY deal_id ORDER BY sequence ROWS UNBOUNDED PRECEDING)), " +
            "stays AS MATERIALIZED (SELECT deal_id, sequence, to_stage, open_version, next_k, next_at, entry_seq, " +
            "CASE WHEN k < 3 THEN at WHEN entry_seq IS NULL THEN NULL ELSE " +
            "(SELECT " + _dialect.TicksOf("x.occurred_at") + " FROM " + _eventsTable + " x WHERE x.tenant_id = " + P("tenant") + " AND x.deal_id = t.deal_id AND x.sequence = t.entry_seq) END AS entered_at FROM t) " +
            "SELECT 1, stage, MAX(CASE WHEN rn = 1 THEN duration END), CAST(SUM(duration) AS BIGINT) FROM (" +
            "SELECT deal_id, to_stage AS stage, next_at - COALESCE(entered_at, 0) AS duration, " +
            "ROW_NUMBER() OVER (PARTITION BY deal_id, to_stage ORDER BY sequence DESC) AS rn " +
            "FROM stays WHERE next_k = 2 AND open_version = 1 AND next_at >= " + from + " AND next_at < " + to + ") ended " +
            "GROUP BY deal_id, stage " +
            "UNION ALL SELECT 2, to_stage, " + P("now") + " - COALESCE(entered_at, 0), 0 FROM stays WHERE next_k IS NULL AND open_version = 1 " +
            "UNION ALL SELECT 3, to_stage, COUNT(*), 0 FROM stays WHERE entry_seq IS NOT NULL AND (next_k IS NULL OR next_k < 3) " +
            "AND entered_at >= " + from + " AND entered_at < " + to + " GROUP BY to_stage";
        var rows = await QueryAsync(plan, sql, r => (Type: r.GetInt64(0), Stage: r.GetString(1), A: r.GetInt64(2), B: r.GetInt64(3)), cancellationToken).ConfigureAwait(false);

        var result = ImmutableArray.CreateBuilder<StageTimes>(plan.OpenStages.Length);
        foreach (var stage in plan.OpenStages)
        {
            var latest = new List<TimeSpan>();
            var cumulative = new List<TimeSpan>();
            var current = new List<TimeSpan>();
            var entries = 0;
            foreach (var row in rows)
            {
                if (!string.Equals(row.Stage, stage.Id, StringComparison.Ordinal))
                {
                    continue;
                }

                switch (row.Type)
                {
                    case 1:
                        latest.Add(TimeSpan.FromTicks(row.A));
                        cumulative.Add(TimeSpan.FromTicks(row.B));
                        break;
                    case 2:
                        current.Add(TimeSpan.FromTicks(row.A));
                        break;
                    default:
                        entries += (int)row.A;
                        break;
                }
            }

            result.Add(new StageTimes(stage.Id, stage.Name, entries, DurationStats.Of(latest), DurationStats.Of(cumulative), DurationStats.Of(current)));
        }

        return new TimeInStageReport(plan.Version.Id, plan.Version.Version, request.Window, now, result.MoveToImmutable());
    }

    /// <inheritdoc/>
    public async ValueTask<FlowReport> FlowAsync(ReportRequest request, CancellationToken cancellationToken = default)
    {
        var plan = Plan(request);
        var sql = plan.With +
            "SELECT COALESCE(prev_stage, first_from), to_stage, COUNT(*) FROM steps WHERE k = 2 AND at >= " + P("from") + " AND at < " + P("to") +
            " GROUP BY COALESCE(prev_stage, first_from), to_stage";
        var moves = await QueryAsync(plan, sql, r => (From: r.GetString(0), To: r.GetString(1), Count: (int)r.GetInt64(2)), cancellationToken).ConfigureAwait(false);
        var cells = moves
            .OrderBy(m => SortKey(plan, m.From)).ThenBy(m => SortKey(plan, m.To))
            .Select(m => Cell(plan, m.From, m.To, m.Count));
        return new FlowReport(plan.Version.Id, plan.Version.Version, request.Window, [.. cells]);
    }

    /// <inheritdoc/>
    public async ValueTask<OutcomesReport> OutcomesAsync(ReportRequest request, CancellationToken cancellationToken = default)
    {
        var plan = Plan(request);

        // One row per deal that reached its current outcome in the window, then one row counting the open deals.
        // One pass over each deal's events from the last, streamed into the aggregation (NOT MATERIALIZED): the last gives
        // the outcome kind, the last start the start, and the last change of outcome kind when the deal reached it. When a
        // deal's events keep time order (as every engine and import history does), that is the latest time of a change;
        // otherwise its time is looked up by key. (A second window pass to find the last change, or a look-up for every
        // closed deal, took about twice the hand-written query's time over 1,000,000 deals.)
        var sql = plan.Events.Replace(" ev AS (", " ev AS NOT MATERIALIZED (", StringComparison.Ordinal) +
            ", r AS NOT MATERIALIZED (SELECT ev.*, ROW_NUMBER() OVER w AS rn, SUM(CASE WHEN k = 1 THEN 1 ELSE 0 END) OVER w AS starts_after, " +
            "CASE WHEN LEAD(to_kind) OVER w = to_kind THEN 0 ELSE 1 END AS is_change, LEAD(at) OVER w AS before_at FROM ev WINDOW w AS (" + Backwards + ")), " +
            "summary AS (SELECT deal_id, MAX(CASE WHEN rn = 1 THEN to_kind END) AS kind, MAX(CASE WHEN is_change = 1 THEN sequence END) AS change_seq, " +
            "MAX(CASE WHEN is_change = 1 THEN at END) AS change_at, MAX(CASE WHEN before_at > at THEN 1 ELSE 0 END) AS unordered, " +
            "MAX(CASE WHEN k = 1 THEN 1 ELSE 0 END) AS started, MAX(CASE WHEN k = 1 AND starts_after = 1 THEN at END) AS start_at FROM r GROUP BY deal_id), " +
            "closed AS (SELECT s.deal_id, s.kind, s.started, s.start_at, CASE WHEN s.unordered = 0 THEN s.change_at ELSE " +
            "(SELECT " + _dialect.TicksOf("x.occurred_at") + " FROM " + _eventsTable + " x WHERE x.tenant_id = " + P("tenant") +
            " AND x.deal_id = s.deal_id AND x.sequence = s.change_seq) END AS closed_at FROM summary s WHERE s.kind <> " + Open + ") " +
            "SELECT c.kind, c.started, c.start_at, c.closed_at, d.amount FROM closed c CROSS JOIN " + _dealsTable + " d " +
            "WHERE d.tenant_id = " + P("tenant") + " AND d.id = c.deal_id AND c.closed_at >= " + P("from") + " AND c.closed_at < " + P("to") + " " +
            "UNION ALL SELECT " + Open + ", COUNT(*), 0, 0, NULL FROM summary WHERE kind = " + Open;
        var rows = await QueryAsync(
            plan,
            sql,
            r => (Kind: (int)r.GetInt64(0), Started: r.GetInt64(1), StartAt: r.IsDBNull(2) ? 0 : r.GetInt64(2), ClosedAt: r.GetInt64(3), Amount: r.IsDBNull(4) ? (decimal?)null : _dialect.ReadAmount(r, 4)),
            cancellationToken).ConfigureAwait(false);

        // summary first, each deal then by its key: CROSS JOIN keeps SQLite to that order. Left to choose, SQLite 3.49 walked
        // the tenant's deals and scanned the whole summary for each (20 s for 20,000 deals).
        var tally = new OutcomesTally();
        foreach (var row in rows)
        {
            if (row.Kind == Open)
            {
                tally.AddOpen((int)row.Started);
            }
            else
            {
                tally.AddClosed(KindOf(row.Kind), row.Started == 1 ? TimeSpan.FromTicks(row.ClosedAt - row.StartAt) : null, row.Amount);
            }
        }

        return tally.ToReport(plan.Version.Id, request.Window);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Each deal's outcome, start and close come from SQL (one row per deal); the group keys of <see cref="DealGrouping.ByOwner"/>
    /// come with them, any other grouping's are read from the deals' snapshots.
    /// </remarks>
    public async ValueTask<BreakdownReport> BreakdownAsync(ReportRequest request, DealGrouping grouping, int top, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grouping);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var plan = Plan(request);
        Dictionary<string, string?>? keys = null;
        if (!ReferenceEquals(grouping, DealGrouping.ByOwner))
        {
            keys = new Dictionary<string, string?>(StringComparer.Ordinal);
            string? after = null;
            do
            {
                var page = await _store.QueryAsync(new DealQuery { PipelineId = request.PipelineId, AfterDealId = after, Limit = 10_000 }, cancellationToken).ConfigureAwait(false);
                foreach (var deal in page.Deals)
                {
                    keys[deal.Id] = grouping.KeyOf(deal);
                }

                after = page.NextAfterDealId;
            }
            while (after is not null);
        }

        // The pipeline's deals, and each one's summary, joined here: joined in SQL (deals LEFT JOIN summary), SQLite 3.49
        // scanned the whole summary once per deal of the tenant (16 s for 20,000 deals).
        var summaries = await QueryAsync(
            plan,
            plan.With + "SELECT s.deal_id, s.kind, s.started, s.start_at, s.closed_at FROM summary s",
            r => (Id: r.GetString(0), Kind: r.IsDBNull(1) ? -1 : (int)r.GetInt64(1), Started: !r.IsDBNull(2) && r.GetInt64(2) == 1,
                StartAt: r.IsDBNull(3) ? 0 : r.GetInt64(3), ClosedAt: r.IsDBNull(4) ? 0 : r.GetInt64(4)),
            cancellationToken).ConfigureAwait(false);
        var summaryOf = summaries.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var rows = await QueryAsync(
            plan,
            // The plan's WITH stays (unused, so not evaluated): the plan's parameters are bound to every query it runs.
            plan.With + "SELECT d.id, d.owner, d.amount FROM " + _dealsTable + " d WHERE d.tenant_id = " + P("tenant") + " AND d.pipeline_id = " + P("pipeline"),
            r =>
            {
                var id = r.GetString(0);
                var s = summaryOf.TryGetValue(id, out var found) ? found : (Id: id, Kind: -1, Started: false, StartAt: 0L, ClosedAt: 0L);
                return (Id: id, Owner: r.IsDBNull(1) ? null : r.GetString(1), s.Kind, s.Started, s.StartAt, s.ClosedAt, Amount: r.IsDBNull(2) ? (decimal?)null : _dialect.ReadAmount(r, 2));
            },
            cancellationToken).ConfigureAwait(false);

        long from = request.Window.From.UtcTicks, to = request.Window.To.UtcTicks;
        var groups = new Dictionary<string, OutcomesTally>(StringComparer.Ordinal);
        OutcomesTally? keyless = null;
        foreach (var row in rows)
        {
            var key = keys is null ? row.Owner : keys.GetValueOrDefault(row.Id);
            OutcomesTally tally;
            if (key is null)
            {
                tally = keyless ??= new OutcomesTally();
            }
            else if (!groups.TryGetValue(key, out tally!))
            {
                tally = new OutcomesTally();
                groups.Add(key, tally);
            }

            if (row.Started && row.StartAt >= from && row.StartAt < to)
            {
                tally.AddStarted();
            }

            if (row.Kind == Open)
            {
                tally.AddOpen();
            }
            else if (row.Kind > Open && row.ClosedAt >= from && row.ClosedAt < to)
            {
                tally.AddClosed(KindOf(row.Kind), row.Started ? TimeSpan.FromTicks(row.ClosedAt - row.StartAt) : null, row.Amount);
            }
        }

        var result = groups.Select(g => new BreakdownRow(g.Key, g.Value.Started, g.Value.ToReport(plan.Version.Id, request.Window))).ToList();
        if (keyless is not null)
        {
            result.Add(new BreakdownRow(null, keyless.Started, keyless.ToReport(plan.Version.Id, request.Window)));
        }

        return BreakdownReport.Create(plan.Version.Id, request.Window, grouping.Name, result, top);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Computed by <see cref="SalesReports"/>, which asks the store only for the deals that can be idle or overdue (indexed
    /// queries on the last activity and the next follow-up); it reads no events.
    /// </remarks>
    public ValueTask<IdleReport> IdleAsync(string pipelineId, CancellationToken cancellationToken = default) =>
        _reference.IdleAsync(pipelineId, cancellationToken);

    /// <summary>Runs a command on one of the store's connections (its schema made current first).</summary>
    /// <typeparam name="T">What the work returns.</typeparam>
    /// <param name="work">Fills in and executes the command it is given, a new command on an open connection.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>What the work returned.</returns>
    protected abstract Task<T> ExecuteAsync<T>(Func<DbCommand, CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    private static (int Known, int Order, string Id) SortKey(ReportPlan plan, string stageId) =>
        plan.VersionStage(stageId) is { } stage ? (0, stage.Order, stage.Id) : (1, 0, stageId);

    private static FlowCell Cell(ReportPlan plan, string from, string to, int count) =>
        FlowCell.Classify(from, to, count, plan.VersionStage(from), plan.VersionStage(to), plan.Bars);

    private static StageKind KindOf(int code) => code switch
    {
        Won => StageKind.Won,
        Lost => StageKind.Lost,
        Closed => StageKind.Closed,
        _ => StageKind.Open,
    };

    private static int KindCode(StageKind kind) => kind switch
    {
        StageKind.Won => Won,
        StageKind.Lost => Lost,
        StageKind.Closed => Closed,
        _ => Open,
    };

    private string P(string name) => _dialect.Parameter(name);

    // startedInWindow: only the deals with a start in the window (the funnel's cohort is among them).
    private ReportPlan Plan(ReportRequest request, bool startedInWindow = false, bool dealsFirst = false)
    {
        var version = ReportRequest.ReportedVersion(request, _pipelines);
        var versions = _pipelines.All.Where(p => string.Equals(p.Id, request.PipelineId, StringComparison.Ordinal)).OrderBy(p => p.Version).ToList();

        // A stage's kind: the report version's, else the highest version's that has the stage id; an unknown id is open.
        var kinds = new Dictionary<string, StageKind>(StringComparer.Ordinal);
        var reentries = new HashSet<(string Trigger, string Stage)>();
        foreach (var definition in versions)
        {
            foreach (var stage in definition.Stages)
            {
                kinds[stage.Id] = stage.Kind;
            }

            foreach (var transition in definition.Transitions)
            {
                if (transition.Kind == TransitionKind.Transition && string.Equals(transition.From, transition.To, StringComparison.Ordinal))
                {
                    reentries.Add((transition.Trigger, transition.From!));
                }
            }
        }

        foreach (var stage in version.Stages)
        {
            kinds[stage.Id] = stage.Kind;
        }

        var ordered = version.Stages.Select((s, i) => (Stage: s, Index: i)).OrderBy(x => x.Stage.Order).ThenBy(x => x.Index).Select(x => x.Stage).ToList();
        StageDefinition[] bars = [.. ordered.Where(s => s.Kind is StageKind.Open or StageKind.Won)];
        StageDefinition[] openStages = [.. ordered.Where(s => s.Kind == StageKind.Open)];

        var parameters = new List<(string Name, object Value)>
        {
            ("tenant", _tenantId),
            ("pipeline", request.PipelineId),
            ("from", request.Window.From.UtcTicks),
            ("to", request.Window.To.UtcTicks),
            ("now", _time.GetUtcNow().UtcTicks),
        };
        var sql = new StringBuilder("WITH stages (stage_id, kind, bar_bit, open_version) AS (VALUES ");
        var n = 0;
        foreach (var (id, kind) in kinds)
        {
            var inVersion = version.TryGetStage(id, out _);
            var bar = inVersion ? Array.FindIndex(bars, b => string.Equals(b.Id, id, StringComparison.Ordinal)) : -1;
            sql.Append(n > 0 ? ", (" : "(").Append(P("s" + n)).Append(", ").Append(P("k" + n)).Append(", ").Append(P("b" + n)).Append(", ").Append(P("o" + n)).Append(')');
            parameters.Add(("s" + n, id));
            parameters.Add(("k" + n, (long)KindCode(kind)));
            parameters.Add(("b" + n, bar >= 0 && bar < 63 ? 1L << bar : 0L));
            parameters.Add(("o" + n, inVersion && kind == StageKind.Open ? 1L : 0L));
            n++;
        }

        sql.Append(')');
        if (reentries.Count > 0)
        {
            sql.Append(", reentries (trig, stage_id) AS (VALUES ");
            var r = 0;
            foreach (var (trigger, stage) in reentries)
            {
                sql.Append(r > 0 ? ", (" : "(").Append(P("rt" + r)).Append(", ").Append(P("rs" + r)).Append(')');
                parameters.Add(("rt" + r, trigger));
                parameters.Add(("rs" + r, stage));
                r++;
            }

            sql.Append(')');
        }

        var reentry = reentries.Count > 0
            ? " OR EXISTS (SELECT 1 FROM reentries r WHERE r.trig = e.trigger AND r.stage_id = e.to_stage)"
            : string.Empty;
        const string ByDeal = "PARTITION BY deal_id ORDER BY sequence";

        // dealsFirst: the tenant's deals of the pipeline first, then each one's events by the events' key; CROSS JOIN keeps
        // SQLite to that order (PostgreSQL plans it freely). Left to choose in the time-in-stage query (which reads ev three
        // times), SQLite 3.49 read the tenant's events first and looked the deals up by (tenant, pipeline) for each, once per
        // event: the report over 20,000 deals ran for minutes. The other reports keep the events-first join, which SQLite
        // plans well for them (deals first made the outcomes report 70 times slower).
        sql.Append(
            // The events that matter: starts, moves (a transition to another stage, or a re-entry), and migrations (which
            // relabel the current stay). Internal actions (a transition to the same stage that is no re-entry) are left out.
            ", ev AS (SELECT e.deal_id, e.sequence, " + _dialect.TicksOf("e.occurred_at") + " AS at, e.to_stage, COALESCE(e.from_stage, e.to_stage) AS first_from, " +
            "CASE e.kind WHEN 'Started' THEN 1 WHEN 'Transition' THEN 2 ELSE 3 END AS k, " +
            "COALESCE(s.kind, 0) AS to_kind, COALESCE(s.bar_bit, 0) AS bar_bit, COALESCE(s.open_version, 0) AS open_version " +
            (dealsFirst
                ? "FROM " + _dealsTable + " d CROSS JOIN " + _eventsTable + " e LEFT JOIN stages s ON s.stage_id = e.to_stage WHERE d.tenant_id = " + P("tenant") + " AND e.tenant_id = d.tenant_id AND e.deal_id = d.id"
                : "FROM " + _eventsTable + " e JOIN " + _dealsTable + " d ON d.tenant_id = e.tenant_id AND d.id = e.deal_id LEFT JOIN stages s ON s.stage_id = e.to_stage WHERE e.tenant_id = " + P("tenant")) +
            " AND d.pipeline_id = " + P("pipeline") + " AND (e.kind IN ('Started', 'Migrated') OR (e.kind = 'Transition' AND " +
            "(e.from_stage IS NULL OR e.from_stage <> e.to_stage" + reentry + ")))" +
            (startedInWindow
                ? " AND e.deal_id IN (SELECT c.deal_id FROM " + _eventsTable + " c WHERE c.tenant_id = " + P("tenant") + " AND c.kind = 'Started' AND " + _dialect.TicksOf("c.occurred_at") + " >= " + P("from") + " AND " + _dialect.TicksOf("c.occurred_at") + " < " + P("to") + ")"
                : string.Empty) +
            ")");
        var events = sql.ToString();
        sql.Append(
            // Per event: the stage before it, the next event, the stay it belongs to (grp: how many entries so far), whether
            // it changed the deal's outcome kind (chg: how many such changes so far), and how many starts so far.
            ", s1 AS (SELECT ev.*, LAG(to_stage) OVER (" + ByDeal + ") AS prev_stage, " +
            "LEAD(k) OVER (" + ByDeal + ") AS next_k, LEAD(at) OVER (" + ByDeal + ") AS next_at, " +
            "CASE WHEN LAG(to_kind) OVER (" + ByDeal + ") = to_kind THEN 0 ELSE 1 END AS is_change, " +
            "SUM(CASE WHEN k < 3 THEN 1 ELSE 0 END) OVER (" + ByDeal + " ROWS UNBOUNDED PRECEDING) AS grp, " +
            "SUM(CASE WHEN k = 1 THEN 1 ELSE 0 END) OVER (" + ByDeal + " ROWS UNBOUNDED PRECEDING) AS starts, " +
            "SUM(CASE WHEN k = 1 THEN 1 ELSE 0 END) OVER (PARTITION BY deal_id) AS all_starts FROM ev)" +
            ", s2 AS (SELECT s1.*, SUM(is_change) OVER (" + ByDeal + " ROWS UNBOUNDED PRECEDING) AS chg FROM s1)" +

            // steps: every event with when its stay began and when the deal reached the outcome kind it holds after it.
            ", steps AS (SELECT s2.*, CASE WHEN next_k IS NULL THEN 1 ELSE 0 END AS from_last, MAX(CASE WHEN k < 3 THEN at END) OVER (PARTITION BY deal_id, grp) AS entered_at, " +
            "MAX(CASE WHEN is_change = 1 THEN at END) OVER (PARTITION BY deal_id, chg) AS kind_since FROM s2)" +

            // summary: one row per deal with its current stage, stay, outcome, start and the funnel bars it touched.
            ", summary AS (SELECT deal_id, " +
            "MAX(CASE WHEN from_last = 1 THEN to_stage END) AS stage, " +
            "MAX(CASE WHEN from_last = 1 THEN to_kind END) AS kind, " +
            "MAX(CASE WHEN from_last = 1 THEN open_version END) AS stage_open_version, " +
            "MAX(CASE WHEN from_last = 1 THEN COALESCE(entered_at, 0) END) AS entered, " +
            "MAX(CASE WHEN from_last = 1 THEN kind_since END) AS closed_at, " +
            "MAX(CASE WHEN k = 1 THEN 1 ELSE 0 END) AS started, " +
            "MAX(CASE WHEN k = 1 AND starts = all_starts THEN at END) AS start_at, " +
            "CAST(SUM(DISTINCT CASE WHEN bar_bit <> 0 THEN bar_bit END) AS BIGINT) AS touched, " +
            "CASE WHEN MAX(CASE WHEN from_last = 1 THEN to_kind END) = " + Lost + " THEN 1 ELSE 0 END AS lost " +
            "FROM steps GROUP BY deal_id) ");
        return new ReportPlan(version, bars, openStages, events, sql.ToString(), parameters);
    }

    private async Task<List<T>> QueryAsync<T>(ReportPlan plan, string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            async (command, ct) =>
            {
                command.CommandText = sql;
                foreach (var (name, value) in plan.Parameters)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = P(name);
                    parameter.Value = value;
                    command.Parameters.Add(parameter);
                }

                var rows = new List<T>();
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        rows.Add(read(reader));
                    }
                }

                return rows;
            },
            cancellationToken).ConfigureAwait(false);

    private sealed record ReportPlan(PipelineDefinition Version, StageDefinition[] Bars, StageDefinition[] OpenStages, string Events, string With, List<(string Name, object Value)> Parameters)
    {
        public StageDefinition? VersionStage(string id) => Version.TryGetStage(id, out var stage) ? stage : null;
    }
}
