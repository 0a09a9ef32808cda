using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace SalesFlow;

/// <summary>
/// The reference computation of every report: one pass over a pipeline's events in commit order (each deal's events in
/// sequence order), keeping only per-deal state of a fixed size and per-stage counters. Memory grows with the number of
/// deals and stages, never with the number of events; adding an event allocates nothing once its deal and stages are known.
/// </summary>
internal sealed class ReportFold
{
    private readonly ReportStages _stages;
    private readonly ReportWindow _window;
    private readonly long _from;
    private readonly long _to;
    private readonly DateTimeOffset _now;
    private readonly Func<Deal, string?>? _groupKey;
    private readonly Dictionary<string, DealState> _deals = new(StringComparer.Ordinal);
    private readonly int[] _versionMoves;
    private readonly Dictionary<long, int> _otherMoves = [];
    private int[] _entries;
    private DealState? _last;

    public ReportFold(ReportStages stages, ReportWindow window, DateTimeOffset now, Func<Deal, string?>? groupKey = null)
    {
        _stages = stages;
        _window = window;
        _from = window.From.UtcTicks;
        _to = window.To.UtcTicks;
        _now = now;
        _groupKey = groupKey;
        _entries = new int[Math.Max(stages.Count, 4)];
        _versionMoves = new int[stages.VersionCount * stages.VersionCount];
    }

    /// <summary>Gets how many deals the fold holds state for.</summary>
    public int DealCount => _deals.Count;

    /// <summary>Takes a deal's current snapshot: its owner, amount and group key (events give everything else).</summary>
    public void AddDeal(Deal deal)
    {
        var state = StateOf(deal.Id);
        state.Snapshot = deal;
        state.GroupKey = _groupKey?.Invoke(deal);
    }

    /// <summary>Folds one event in.</summary>
    public void Add(DealEvent e)
    {
        var deal = _last is { } last && string.Equals(last.Id, e.DealId, StringComparison.Ordinal) ? last : StateOf(e.DealId);
        _last = deal;
        var at = e.Timestamp.UtcTicks;
        switch (e.Kind)
        {
            case DealEventKind.Started:
                deal.Started = true;
                deal.StartTicks = at;
                Enter(deal, _stages.IndexOf(e.ToStage), at);
                break;
            case DealEventKind.Transition:
                if (string.Equals(e.FromStage, e.ToStage, StringComparison.Ordinal) && !_stages.IsReentry(e.Trigger, e.ToStage))
                {
                    break; // an internal action: the stay goes on
                }

                var to = _stages.IndexOf(e.ToStage);
                var from = deal.Stage >= 0 ? deal.Stage : _stages.IndexOf(e.FromStage ?? e.ToStage);
                Leave(deal, at);
                if (at >= _from && at < _to)
                {
                    CountMove(from, to);
                }

                Enter(deal, to, at);
                break;
            case DealEventKind.Migrated:
                Relabel(deal, _stages.IndexOf(e.ToStage), at);
                break;
        }
    }

    public FunnelReport Funnel(FunnelMode mode)
    {
        var bars = _stages.Bars;
        var counts = new int[bars.Length];
        var cohort = 0;
        foreach (var deal in _deals.Values)
        {
            if (!deal.Started || deal.StartTicks < _from || deal.StartTicks >= _to)
            {
                continue;
            }

            cohort++;
            var lost = deal.Stage >= 0 && _stages.KindAt(deal.Stage) == StageKind.Lost;
            var furthest = -1;
            for (var i = 0; i < bars.Length; i++)
            {
                if (deal.HasTouched(bars[i]))
                {
                    furthest = i;
                }
            }

            switch (mode)
            {
                case FunnelMode.Touched:
                    for (var i = 0; i < bars.Length; i++)
                    {
                        counts[i] += deal.HasTouched(bars[i]) ? 1 : 0;
                    }

                    break;
                case FunnelMode.Implied:
                    for (var i = 0; i < bars.Length; i++)
                    {
                        counts[i] += (lost ? deal.HasTouched(bars[i]) : i <= furthest) ? 1 : 0;
                    }

                    break;
                default:
                    // A skipped stage drops the deal from every later bar.
                    for (var i = 0; i < bars.Length && deal.HasTouched(bars[i]); i++)
                    {
                        counts[i]++;
                    }

                    break;
            }
        }

        var result = ImmutableArray.CreateBuilder<FunnelBar>(bars.Length);
        for (var i = 0; i < bars.Length; i++)
        {
            var stage = _stages.DefinitionAt(bars[i])!;
            double? step = i > 0 && counts[i - 1] > 0 ? (double)counts[i] / counts[i - 1] : null;
            double? cumulative = counts[0] > 0 ? (double)counts[i] / counts[0] : null;
            result.Add(new FunnelBar(stage.Id, stage.Name, counts[i], step, cumulative));
        }

        return new FunnelReport(_stages.Version.Id, _stages.Version.Version, _window, mode, cohort, result.MoveToImmutable());
    }

