using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace SalesFlow;

/// <summary>
/// The reference computation of every report: one pass over a pipeline's events (each deal's events in sequence order,
/// deals interleaved in any way), keeping only per-deal state of a fixed size and per-stage counters. Memory grows with the
/// number of deals and stages, never with the number of events; adding an event allocates nothing once its deal and stages
/// are known.
/// </summary>
/// <remarks>
/// Per-deal state lives in arrays indexed by the order deals are first met, not in an object per deal: an event costs the
/// deal id's lookup (none when the source hands each deal's history over whole, through <see cref="AddHistory"/>), then one
/// read of the deal's fixed state and, when a stay ends, one write to the deal's row of stays, both at addresses known from
/// the index alone. The arrays come in chunks of <see cref="ChunkSize"/> deals (fewer for a pipeline with very many stages),
/// rented from the shared array pool and given back by <see cref="Dispose"/>: more deals add a chunk and copy nothing, and a
/// report run after another reuses the memory instead of faulting in fresh pages.
/// </remarks>
internal sealed class ReportFold : IDisposable
{
    /// <summary>The number of deals in a chunk of per-deal state, unless the rows of stays would make it too large.</summary>
    internal const int ChunkSize = 1 << MaxChunkShift;
    private const int MaxChunkShift = 14;
    private const int MinChunkShift = 10;
    private const int MaxStaysChunkBytes = 4 << 20;

    private readonly ReportStages _stages;
    private readonly ReportWindow _window;
    private readonly long _from;
    private readonly long _to;
    private readonly DateTimeOffset _now;
    private readonly Func<Deal, string?>? _groupKey;
    private readonly Dictionary<string, int> _indexes = new(StringComparer.Ordinal);
    private readonly int[] _versionMoves;
    private readonly Dictionary<long, int> _otherMoves = [];
    private readonly int _versionStages;
    private readonly int _extraWords;
    private readonly int _stride;
    private readonly int _shift;
    private readonly int _mask;
    private int[] _entries;
    private DealState[][] _states = new DealState[4][];
    private long[][] _stays = new long[4][];
    private int _chunks;
    private DealInfo[]?[] _infos = new DealInfo[]?[4];
    private int _count;
    private string? _lastId;
    private int _lastIndex;

    public ReportFold(ReportStages stages, ReportWindow window, DateTimeOffset now, Func<Deal, string?>? groupKey = null)
    {
        _stages = stages;
        _window = window;
        _from = window.From.UtcTicks;
        _to = window.To.UtcTicks;
        _now = now;
        _groupKey = groupKey;
        _entries = new int[Math.Max(stages.Count, 4)];
        _versionStages = stages.VersionCount;
        _versionMoves = new int[_versionStages * _versionStages];

        // A deal's row of stays: each version stage's latest stay next to its stay sum (a stay that ends writes one pair),
        // then the touched and stayed bits of the version stages past the first 64 (the first 64 are in the deal's state).
        _extraWords = Math.Max(0, ((_versionStages + 63) / 64) - 1);
        _stride = (2 * _versionStages) + (2 * _extraWords);

        // Chunks of 16,384 deals, fewer when a pipeline has so many stages that a chunk's rows of stays would pass 4 MB.
        _shift = MaxChunkShift;
        while (_shift > MinChunkShift && ((long)_stride * sizeof(long)) << _shift > MaxStaysChunkBytes)
        {
            _shift--;
        }

        _mask = (1 << _shift) - 1;
    }

    /// <summary>Gets how many deals the fold holds state for.</summary>
    public int DealCount => _count;

    /// <summary>Gets how many deals a chunk of this fold holds: <see cref="ChunkSize"/>, or fewer for very many stages.</summary>
    public int DealsPerChunk => 1 << _shift;

    /// <summary>Takes a deal's current snapshot: its owner, amount and group key (events give everything else).</summary>
    public void AddDeal(Deal deal) => SetInfo(IndexOf(deal.Id), deal);

    /// <summary>
    /// Takes a deal whose whole history follows through <see cref="Add(int, DealEventKind, long, string?, string?, string)"/>
    /// with the index returned, for a source that hands each deal over whole: no id is looked up. A fold fed this way
    /// takes no events through <see cref="Add(DealEvent)"/>.
    /// </summary>
    /// <returns>The deal's index in the fold.</returns>
    public int AddHistory(Deal deal)
    {
        var index = NewDeal();
        SetInfo(index, deal);
        return index;
    }

