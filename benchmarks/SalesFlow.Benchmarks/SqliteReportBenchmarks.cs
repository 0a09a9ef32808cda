using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Sqlite;

namespace SalesFlow.Benchmarks;

/// <summary>
/// Reports over one SQLite file of 50,000 B2B deals with 10 events each (500,000 events: a start, seven moves including a
/// backward one, an internal action, then won or lost; about 120 MB with WAL checkpointed): the SQL reports
/// (<see cref="SqliteDealReports"/>, window functions in SQLite) against the in-memory reference fold
/// (<see cref="SalesReports"/>) reading the same file through the event feed. Both give the same figures (tested).
/// </summary>
[MemoryDiagnoser]
[GcServer(false)] // Stated so the server GC the project sets for the throughput harness never reaches the benchmarks.
[GcConcurrent(true)]
public class SqliteReportBenchmarks
{
    public const int Deals = 50_000;

    private static readonly string[] Path =
    [
        B2BStages.Qualification, B2BStages.NeedsAssessment, B2BStages.Presentation, B2BStages.Proposal,
        B2BStages.NeedsAssessment, B2BStages.Proposal, B2BStages.Close,
    ];

    private readonly DateTimeOffset _start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private string _directory = "";
    private SqliteDealStore _store = null!;
    private SalesReports _reference = null!;
    private SqliteDealReports _sql = null!;
    private ReportRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        var pipeline = B2BScenario.Pipeline;
        var registry = new PipelineRegistry(pipeline);
        _request = new ReportRequest(pipeline.Id, new ReportWindow(_start, _start.AddDays(365)));
        _directory = Directory.CreateTempSubdirectory("salesflow-bench-").FullName;
        _store = new SqliteDealStore(registry, new SqliteDealStoreOptions { DataSource = System.IO.Path.Combine(_directory, "reports.db") });
        var data = B2BScenario.ReadyData();
        var batch = new List<DealImport>(5_000);
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
            batch.Add(new DealImport(started.Deal with { StageId = end, Version = events.Count, LastSequence = events.Count, Amount = 1_000m + d, Outcome = d % 3 == 0 ? StageKind.Lost : StageKind.Won }, events));
            if (batch.Count == batch.Capacity)
            {
                _store.ImportAsync(batch).AsTask().GetAwaiter().GetResult();
                batch.Clear();
            }
        }

        _store.ImportAsync(batch).AsTask().GetAwaiter().GetResult();
        _reference = new SalesReports(registry, _store, TimeProvider.System);
        _sql = _store.Reports(TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "Outcomes, in-memory fold over the SQLite feed")]
    public async Task<int> OutcomesFold() => (await _reference.OutcomesAsync(_request)).Won;

    [Benchmark(Description = "Outcomes, SQL")]
    public async Task<int> OutcomesSql() => (await _sql.OutcomesAsync(_request)).Won;

    [Benchmark(Description = "Time in stage, in-memory fold over the SQLite feed")]
    public async Task<int> TimeInStageFold() => (await _reference.TimeInStageAsync(_request)).Stages[0].Entries;

    [Benchmark(Description = "Time in stage, SQL")]
    public async Task<int> TimeInStageSql() => (await _sql.TimeInStageAsync(_request)).Stages[0].Entries;

    private static DealEvent Move(string id, int sequence, DateTimeOffset at, string from, string to, string trigger) =>
        new() { DealId = id, Sequence = sequence, Kind = DealEventKind.Transition, Timestamp = at, Actor = "import", Trigger = trigger, FromStage = from, ToStage = to };
}