    public TimeInStageReport TimeInStage()
    {
        var result = ImmutableArray.CreateBuilder<StageTimes>(_stages.OpenStages.Length);
        var now = _now.UtcTicks;
        foreach (var index in _stages.OpenStages)
        {
            var latest = new List<long>();
            var cumulative = new List<long>();
            var current = new List<long>();
            foreach (var deal in _deals.Values)
            {
                if (deal.HasStay(index))
                {
                    latest.Add(deal.LatestStay(index));
                    cumulative.Add(deal.CumulativeStay(index));
                }

                if (deal.Stage == index)
                {
                    current.Add(now - deal.EnteredTicks);
                }
            }

            var stage = _stages.DefinitionAt(index)!;
            result.Add(new StageTimes(
                stage.Id, stage.Name, _entries[index], DurationStats.OfTicks([.. latest]), DurationStats.OfTicks([.. cumulative]), DurationStats.OfTicks([.. current])));
        }

        return new TimeInStageReport(_stages.Version.Id, _stages.Version.Version, _window, _now, result.MoveToImmutable());
    }

    public FlowReport Flow()
    {
        var n = _stages.VersionCount;
        var cells = Enumerable.Range(0, _versionMoves.Length)
            .Where(i => _versionMoves[i] > 0)
            .Select(i => (From: i / n, To: i % n, Count: _versionMoves[i]))
            .Concat(_otherMoves.Select(m => (From: (int)(m.Key >> 32), To: (int)(m.Key & 0xFFFF_FFFF), Count: m.Value)))
            .OrderBy(m => SortKey(m.From)).ThenBy(m => SortKey(m.To))
            .Select(m => Cell(m.From, m.To, m.Count));
        return new FlowReport(_stages.Version.Id, _stages.Version.Version, _window, [.. cells]);
    }

    public OutcomesReport Outcomes() => OutcomesOf(_deals.Values, out _);

    public BreakdownReport Breakdown(string grouping, int top)
    {
        var groups = new Dictionary<string, OutcomesTally>(StringComparer.Ordinal);
        OutcomesTally? keyless = null;
        foreach (var deal in _deals.Values)
        {
            OutcomesTally tally;
            if (deal.GroupKey is null)
            {
                tally = keyless ??= new OutcomesTally();
            }
            else if (!groups.TryGetValue(deal.GroupKey, out tally!))
            {
                tally = new OutcomesTally();
                groups.Add(deal.GroupKey, tally);
            }

            Count(tally, deal);
        }

        var rows = groups.Select(g => Row(g.Key, g.Value)).ToList();
        if (keyless is not null)
        {
            rows.Add(Row(null, keyless));
        }

        return BreakdownReport.Create(_stages.Version.Id, _window, grouping, rows, top);

        BreakdownRow Row(string? key, OutcomesTally tally) => new(key, tally.Started, tally.ToReport(_stages.Version.Id, _window));
    }

    private OutcomesReport OutcomesOf(IEnumerable<DealState> deals, out int started)
    {
        var tally = new OutcomesTally();
        foreach (var deal in deals)
        {
            Count(tally, deal);
        }

        started = tally.Started;
        return tally.ToReport(_stages.Version.Id, _window);
    }

    private void Count(OutcomesTally tally, DealState deal)
    {
        if (deal.Started && deal.StartTicks >= _from && deal.StartTicks < _to)
        {
            tally.AddStarted();
        }

        if (deal.Stage < 0)
        {
            return;
        }

        var kind = _stages.KindAt(deal.Stage);
        if (kind == StageKind.Open)
        {
            tally.AddOpen();
        }
        else if (deal.ClosedTicks >= _from && deal.ClosedTicks < _to)
        {
            // A deal whose start is not in the history (an incomplete import) counts without a cycle time.
            tally.AddClosed(kind, deal.Started ? TimeSpan.FromTicks(deal.ClosedTicks - deal.StartTicks) : null, deal.Snapshot?.Amount);
        }
    }

    private (int Known, int Order, string Id) SortKey(int index) =>
        _stages.DefinitionAt(index) is { } stage ? (0, stage.Order, stage.Id) : (1, 0, _stages.IdAt(index));

    private FlowCell Cell(int from, int to, int count) =>
        FlowCell.Classify(_stages.IdAt(from), _stages.IdAt(to), count, _stages.DefinitionAt(from), _stages.DefinitionAt(to), _stages.Bars.Select(b => _stages.DefinitionAt(b)!));

    // Moves between the version's stages count in a matrix; the rare ones involving another version's stage in a dictionary.
    private void CountMove(int from, int to)
    {
        var n = _stages.VersionCount;
        if (from < n && to < n)
        {
            _versionMoves[(from * n) + to]++;
        }
        else
        {
            var key = ((long)from << 32) | (uint)to;
            _otherMoves[key] = _otherMoves.GetValueOrDefault(key) + 1;
        }
    }

    // One hash and probe per event, for a known deal and a new one alike.
    private DealState StateOf(string dealId)
    {
        ref var state = ref CollectionsMarshal.GetValueRefOrAddDefault(_deals, dealId, out _);
        return state ??= new DealState(dealId, _stages.VersionCount);
    }

