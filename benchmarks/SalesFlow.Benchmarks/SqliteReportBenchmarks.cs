using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Data.Sqlite;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Sqlite;

namespace SalesFlow.Benchmarks;

/// <summary>
/// Reports over one SQLite file of B2B deals with about 5.8 events each (issue 11 §4: 1,000,000 deals with about
/// 6,000,000 events): the SQL reports (<see cref="SqliteDealReports"/>) for the funnel, time in stage and outcomes, each
/// against a hand-written SQL query that computes the same figures from the same events (checked equal in the setup),
/// per category. The histories cover the cases the reports must handle: the happy path, a skipped stage, a backward
/// move, an internal action, deals lost and reopened, open deals, deals started before the window.
/// </summary>
/// <remarks>
/// The number of deals is <c>SALESFLOW_BENCH_REPORT_DEALS</c> (default 20,000, for the CI dry job; the committed run
/// uses 1,000,000). The file is built once per size through <see cref="SqliteDealStore.ImportAsync"/> and kept under
/// the temp directory (<c>salesflow-bench-reports/</c>), so later runs and the benchmark processes of one run reuse it.
/// </remarks>
[MemoryDiagnoser]
[GcServer(false)] // Stated so the server GC the project sets for the throughput harness never reaches the benchmarks.
[GcConcurrent(true)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SqliteReportBenchmarks
{
    /// <summary>The environment variable that sets the number of deals.</summary>
    public const string DealsVariable = "SALESFLOW_BENCH_REPORT_DEALS";

    // Bumped when the generated histories change, so an older cached file is not reused.
    private const int DataVersion = 2;

    private static readonly DateTimeOffset Base = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly (string To, string Trigger)[][] Histories =
    [
        [(B2BStages.Qualification, B2BTriggers.Contact), (B2BStages.NeedsAssessment, B2BTriggers.Qualify), (B2BStages.Presentation, "Assess"), (B2BStages.Proposal, B2BTriggers.Propose), (B2BStages.Close, B2BTriggers.Close), (B2BStages.FollowUp, B2BTriggers.Win)],
        [(B2BStages.Qualification, B2BTriggers.Contact), (B2BStages.NeedsAssessment, B2BTriggers.Qualify), (B2BStages.Proposal, B2BTriggers.Propose), (B2BStages.Close, B2BTriggers.Close), (B2BStages.FollowUp, B2BTriggers.Win)],
        [(B2BStages.Qualification, B2BTriggers.Contact), (B2BStages.Lost, B2BTriggers.Disqualify)],
        [(B2BStages.Qualification, B2BTriggers.Contact), (B2BStages.NeedsAssessment, B2BTriggers.Qualify), (B2BStages.Presentation, "Assess"), (B2BStages.NeedsAssessment, "Back"), (B2BStages.Presentation, "Assess"), (B2BStages.Proposal, B2BTriggers.Propose), (B2BStages.Lost, B2BTriggers.Lose)],
        [(B2BStages.Qualification, B2BTriggers.Contact), (B2BStages.Qualification, "RecordCall"), (B2BStages.NeedsAssessment, B2BTriggers.Qualify)],
        [(B2BStages.Qualification, B2BTriggers.Contact), (B2BStages.NeedsAssessment, B2BTriggers.Qualify), (B2BStages.Lost, B2BTriggers.Lose), (B2BStages.NeedsAssessment, B2BTriggers.Reopen), (B2BStages.Presentation, "Assess"), (B2BStages.Proposal, B2BTriggers.Propose)],
        [],
        [(B2BStages.Qualification, B2BTriggers.Contact), (B2BStages.NeedsAssessment, B2BTriggers.Qualify), (B2BStages.Presentation, "Assess"), (B2BStages.Proposal, B2BTriggers.Propose), (B2BStages.Close, B2BTriggers.Close), (B2BStages.FollowUp, B2BTriggers.Win)],
        [(B2BStages.Qualification, B2BTriggers.Contact), (B2BStages.NeedsAssessment, B2BTriggers.Qualify), (B2BStages.Presentation, "Assess"), (B2BStages.Proposal, B2BTriggers.Propose), (B2BStages.Lost, B2BTriggers.Lose)],
        [(B2BStages.Qualification, B2BTriggers.Contact), (B2BStages.NeedsAssessment, B2BTriggers.Qualify), (B2BStages.Presentation, "Assess"), (B2BStages.Proposal, B2BTriggers.Propose), (B2BStages.Close, B2BTriggers.Close), (B2BStages.Lost, B2BTriggers.Lose), (B2BStages.Close, B2BTriggers.Reopen), (B2BStages.FollowUp, B2BTriggers.Win)],
    ];

    private SqliteDealStore _store = null!;
    private SqliteDealReports _sql = null!;
    private SqliteConnection _connection = null!;
    private ReportRequest _request = null!;
    private string _pipelineId = "";
    private string[] _bars = [];
    private string[] _openStages = [];
    private string _wonStages = "";
    private string _lostStages = "";
    private string _closedStages = "";

    /// <summary>Gets the number of deals in the file.</summary>
    public static int Deals => int.TryParse(Environment.GetEnvironmentVariable(DealsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var deals) && deals > 0 ? deals : 20_000;

    [GlobalSetup(Targets = [nameof(FunnelHandWritten), nameof(FunnelSql)])]
    public void SetupFunnel()
    {
        Open();
        var sql = _sql.FunnelAsync(_request, FunnelMode.Strict).AsTask().GetAwaiter().GetResult();
        var hand = HandFunnel();
        Check("funnel", [sql.Deals, .. sql.Bars.Select(b => b.Count)], hand);
    }

    [GlobalSetup(Targets = [nameof(TimeInStageHandWritten), nameof(TimeInStageSql)])]
    public void SetupTimeInStage()
    {
        Open();
        var sql = _sql.TimeInStageAsync(_request).AsTask().GetAwaiter().GetResult();
        var hand = HandTimeInStage();
        Check("time in stage", sql.Stages, hand);
    }

    [GlobalSetup(Targets = [nameof(OutcomesHandWritten), nameof(OutcomesSql)])]
    public void SetupOutcomes()
    {
        Open();
        var sql = _sql.OutcomesAsync(_request).AsTask().GetAwaiter().GetResult();
        var hand = HandOutcomes();
        Check<object>(
            "outcomes",
            [sql.Won, sql.Lost, sql.Closed, sql.OpenDeals, sql.WonValue, sql.WonWithoutAmount, sql.WonCycle, sql.LostCycle],
            [hand.Won, hand.Lost, hand.Closed, hand.Open, hand.WonValue, hand.WonWithoutAmount, hand.WonCycle, hand.LostCycle]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _connection.Dispose();
        _store.Dispose();
        SqliteConnection.ClearAllPools();
    }

    [BenchmarkCategory("Funnel")]
    [Benchmark(Baseline = true, Description = "Funnel (strict), hand-written SQL")]
    public int FunnelHandWritten() => HandFunnel()[^1];

    [BenchmarkCategory("Funnel")]
    [Benchmark(Description = "Funnel (strict), SalesFlow SQL report")]
    public int FunnelSql() => _sql.FunnelAsync(_request, FunnelMode.Strict).AsTask().GetAwaiter().GetResult().Bars[^1].Count;

    [BenchmarkCategory("TimeInStage")]
    [Benchmark(Baseline = true, Description = "Time in stage, hand-written SQL")]
    public int TimeInStageHandWritten() => HandTimeInStage()[0].Entries;

    [BenchmarkCategory("TimeInStage")]
    [Benchmark(Description = "Time in stage, SalesFlow SQL report")]
    public int TimeInStageSql() => _sql.TimeInStageAsync(_request).AsTask().GetAwaiter().GetResult().Stages[0].Entries;

    [BenchmarkCategory("Outcomes")]
    [Benchmark(Baseline = true, Description = "Outcomes, hand-written SQL")]
    public int OutcomesHandWritten() => HandOutcomes().Won;

    [BenchmarkCategory("Outcomes")]
    [Benchmark(Description = "Outcomes, SalesFlow SQL report")]
    public int OutcomesSql() => _sql.OutcomesAsync(_request).AsTask().GetAwaiter().GetResult().Won;

    private static void Check<T>(string report, IEnumerable<T> salesFlow, IEnumerable<T> handWritten)
    {
        var a = salesFlow.ToList();
        var b = handWritten.ToList();
        if (!a.SequenceEqual(b))
        {
            throw new InvalidOperationException($"The {report} figures differ: SalesFlow [{string.Join("; ", a)}], hand-written [{string.Join("; ", b)}].");
        }

        Console.WriteLine($"// SqliteReportBenchmarks: {report} figures equal ({Deals:N0} deals): {string.Join("; ", a.Take(8)).Replace(", StageName", "", StringComparison.Ordinal)[..Math.Min(600, string.Join("; ", a.Take(8)).Length - 40)]}…");
    }

    private static FixedClock Clock { get; } = new();

    private static string Stage(int deal, int index, (string To, string Trigger)[] history) => index == 0 ? B2BStages.Prospecting : history[index - 1].To;

    // The deals start evenly over two years (a minute apart for 1,000,000); each deal's events follow 1 to 47 hours apart.
    private static DateTimeOffset At(int deal, int index) =>
        Base.AddMinutes(deal * (1_051_200.0 / Deals)).AddHours(index == 0 ? 0 : Enumerable.Range(1, index).Sum(i => 1 + (((deal * 7) + (i * 13)) % 47)));

    private static string FilePath(int deals) =>
        Path.Combine(Path.GetTempPath(), "salesflow-bench-reports", $"b2b-{deals}-deals-v{DataVersion}.db");

    private static void Build(string file, int deals, PipelineRegistry registry)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var building = file + ".building";
        File.Delete(building);
        File.Delete(building + "-wal");
        File.Delete(building + "-shm");
        Console.WriteLine($"// SqliteReportBenchmarks: building {file} ({deals:N0} deals) once");
        var data = B2BScenario.ReadyData();
        long events = 0;
        using (var store = new SqliteDealStore(registry, new SqliteDealStoreOptions { DataSource = building }))
        {
            var batch = new List<DealImport>(5_000);
            for (var d = 0; d < deals; d++)
            {
                var id = $"deal-{d:D7}";
                var history = Histories[d % Histories.Length];
                var started = B2BScenario.StartedDeal(id, data, At(d, 0));
                var list = new List<DealEvent>(history.Length + 1) { started.Events[0] };
                for (var i = 1; i <= history.Length; i++)
                {
                    list.Add(new DealEvent
                    {
                        DealId = id,
                        Sequence = i + 1,
                        Kind = DealEventKind.Transition,
                        Timestamp = At(d, i),
                        Actor = "bench",
                        Trigger = history[i - 1].Trigger,
                        FromStage = Stage(d, i - 1, history),
                        ToStage = history[i - 1].To,
                    });
                }

                var last = list[^1];
                var stage = last.ToStage;
                var kind = registry.Get(B2BScenario.Pipeline.Id).GetStage(stage).Kind;
                batch.Add(new DealImport(
                    started.Deal with
                    {
                        StageId = stage,
                        PreviousStageId = list.Count > 1 ? last.FromStage : null,
                        Version = list.Count,
                        LastSequence = list.Count,
                        StageEnteredSequence = list.Count,
                        UpdatedAt = last.Timestamp,
                        StageEnteredAt = last.Timestamp,
                        LastActivityAt = last.Timestamp,
                        Amount = d % 11 == 0 ? null : 1_000m + (d % 977),
                        Outcome = kind,
                    },
                    list));
                events += list.Count;
                if (batch.Count == batch.Capacity)
                {
                    store.ImportAsync(batch).AsTask().GetAwaiter().GetResult();
                    batch.Clear();
                }
            }

            store.ImportAsync(batch).AsTask().GetAwaiter().GetResult();
        }

        using (var connection = new SqliteConnection($"Data Source={building};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;";
            command.ExecuteNonQuery();
        }

        File.Move(building, file);
        File.Delete(building + "-wal");
        File.Delete(building + "-shm");
        Console.WriteLine($"// SqliteReportBenchmarks: built {deals:N0} deals, {events:N0} events");
    }

    private void Open()
    {
        var pipeline = B2BScenario.Pipeline;
        var registry = new PipelineRegistry(pipeline);
        var deals = Deals;
        var file = FilePath(deals);
        if (!File.Exists(file))
        {
            Build(file, deals, registry);
        }

        _pipelineId = pipeline.Id;
        _request = new ReportRequest(pipeline.Id, new ReportWindow(Base.AddDays(180), Base.AddDays(545)));
        _store = new SqliteDealStore(registry, new SqliteDealStoreOptions { DataSource = file, TimeProvider = Clock });
        _store.EnsureSchemaAsync().AsTask().GetAwaiter().GetResult();
        _sql = _store.Reports(Clock);
        _connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        _connection.Open();

        var ordered = pipeline.Stages.Select((s, i) => (Stage: s, Index: i)).OrderBy(x => x.Stage.Order).ThenBy(x => x.Index).Select(x => x.Stage).ToList();
        _bars = [.. ordered.Where(s => s.Kind is StageKind.Open or StageKind.Won).Select(s => s.Id)];
        _openStages = [.. ordered.Where(s => s.Kind == StageKind.Open).Select(s => s.Id)];
        _wonStages = Quoted(pipeline.Stages.Where(s => s.Kind == StageKind.Won));
        _lostStages = Quoted(pipeline.Stages.Where(s => s.Kind == StageKind.Lost));
        _closedStages = Quoted(pipeline.Stages.Where(s => s.Kind == StageKind.Closed));

        static string Quoted(IEnumerable<StageDefinition> stages) => string.Join(", ", stages.Select(s => "'" + s.Id + "'").DefaultIfEmpty("''"));
    }

    // The moves of the pipeline's deals: starts, and transitions to another stage (a transition to the same stage is an
    // internal action; this pipeline has no re-entries). Columns: deal_id, sequence, kind, at, to_stage.
    private string Moves() =>
        "SELECT e.deal_id, e.sequence, e.kind, e.occurred_at AS at, e.to_stage FROM salesflow_deal_events e " +
        "JOIN salesflow_deals d ON d.tenant_id = e.tenant_id AND d.id = e.deal_id WHERE e.tenant_id = $tenant AND d.pipeline_id = $pipeline " +
        "AND (e.kind = 'Started' OR (e.kind = 'Transition' AND e.from_stage <> e.to_stage))";

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$tenant", Tenants.Default);
        command.Parameters.AddWithValue("$pipeline", _pipelineId);
        command.Parameters.AddWithValue("$from", _request.Window.From.UtcTicks);
        command.Parameters.AddWithValue("$to", _request.Window.To.UtcTicks);
        command.Parameters.AddWithValue("$now", Now.UtcTicks);
        return command;
    }

    // The cohort (deals started in the window), then per bar the deals that touched it and every bar before it.
    private int[] HandFunnel()
    {
        var touched = string.Join(", ", _bars.Select((b, i) => $"MAX(e.to_stage = '{b}') AS b{i}"));
        var strict = string.Join(", ", _bars.Select((_, i) => "SUM(" + string.Join(" AND ", Enumerable.Range(0, i + 1).Select(j => "b" + j)) + ")"));
        using var command = Command(
            "WITH cohort AS (SELECT e.deal_id FROM salesflow_deal_events e JOIN salesflow_deals d ON d.tenant_id = e.tenant_id AND d.id = e.deal_id " +
            "WHERE e.tenant_id = $tenant AND d.pipeline_id = $pipeline AND e.kind = 'Started' AND e.occurred_at >= $from AND e.occurred_at < $to), " +
            $"touched AS (SELECT {touched} FROM cohort c JOIN salesflow_deal_events e ON e.tenant_id = $tenant AND e.deal_id = c.deal_id GROUP BY c.deal_id) " +
            $"SELECT COUNT(*), {strict} FROM touched");
        using var reader = command.ExecuteReader();
        reader.Read();
        return [.. Enumerable.Range(0, _bars.Length + 1).Select(i => reader.IsDBNull(i) ? 0 : (int)reader.GetInt64(i))];
    }

    // Stays (a move to the next move): those that ended in the window per deal and stage (the latest, the sum), the
    // current ones, and the entries in the window per stage.
    private List<StageTimes> HandTimeInStage()
    {
        using var command = Command(
            $"WITH stays AS (SELECT deal_id, sequence, to_stage, at, LEAD(at) OVER (PARTITION BY deal_id ORDER BY sequence) AS next_at FROM ({Moves()})) " +
            "SELECT 1, to_stage, MAX(CASE WHEN rn = 1 THEN next_at - at END), SUM(next_at - at) FROM (" +
            "SELECT deal_id, to_stage, at, next_at, ROW_NUMBER() OVER (PARTITION BY deal_id, to_stage ORDER BY sequence DESC) AS rn FROM stays " +
            "WHERE next_at >= $from AND next_at < $to) GROUP BY deal_id, to_stage " +
            "UNION ALL SELECT 2, to_stage, $now - at, 0 FROM stays WHERE next_at IS NULL " +
            "UNION ALL SELECT 3, to_stage, COUNT(*), 0 FROM stays WHERE at >= $from AND at < $to GROUP BY to_stage");
        var latest = _openStages.ToDictionary(s => s, _ => new List<TimeSpan>());
        var cumulative = _openStages.ToDictionary(s => s, _ => new List<TimeSpan>());
        var current = _openStages.ToDictionary(s => s, _ => new List<TimeSpan>());
        var entries = _openStages.ToDictionary(s => s, _ => 0);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var stage = reader.GetString(1);
                if (!entries.ContainsKey(stage))
                {
                    continue;
                }

                switch (reader.GetInt64(0))
                {
                    case 1:
                        latest[stage].Add(TimeSpan.FromTicks(reader.GetInt64(2)));
                        cumulative[stage].Add(TimeSpan.FromTicks(reader.GetInt64(3)));
                        break;
                    case 2:
                        current[stage].Add(TimeSpan.FromTicks(reader.GetInt64(2)));
                        break;
                    default:
                        entries[stage] += (int)reader.GetInt64(2);
                        break;
                }
            }
        }

        var pipeline = B2BScenario.Pipeline;
        return [.. _openStages.Select(s => new StageTimes(s, pipeline.GetStage(s).Name, entries[s], DurationStats.Of(latest[s]), DurationStats.Of(cumulative[s]), DurationStats.Of(current[s])))];
    }

    // Per deal: its current outcome (the kind of its last move's stage), when it reached it (the last move that changed
    // the kind), its start; the closed deals of the window with their amounts, and the number of open deals.
    private HandOutcome HandOutcomes()
    {
        var kind = $"CASE WHEN to_stage IN ({_wonStages}) THEN 1 WHEN to_stage IN ({_lostStages}) THEN 2 WHEN to_stage IN ({_closedStages}) THEN 3 ELSE 0 END";
        using var command = Command(
            $"WITH k AS (SELECT deal_id, sequence, kind, at, {kind} AS ok FROM ({Moves()})), " +
            "c AS (SELECT deal_id, kind, at, ok, " +
            "CASE WHEN ok IS NOT LAG(ok) OVER (PARTITION BY deal_id ORDER BY sequence) THEN 1 ELSE 0 END AS changed, " +
            "ROW_NUMBER() OVER (PARTITION BY deal_id ORDER BY sequence DESC) AS rn FROM k), " +
            "per AS (SELECT deal_id, MAX(CASE WHEN rn = 1 THEN ok END) AS ok, MAX(CASE WHEN changed = 1 THEN at END) AS closed_at, " +
            "MAX(CASE WHEN kind = 'Started' THEN at END) AS start_at FROM c GROUP BY deal_id) " +
            // per first, then each deal by its key: CROSS JOIN keeps SQLite to that order (left to choose, it scans per for
            // every deal of the tenant).
            "SELECT p.ok, p.start_at, p.closed_at, d.amount FROM per p CROSS JOIN salesflow_deals d " +
            "WHERE d.tenant_id = $tenant AND d.id = p.deal_id AND p.ok <> 0 AND p.closed_at >= $from AND p.closed_at < $to " +
            "UNION ALL SELECT 0, COUNT(*), 0, NULL FROM per WHERE ok = 0");
        var result = new HandOutcome();
        var wonCycles = new List<TimeSpan>();
        var lostCycles = new List<TimeSpan>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var ok = reader.GetInt64(0);
                var cycle = reader.IsDBNull(1) ? (TimeSpan?)null : TimeSpan.FromTicks(reader.GetInt64(2) - reader.GetInt64(1));
                switch (ok)
                {
                    case 0:
                        result.Open = (int)reader.GetInt64(1);
                        break;
                    case 1:
                        result.Won++;
                        if (cycle is { } w)
                        {
                            wonCycles.Add(w);
                        }

                        if (reader.IsDBNull(3))
                        {
                            result.WonWithoutAmount++;
                        }
                        else
                        {
                            result.WonValue += decimal.Parse(reader.GetString(3), NumberStyles.Number, CultureInfo.InvariantCulture);
                        }

                        break;
                    case 2:
                        result.Lost++;
                        if (cycle is { } l)
                        {
                            lostCycles.Add(l);
                        }

                        break;
                    default:
                        result.Closed++;
                        break;
                }
            }
        }

        result.WonCycle = DurationStats.Of(wonCycles);
        result.LostCycle = DurationStats.Of(lostCycles);
        return result;
    }

    private sealed class HandOutcome
    {
        public int Won { get; set; }

        public int Lost { get; set; }

        public int Closed { get; set; }

        public int Open { get; set; }

        public decimal WonValue { get; set; }

        public int WonWithoutAmount { get; set; }

        public DurationStats WonCycle { get; set; } = DurationStats.Empty;

        public DurationStats LostCycle { get; set; } = DurationStats.Empty;
    }

    /// <summary>A clock fixed at the benchmark's "now", so the current stays are the same for both queries.</summary>
    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
