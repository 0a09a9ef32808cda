using BenchmarkDotNet.Attributes;
using SalesFlow.Pipelines.B2B;

namespace SalesFlow.Benchmarks;

/// <summary>
/// Replaying history: read 1,000,000 events (100,000 B2B deals with 10 events each) from the in-memory store
/// and fold them into per-stage counts (how many times each stage was entered, and where each deal ended).
/// The baseline folds the same events from one flat array, without the store.
/// </summary>
[MemoryDiagnoser]
[GcServer(false)] // Stated so the server GC the project sets for the throughput harness never reaches the benchmarks.
[GcConcurrent(true)]
public class EventFoldBenchmarks
{
    public const int Deals = 100_000;
    public const int EventsPerDeal = 10;

    private static readonly string[] Path =
    [
        B2BStages.Qualification, B2BStages.NeedsAssessment, B2BStages.Lost, B2BStages.NeedsAssessment,
        B2BStages.Presentation, B2BStages.Proposal, B2BStages.Close, B2BStages.FollowUp,
    ];

    private InMemoryDealStore _store = null!;
    private DealEvent[] _flat = [];
    private string[] _ids = [];

    [GlobalSetup]
    public void Setup()
    {
        _store = new InMemoryDealStore();
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var data = B2BScenario.ReadyData();
        _ids = Enumerable.Range(0, Deals).Select(i => $"deal-{i:D6}").ToArray();
        var batch = new List<DealImport>(Deals);
        foreach (var id in _ids)
        {
            var started = B2BScenario.StartedDeal(id, data, at);
            var events = new List<DealEvent>(started.Events);
            var stage = B2BStages.Prospecting;
            foreach (var next in Path)
            {
                events.Add(new DealEvent { DealId = id, Sequence = events.Count + 1, Kind = DealEventKind.Transition, Timestamp = at, Actor = "import", Trigger = "t", FromStage = stage, ToStage = next });
                stage = next;
            }

            events.Add(new DealEvent { DealId = id, Sequence = events.Count + 1, Kind = DealEventKind.Activity, Timestamp = at, Actor = "import", Activity = "note", FromStage = stage, ToStage = stage });
            batch.Add(new DealImport(started.Deal with { StageId = stage, Version = events.Count, LastSequence = events.Count }, events));
        }

        _store.ImportAsync(batch).AsTask().GetAwaiter().GetResult();
        _flat = batch.SelectMany(b => b.Events).ToArray();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Deals * EventsPerDeal, Description = "Fold a flat event array")]
    public int FoldArray() => StageCounts.Fold(_flat).Total;

    [Benchmark(OperationsPerInvoke = Deals * EventsPerDeal, Description = "Read from the store and fold")]
    public async Task<int> ReadFromStoreAndFold()
    {
        var counts = new StageCounts();
        foreach (var id in _ids)
        {
            counts.Add(await _store.GetEventsAsync(id));
        }

        return counts.Total;
    }

    /// <summary>Per-stage entry counts and final stages, folded from events.</summary>
    public sealed class StageCounts
    {
        public Dictionary<string, int> Entered { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> Current { get; } = new(StringComparer.Ordinal);

        public int Total { get; private set; }

        public static StageCounts Fold(IReadOnlyList<DealEvent> events)
        {
            var counts = new StageCounts();
            counts.Add(events);
            return counts;
        }

        public void Add(IReadOnlyList<DealEvent> events)
        {
            string? dealId = null;
            string? stage = null;
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                Total++;
                if (!ReferenceEquals(e.DealId, dealId) && !string.Equals(e.DealId, dealId, StringComparison.Ordinal))
                {
                    Close(stage);
                    dealId = e.DealId;
                }

                if (e.Kind != DealEventKind.Activity && !string.Equals(e.FromStage, e.ToStage, StringComparison.Ordinal))
                {
                    Increment(Entered, e.ToStage);
                }

                stage = e.ToStage;
            }

            Close(stage);
        }

        private void Close(string? stage)
        {
            if (stage is not null)
            {
                Increment(Current, stage);
            }
        }

        private static void Increment(Dictionary<string, int> counts, string key) =>
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _)++;
    }
}
