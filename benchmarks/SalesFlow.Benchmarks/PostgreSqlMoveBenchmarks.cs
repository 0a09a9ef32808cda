using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using Npgsql;
using SalesFlow.Pipelines.B2B;
using SalesFlow.PostgreSql;

namespace SalesFlow.Benchmarks;

/// <summary>
/// One move persisted to PostgreSQL. Each operation takes one fresh deal through the six moves of the B2B
/// happy path (results per move). The baseline is what a hand-written implementation would run for the
/// same move: in one transaction, update the deal row with a version check and insert the event row —
/// against the same schema (created by the store in a schema of its own), on a pooled connection per move
/// from an <see cref="NpgsqlDataSource"/>, as request code does. Needs the server in <c>SALESFLOW_POSTGRES</c>;
/// without it the class is left out of the run.
/// </summary>
[MemoryDiagnoser]
[GcServer(false)] // Stated so the server GC the project sets for the throughput harness never reaches the benchmarks.
[GcConcurrent(true)]
[InvocationCount(InvocationsPerIteration, 1)]
[Config(typeof(RequiresPostgresConfig))]
public class PostgreSqlMoveBenchmarks
{
    private const string Variable = "SALESFLOW_POSTGRES";
    private const int InvocationsPerIteration = 64;
    private const int MovesPerOperation = 6;

    private readonly FireRequest _fire = new("bench");
    private readonly string _schema = "sf_bench_" + Guid.NewGuid().ToString("N");
    private readonly string _rawSchema = "sf_bench_raw_" + Guid.NewGuid().ToString("N");
    private string _connectionString = "";
    private PostgreSqlDealStore _store = null!;
    private PostgreSqlDealStore _rawSchemaStore = null!;
    private NpgsqlDataSource _raw = null!;
    private SalesFlowEngine _engine = null!;
    private string _update = "";
    private string _insert = "";
    private string[] _ids = [];
    private int _iteration;
    private int _next;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _connectionString = Environment.GetEnvironmentVariable(Variable)
            ?? throw new InvalidOperationException($"{Variable} is not set; the run should have left this class out.");
        var registry = new PipelineRegistry(B2BScenario.Pipeline);
        _store = new PostgreSqlDealStore(registry, new PostgreSqlDealStoreOptions { ConnectionString = _connectionString, Schema = _schema });
        _engine = new SalesFlowEngine(registry, _store);

        // The raw schema gets the very same tables from the store, then is used with plain Npgsql only.
        _rawSchemaStore = new PostgreSqlDealStore(registry, new PostgreSqlDealStoreOptions { ConnectionString = _connectionString, Schema = _rawSchema });
        _rawSchemaStore.EnsureSchemaAsync().AsTask().GetAwaiter().GetResult();
        _raw = NpgsqlDataSource.Create(_connectionString);
        _update =
            $"UPDATE \"{_rawSchema}\".deals SET stage_id = @to, previous_stage_id = @from, version = @version, last_sequence = @version, " +
            "updated_at = @now, stage_entered_at = @now, last_activity_at = @now WHERE tenant_id = 'default' AND id = @id AND version = @expected";
        _insert =
            $"INSERT INTO \"{_rawSchema}\".deal_events (tenant_id, deal_id, sequence, kind, occurred_at, actor, trigger, from_stage, to_stage, payload) " +
            "VALUES ('default', @id, @sequence, 'Transition', @now, 'bench', @trigger, @from, @to, '{}')";
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _store.Dispose();
        _rawSchemaStore.Dispose();
        using (var drop = _raw.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE; DROP SCHEMA IF EXISTS \"{_rawSchema}\" CASCADE"))
        {
            drop.ExecuteNonQuery();
        }

        _raw.Dispose();
    }

    [IterationSetup(Target = nameof(SalesFlowPostgreSqlMove))]
    public void FreshSalesFlowDeals() => ImportFreshDeals(_store);

    [IterationSetup(Target = nameof(RawNpgsqlMove))]
    public void FreshRawDeals() => ImportFreshDeals(_rawSchemaStore);

    [Benchmark(Baseline = true, OperationsPerInvoke = MovesPerOperation, Description = "Raw Npgsql: UPDATE with version check + INSERT event, one transaction")]
    public long RawNpgsqlMove()
    {
        var id = _ids[_next++];
        var version = 1L;
        var from = B2BStages.Prospecting;
        foreach (var (to, trigger) in B2BScenario.StagePath)
        {
            using var connection = _raw.OpenConnection();
            using var transaction = connection.BeginTransaction();
            var now = DateTime.UtcNow;
            using (var update = new NpgsqlCommand(_update, connection, transaction))
            {
                update.Parameters.AddWithValue("to", to);
                update.Parameters.AddWithValue("from", from);
                update.Parameters.AddWithValue("version", version + 1);
                update.Parameters.AddWithValue("now", now);
                update.Parameters.AddWithValue("id", id);
                update.Parameters.AddWithValue("expected", version);
                if (update.ExecuteNonQuery() != 1)
                {
                    throw new InvalidOperationException("Stale version.");
                }
            }

            using (var insert = new NpgsqlCommand(_insert, connection, transaction))
            {
                insert.Parameters.AddWithValue("id", id);
                insert.Parameters.AddWithValue("sequence", version + 1);
                insert.Parameters.AddWithValue("now", now);
                insert.Parameters.AddWithValue("trigger", trigger);
                insert.Parameters.AddWithValue("from", from);
                insert.Parameters.AddWithValue("to", to);
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
            version++;
            from = to;
        }

        return version;
    }

    [Benchmark(OperationsPerInvoke = MovesPerOperation, Description = "SalesFlow move, PostgreSQL store")]
    public string SalesFlowPostgreSqlMove() => B2BScenario.FireHappyPath(_engine, _ids[_next++], _fire);

    private void ImportFreshDeals(PostgreSqlDealStore store)
    {
        _ids = B2BScenario.ImportFreshDeals(store, ++_iteration, InvocationsPerIteration);
        _next = 0;
    }

    /// <summary>Leaves the class out of a run when no PostgreSQL server is configured, saying so.</summary>
    private sealed class RequiresPostgresConfig : ManualConfig
    {
        private static readonly Lazy<bool> Available = new(() =>
        {
            var available = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable));
            if (!available)
            {
                Console.WriteLine($"// PostgreSqlMoveBenchmarks skipped: set {Variable} to an Npgsql connection string to run them.");
            }

            return available;
        });

        public RequiresPostgresConfig()
        {
            if (!Available.Value)
            {
                AddFilter(new SimpleFilter(_ => false));
            }
        }
    }
}