    private void Enter(DealState deal, int stage, long at)
    {
        var previousKind = deal.Stage >= 0 ? _stages.KindAt(deal.Stage) : (StageKind?)null;
        deal.Stage = stage;
        deal.EnteredTicks = at;
        deal.HasEntry = true;
        deal.Touch(stage);
        if (at >= _from && at < _to)
        {
            CountEntry(stage);
        }

        SetOutcome(deal, previousKind, at);
    }

    private void CountEntry(int stage)
    {
        if (stage >= _entries.Length)
        {
            Array.Resize(ref _entries, Math.Max(stage + 1, _entries.Length * 2));
        }

        _entries[stage]++;
    }

    // A migration renames where the deal stands: the stay goes on under the new stage id, with no move and no new entry.
    private void Relabel(DealState deal, int stage, long at)
    {
        if (stage == deal.Stage)
        {
            return;
        }

        var previous = deal.Stage;
        var previousKind = previous >= 0 ? _stages.KindAt(previous) : (StageKind?)null;
        deal.Stage = stage;
        deal.Touch(stage);
        if (previous >= 0 && deal.HasEntry && deal.EnteredTicks >= _from && deal.EnteredTicks < _to)
        {
            // The entry that began the stay is the renamed stage's entry now (a history that begins with migrations has none).
            _entries[previous]--;
            CountEntry(stage);
        }

        SetOutcome(deal, previousKind, at);
    }

    // The close instant is when the deal reached its current outcome: kept across moves between stages of the same kind.
    private void SetOutcome(DealState deal, StageKind? previousKind, long at)
    {
        var kind = _stages.KindAt(deal.Stage);
        if (kind == StageKind.Open)
        {
            deal.ClosedTicks = -1;
        }
        else if (deal.ClosedTicks < 0 || previousKind != kind)
        {
            deal.ClosedTicks = at;
        }
    }

    private void Leave(DealState deal, long at)
    {
        var stage = deal.Stage;
        if (stage < 0 || stage >= _stages.VersionCount || _stages.KindAt(stage) != StageKind.Open || at < _from || at >= _to)
        {
            return;
        }

        deal.EndStay(stage, at - deal.EnteredTicks);
    }

    /// <summary>
    /// What the fold keeps per deal: a fixed size, whatever the number of its events. One object and one array, so that a
    /// deal's state costs few cache misses: the object holds the bits of the first 64 version stages touched and with a
    /// stay (a move sets one), the array each version stage's latest stay next to its stay sum (a stay that ends writes
    /// one pair), then the bits of any further stages.
    /// </summary>
    private sealed class DealState
    {
        private readonly long[] _slots;
        private readonly int _stages;
        private readonly int _extraWords;
        private long _touched;
        private long _stayed;

        public DealState(string id, int versionStages)
        {
            Id = id;
            _stages = versionStages;
            _extraWords = Math.Max(0, ((versionStages + 63) / 64) - 1);
            _slots = new long[(2 * versionStages) + (2 * _extraWords)];
        }

        public string Id { get; }

        public Deal? Snapshot { get; set; }

        public string? GroupKey { get; set; }

        public bool Started { get; set; }

        public long StartTicks { get; set; }

        /// <summary>Gets or sets the current stage's index; -1 before the first event.</summary>
        public int Stage { get; set; } = -1;

        public long EnteredTicks { get; set; }

        /// <summary>Gets or sets a value indicating whether the deal has entered a stage (a start or a move) in its history.</summary>
        public bool HasEntry { get; set; }

        /// <summary>Gets or sets when the deal reached its current outcome; -1 while it is open.</summary>
        public long ClosedTicks { get; set; } = -1;

        /// <summary>The latest stay in a version stage that ended in the window.</summary>
        public long LatestStay(int stage) => _slots[2 * stage];

        /// <summary>The sum of the stays in a version stage that ended in the window.</summary>
        public long CumulativeStay(int stage) => _slots[(2 * stage) + 1];

        public void Touch(int stage)
        {
            if (stage < _stages)
            {
                SetBit(ref _touched, 0, stage);
            }
        }

        public bool HasTouched(int stage) => stage < _stages && HasBit(_touched, 0, stage);

        public bool HasStay(int stage) => HasBit(_stayed, _extraWords, stage);

        public void EndStay(int stage, long ticks)
        {
            _slots[2 * stage] = ticks;
            _slots[(2 * stage) + 1] += ticks;
            SetBit(ref _stayed, _extraWords, stage);
        }

        // Bits 0–63 in the field; bit 64 and up in the array after the stays (touched words first, then stayed words).
        private void SetBit(ref long first, int offset, int bit)
        {
            if (bit < 64)
            {
                first |= 1L << bit;
            }
            else
            {
                _slots[(2 * _stages) + offset + (bit >> 6) - 1] |= 1L << (bit & 63);
            }
        }

        private bool HasBit(long first, int offset, int bit) =>
            bit < 64 ? (first & (1L << bit)) != 0 : (_slots[(2 * _stages) + offset + (bit >> 6) - 1] & (1L << (bit & 63))) != 0;
    }
}