    /// <summary>Folds one event in.</summary>
    public void Add(DealEvent e) =>
        Add(IsLast(e.DealId) ? _lastIndex : IndexOf(e.DealId), e.Kind, e.Timestamp.UtcTicks, e.Trigger, e.FromStage, e.ToStage);

    /// <summary>Folds in one event of the deal at an index (<see cref="AddHistory"/>), given by the fields the reports read.</summary>
    public void Add(int index, DealEventKind kind, long at, string? trigger, string? fromStage, string toStage)
    {
        ref var deal = ref StateAt(index);
        switch (kind)
        {
            case DealEventKind.Started:
                deal.Started = true;
                deal.StartTicks = at;
                Enter(ref deal, index, _stages.IndexOf(toStage), at);
                break;
            case DealEventKind.Transition:
                if (string.Equals(fromStage, toStage, StringComparison.Ordinal) && !_stages.IsReentry(trigger, toStage))
                {
                    break; // an internal action: the stay goes on
                }

                var to = _stages.IndexOf(toStage);
                var from = deal.Stage >= 0 ? deal.Stage : _stages.IndexOf(fromStage ?? toStage);
                Leave(ref deal, index, at);
                if (at >= _from && at < _to)
                {
                    CountMove(from, to);
                }

                Enter(ref deal, index, to, at);
                break;
            case DealEventKind.Migrated:
                Relabel(ref deal, index, _stages.IndexOf(toStage), at);
                break;
        }
    }

