using BenchmarkDotNet.Attributes;
using SalesFlow.Pipelines.B2B;

namespace SalesFlow.Benchmarks;

/// <summary>
/// The reports' in-memory computation over 1,000,000 events (100,000 B2B deals with 10 events each: a start, seven moves
/// including a backward one, an internal action and an activity). The baseline is the least any fold over deals keyed by
/// id does: one dictionary lookup per event, over the events interleaved as a store commits them (the first event of every
/// deal, then the second of every deal, …). Then the fold given the same interleaved events (as a source reading an event
/// feed gives them), the fold given each deal's events one after another, and a whole report from the in-memory store,
/// which folds each deal's stored history in place. The issue asks for at least 10 million events per second.
/// </summary>
[MemoryDiagnoser]
[GcServer(false)] // Stated so the server GC the project sets for the throughput harness never reaches the benchmarks.
[GcConcurrent(true)]
public class ReportBenchmarks
{
    public const int Deals = 100_000;
    public const int EventsPerDeal = 10;
    public const int Events = Deals * EventsPerDeal;

    private static readonly string[] Path =
    [
        B2BStages.Qualification, B2BStages.NeedsAssessment, B2BStages.Presentation, B2BStages.Proposal,
        B2BStages.NeedsAssessment, B2BStages.Proposal, B2BStages.Close,
    ];

    private readonly DateTimeOffset _start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private DealEvent[] _events = [];
    private DealEvent[] _eventsByDeal = [];
    private ReportStages _stages = null!;
    private ReportWindow _window = null!;
    private SalesReports _storeReports = null!;
    private ReportRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        var pipeline = B2BScenario.Pipeline;
        _stages = new ReportStages(pipeline, [pipeline]);
        _window = new ReportWindow(_start, _start.AddDays(365));
        _request = new ReportRequest(pipeline.Id, _window);

        var perDeal = new DealEvent[Deals][];
        var data = B2BScenario.ReadyData();
        var batch = new List<DealImport>(Deals);
        for (var d = 0; d < Deals; d++)
        {
            var id = $"deal-{d:D6}";
            var at = _start.AddMinutes(d);
            var started = B2BScenario.StartedDeal(id, data, at);
            var events = new List<DealEvent>(started.Events);
            var stage = B2BStages.Prospecting;
            foreach (var next in Path)
            {
                events.Add(Move(id, events.Count + 1, at.AddHours(events.Count), stage, next, "move"));
                stage = next;
            }

            events.Add(Move(id, events.Count + 1, at.AddHours(events.Count), stage, stage, "RecordCall"));
            var end = d % 3 == 0 ? B2BStages.Lost : B2BStages.FollowUp;
            events.Add(Move(id, events.Count + 1, at.AddHours(events.Count), stage, end, d % 3 == 0 ? B2BTriggers.Lose : B2BTriggers.Win));
            perDeal[d] = [.. events];
            batch.Add(new DealImport(started.Deal with { StageId = end, Version = events.Count, LastSequence = events.Count, Amount = 1_000m + d, Outcome = d % 3 == 0 ? StageKind.Lost : StageKind.Won }, events));
        }

        _eventsByDeal = [.. perDeal.SelectMany(e => e)];
        _events = new DealEvent[Events];
        var n = 0;
        for (var k = 0; k < EventsPerDeal; k++)
        {
            for (var d = 0; d < Deals; d++)
            {
                _events[n++] = perDeal[d][k];
            }
        }

        var store = new InMemoryDealStore();
        foreach (var chunk in batch.Chunk(10_000))
        {
            store.ImportAsync(chunk).AsTask().GetAwaiter().GetResult();
        }

        _storeReports = new SalesReports(new PipelineRegistry(pipeline), store, TimeProvider.System);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events, Description = "One dictionary lookup per event")]
    public int CountPerDeal()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in _events)
        {
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, e.DealId, out _)++;
        }

        return counts.Count;
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "Report fold, interleaved events, then funnel and outcomes")]
    public int Fold() => FoldAll(_events);

    [Benchmark(OperationsPerInvoke = Events, Description = "Report fold, one deal's events after another, then funnel and outcomes")]
    public int FoldByDeal() => FoldAll(_eventsByDeal);

    [Benchmark(OperationsPerInvoke = Events, Description = "Outcomes report from the in-memory store (in-place fold)")]
    public async Task<int> OutcomesFromStore() => (await _storeReports.OutcomesAsync(_request)).Won;

    private int FoldAll(DealEvent[] events)
    {
        using var fold = new ReportFold(_stages, _window, _start.AddDays(400));
        foreach (var e in events)
        {
            fold.Add(e);
        }

        return fold.Funnel(FunnelMode.Strict).Deals + fold.Outcomes().Won;
    }

    private static DealEvent Move(string id, int sequence, DateTimeOffset at, string from, string to, string trigger) =>
        new() { DealId = id, Sequence = sequence, Kind = DealEventKind.Transition, Timestamp = at, Actor = "import", Trigger = trigger, FromStage = from, ToStage = to };
}
