using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Sqlite;

namespace SalesFlow.Benchmarks;

/// <summary>
/// One move persisted to SQLite. Each operation takes one fresh deal through the six moves of the B2B
/// happy path (results per move). The baseline is what a hand-written implementation would run for the
/// same move: in one transaction, update the deal row with a version check and insert the event row —
/// against the same schema, in a file with the same settings (WAL, synchronous NORMAL, busy timeout),
/// opening a pooled connection per move as request code does.
/// </summary>
[MemoryDiagnoser]
[GcServer(false)] // Stated so the server GC the project sets for the throughput harness never reaches the benchmarks.
[GcConcurrent(true)]
[InvocationCount(InvocationsPerIteration, 1)]
public class SqliteMoveBenchmarks
{
    private const int InvocationsPerIteration = 256;
    private const int MovesPerOperation = 6;

    private readonly FireRequest _fire = new("bench");
    private string _directory = "";
    private SqliteDealStore _store = null!;
    private SqliteDealStore _rawSchemaStore = null!;
    private SalesFlowEngine _engine = null!;
    private string _rawConnectionString = "";
    private string[] _ids = [];
    private int _iteration;
    private int _next;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _directory = Directory.CreateTempSubdirectory("salesflow-bench-").FullName;
        var registry = new PipelineRegistry(B2BScenario.Pipeline);
        _store = new SqliteDealStore(registry, new SqliteDealStoreOptions { DataSource = Path.Combine(_directory, "salesflow.db") });
        _engine = new SalesFlowEngine(registry, _store);

        // The raw file gets the very same schema from the store, then is used with plain ADO.NET only.
        var rawPath = Path.Combine(_directory, "raw.db");
        _rawSchemaStore = new SqliteDealStore(registry, new SqliteDealStoreOptions { DataSource = rawPath });
        _rawSchemaStore.EnsureSchemaAsync().AsTask().GetAwaiter().GetResult();
        _rawConnectionString = new SqliteConnectionStringBuilder { DataSource = rawPath, DefaultTimeout = 30, Pooling = true }.ToString();
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _store.Dispose();
        _rawSchemaStore.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [IterationSetup(Target = nameof(SalesFlowSqliteMove))]
    public void FreshSalesFlowDeals() => ImportFreshDeals(_store);

    [IterationSetup(Target = nameof(RawAdoNetMove))]
    public void FreshRawDeals() => ImportFreshDeals(_rawSchemaStore);

    [Benchmark(Baseline = true, OperationsPerInvoke = MovesPerOperation, Description = "Raw ADO.NET: UPDATE with version check + INSERT event, one transaction")]
    public long RawAdoNetMove()
    {
        var id = _ids[_next++];
        var version = 1L;
        var from = B2BStages.Prospecting;
        foreach (var (to, trigger) in B2BScenario.StagePath)
        {
            using var connection = new SqliteConnection(_rawConnectionString);
            connection.Open();
            using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA synchronous = NORMAL;";
                pragma.ExecuteNonQuery();
            }

            using var transaction = connection.BeginTransaction(deferred: false);
            var now = DateTimeOffset.UtcNow.UtcTicks;
            using (var update = connection.CreateCommand())
            {
                update.Transaction = transaction;
                update.CommandText =
                    "UPDATE salesflow_deals SET stage_id = $to, previous_stage_id = $from, version = $version, last_sequence = $version, " +
                    "updated_at = $now, stage_entered_at = $now, last_activity_at = $now WHERE tenant_id = 'default' AND id = $id AND version = $expected";
                update.Parameters.AddWithValue("$to", to);
                update.Parameters.AddWithValue("$from", from);
                update.Parameters.AddWithValue("$version", version + 1);
                update.Parameters.AddWithValue("$now", now);
                update.Parameters.AddWithValue("$id", id);
                update.Parameters.AddWithValue("$expected", version);
                if (update.ExecuteNonQuery() != 1)
                {
                    throw new InvalidOperationException("Stale version.");
                }
            }

            using (var insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText =
                    "INSERT INTO salesflow_deal_events (tenant_id, deal_id, sequence, kind, occurred_at, actor, trigger, from_stage, to_stage, payload) " +
                    "VALUES ('default', $id, $sequence, 'Transition', $now, 'bench', $trigger, $from, $to, '{}')";
                insert.Parameters.AddWithValue("$id", id);
                insert.Parameters.AddWithValue("$sequence", version + 1);
                insert.Parameters.AddWithValue("$now", now);
                insert.Parameters.AddWithValue("$trigger", trigger);
                insert.Parameters.AddWithValue("$from", from);
                insert.Parameters.AddWithValue("$to", to);
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
            version++;
            from = to;
        }

        return version;
    }

    [Benchmark(OperationsPerInvoke = MovesPerOperation, Description = "SalesFlow move, SQLite store")]
    public string SalesFlowSqliteMove() => B2BScenario.FireHappyPath(_engine, _ids[_next++], _fire);

    private void ImportFreshDeals(SqliteDealStore store)
    {
        _ids = B2BScenario.ImportFreshDeals(store, ++_iteration, InvocationsPerIteration);
        _next = 0;
    }
}