    public FunnelReport Funnel(FunnelMode mode)
    {
        var bars = _stages.Bars;
        var counts = new int[bars.Length];
        var cohort = 0;
        for (var d = 0; d < _count; d++)
        {
            ref readonly var deal = ref StateAt(d);
            if (!deal.Started || deal.StartTicks < _from || deal.StartTicks >= _to)
            {
                continue;
            }

            cohort++;
            var lost = deal.Stage >= 0 && _stages.KindAt(deal.Stage) == StageKind.Lost;
            var furthest = -1;
            for (var i = 0; i < bars.Length; i++)
            {
                if (HasTouched(in deal, d, bars[i]))
                {
                    furthest = i;
                }
            }

            switch (mode)
            {
                case FunnelMode.Touched:
                    for (var i = 0; i < bars.Length; i++)
                    {
                        counts[i] += HasTouched(in deal, d, bars[i]) ? 1 : 0;
                    }

                    break;
                case FunnelMode.Implied:
                    for (var i = 0; i < bars.Length; i++)
                    {
                        counts[i] += (lost ? HasTouched(in deal, d, bars[i]) : i <= furthest) ? 1 : 0;
                    }

                    break;
                default:
                    // A skipped stage drops the deal from every later bar.
                    for (var i = 0; i < bars.Length && HasTouched(in deal, d, bars[i]); i++)
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
            for (var d = 0; d < _count; d++)
            {
                ref readonly var deal = ref StateAt(d);
                if (HasBit(deal.Stayed, d, _extraWords, index))
                {
                    var row = RowOf(d, out var start);
                    latest.Add(row[start + (2 * index)]);
                    cumulative.Add(row[start + (2 * index) + 1]);
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
        var n = _versionStages;
        var cells = Enumerable.Range(0, _versionMoves.Length)
            .Where(i => _versionMoves[i] > 0)
            .Select(i => (From: i / n, To: i % n, Count: _versionMoves[i]))
            .Concat(_otherMoves.Select(m => (From: (int)(m.Key >> 32), To: (int)(m.Key & 0xFFFF_FFFF), Count: m.Value)))
            .OrderBy(m => SortKey(m.From)).ThenBy(m => SortKey(m.To))
            .Select(m => Cell(m.From, m.To, m.Count));
        return new FlowReport(_stages.Version.Id, _stages.Version.Version, _window, [.. cells]);
    }

    public OutcomesReport Outcomes()
    {
        var tally = new OutcomesTally();
        for (var d = 0; d < _count; d++)
        {
            Count(tally, d);
        }

        return tally.ToReport(_stages.Version.Id, _window);
    }

    public BreakdownReport Breakdown(string grouping, int top)
    {
        var groups = new Dictionary<string, OutcomesTally>(StringComparer.Ordinal);
        OutcomesTally? keyless = null;
        for (var d = 0; d < _count; d++)
        {
            var key = InfoAt(d).GroupKey;
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

            Count(tally, d);
        }

        var rows = groups.Select(g => Row(g.Key, g.Value)).ToList();
        if (keyless is not null)
        {
            rows.Add(Row(null, keyless));
        }

        return BreakdownReport.Create(_stages.Version.Id, _window, grouping, rows, top);

        BreakdownRow Row(string? key, OutcomesTally tally) => new(key, tally.Started, tally.ToReport(_stages.Version.Id, _window));
    }

    private void Count(OutcomesTally tally, int index)
    {
        ref readonly var deal = ref StateAt(index);
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
            tally.AddClosed(kind, deal.Started ? TimeSpan.FromTicks(deal.ClosedTicks - deal.StartTicks) : null, InfoAt(index).Snapshot?.Amount);
        }
    }

    private (int Known, int Order, string Id) SortKey(int index) =>
        _stages.DefinitionAt(index) is { } stage ? (0, stage.Order, stage.Id) : (1, 0, _stages.IdAt(index));

    private FlowCell Cell(int from, int to, int count) =>
        FlowCell.Classify(_stages.IdAt(from), _stages.IdAt(to), count, _stages.DefinitionAt(from), _stages.DefinitionAt(to), _stages.Bars.Select(b => _stages.DefinitionAt(b)!));

    // Moves between the version's stages count in a matrix; the rare ones involving another version's stage in a dictionary.
    private void CountMove(int from, int to)
    {
        var n = _versionStages;
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

    // One hash and probe per new deal id met (consecutive events of one deal reuse the last index).
    private int IndexOf(string dealId)
    {
        ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(_indexes, dealId, out var exists);
        if (!exists)
        {
            index = NewDeal();
        }

        _lastId = dealId;
        _lastIndex = index;
        return index;
    }

    private int NewDeal()
    {
        if (_count == _chunks << _shift)
        {
            AddChunk();
        }

        // A rented chunk holds whatever the report before left: a new deal's state and row of stays start afresh.
        StateAt(_count) = new DealState { Stage = -1, ClosedTicks = -1 };
        Array.Clear(RowOf(_count, out var start), start, _stride);
        return _count++;
    }

    private void SetInfo(int index, Deal deal)
    {
        // Snapshots are kept in chunks of their own, rented only when the source gives deals as well as events.
        var chunk = _infos[index >> _shift] ??= ArrayPool<DealInfo>.Shared.Rent(1 << _shift);
        chunk[index & _mask] = new DealInfo(deal, _groupKey?.Invoke(deal));
    }

    private void AddChunk()
    {
        if (_chunks == _states.Length)
        {
            Array.Resize(ref _states, _chunks * 2);
            Array.Resize(ref _stays, _chunks * 2);
            Array.Resize(ref _infos, _chunks * 2);
        }

        // Rented as they are: a new deal's state and row of stays are written afresh when the deal is met (NewDeal).
        _states[_chunks] = ArrayPool<DealState>.Shared.Rent(1 << _shift);
        _stays[_chunks++] = ArrayPool<long>.Shared.Rent(_stride << _shift);
    }

    /// <summary>Gives the chunks of per-deal state back to the shared pool; the fold is not used after.</summary>
    public void Dispose()
    {
        for (var c = 0; c < _chunks; c++)
        {
            ArrayPool<DealState>.Shared.Return(_states[c]);
            ArrayPool<long>.Shared.Return(_stays[c]);
            if (_infos[c] is { } infos)
            {
                ArrayPool<DealInfo>.Shared.Return(infos, clearArray: true); // no deal is kept alive by the pool
            }

            _states[c] = null!;
            _stays[c] = null!;
            _infos[c] = null;
        }

        _chunks = 0;
        _count = 0;
        _indexes.Clear();
        _lastId = null;
    }

    private ref DealState StateAt(int index) => ref _states[index >> _shift][index & _mask];

    // The chunk holding a deal's row of stays, and where the row starts in it: each version stage's latest stay and stay
    // sum, then the deal's bits past the first 64 stages.
    private long[] RowOf(int index, out int start)
    {
        start = (index & _mask) * _stride;
        return _stays[index >> _shift];
    }

    // Whether the id is the last event's deal: the same string, or an equal one (events read from a store bring a string per
    // row). The last character tells most other ids apart before a full comparison.
    private bool IsLast(string dealId) =>
        _lastId is { } last && (ReferenceEquals(last, dealId) || (last.Length == dealId.Length && last.Length > 0 && last[^1] == dealId[^1] && string.Equals(last, dealId, StringComparison.Ordinal)));

    private DealInfo InfoAt(int index) => _infos[index >> _shift] is { } chunk ? chunk[index & _mask] : default;

    private void Enter(ref DealState deal, int index, int stage, long at)
    {
        var previousKind = deal.Stage >= 0 ? _stages.KindAt(deal.Stage) : (StageKind?)null;
        deal.Stage = stage;
        deal.EnteredTicks = at;
        deal.HasEntry = true;
        Touch(ref deal, index, stage);
        if (at >= _from && at < _to)
        {
            CountEntry(stage);
        }

        SetOutcome(ref deal, previousKind, at);
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
    private void Relabel(ref DealState deal, int index, int stage, long at)
    {
        if (stage == deal.Stage)
        {
            return;
        }

        var previous = deal.Stage;
        var previousKind = previous >= 0 ? _stages.KindAt(previous) : (StageKind?)null;
        deal.Stage = stage;
        Touch(ref deal, index, stage);
        if (previous >= 0 && deal.HasEntry && deal.EnteredTicks >= _from && deal.EnteredTicks < _to)
        {
            // The entry that began the stay is the renamed stage's entry now (a history that begins with migrations has none).
            _entries[previous]--;
            CountEntry(stage);
        }

        SetOutcome(ref deal, previousKind, at);
    }

    // The close instant is when the deal reached its current outcome: kept across moves between stages of the same kind.
    private void SetOutcome(ref DealState deal, StageKind? previousKind, long at)
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

    private void Leave(ref DealState deal, int index, long at)
    {
        var stage = deal.Stage;
        if (stage < 0 || stage >= _versionStages || _stages.KindAt(stage) != StageKind.Open || at < _from || at >= _to)
        {
            return;
        }

        var ticks = at - deal.EnteredTicks;
        var row = RowOf(index, out var start);
        row[start + (2 * stage)] = ticks;
        row[start + (2 * stage) + 1] += ticks;
        SetBit(ref deal.Stayed, index, _extraWords, stage);
    }

    private void Touch(ref DealState deal, int index, int stage)
    {
        if (stage < _versionStages)
        {
            SetBit(ref deal.Touched, index, 0, stage);
        }
    }

    private bool HasTouched(in DealState deal, int index, int stage) => stage < _versionStages && HasBit(deal.Touched, index, 0, stage);

    // Bits 0–63 in the deal's state; bit 64 and up in its row after the stays (touched words first, then stayed words).
    private void SetBit(ref long first, int index, int offset, int bit)
    {
        if (bit < 64)
        {
            first |= 1L << bit;
        }
        else
        {
            RowOf(index, out var start)[start + (2 * _versionStages) + offset + (bit >> 6) - 1] |= 1L << (bit & 63);
        }
    }

    private bool HasBit(long first, int index, int offset, int bit) =>
        bit < 64 ? (first & (1L << bit)) != 0 : (RowOf(index, out var start)[start + (2 * _versionStages) + offset + (bit >> 6) - 1] & (1L << (bit & 63))) != 0;

    /// <summary>What the fold keeps per deal for every event: a fixed size, whatever the number of its events.</summary>
    private struct DealState
    {
        public long StartTicks;
        public long EnteredTicks;

        /// <summary>When the deal reached its current outcome; -1 while it is open.</summary>
        public long ClosedTicks;

        /// <summary>The first 64 version stages the deal has entered, one bit each.</summary>
        public long Touched;

        /// <summary>The first 64 version stages with a stay that ended in the window, one bit each.</summary>
        public long Stayed;

        /// <summary>The current stage's index; -1 before the first event.</summary>
        public int Stage;

        public bool Started;

        /// <summary>Whether the deal has entered a stage (a start or a move) in its history.</summary>
        public bool HasEntry;
    }

    /// <summary>What the fold keeps per deal from its snapshot, when the report reads deals as well as events.</summary>
    private readonly record struct DealInfo(Deal? Snapshot, string? GroupKey);
}
