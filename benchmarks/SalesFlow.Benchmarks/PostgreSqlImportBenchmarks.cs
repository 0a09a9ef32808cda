using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using Npgsql;
using NpgsqlTypes;
using SalesFlow.PostgreSql;
using SalesFlow.Storage.Relational;
using SalesFlow.Testing.CrmExports;

namespace SalesFlow.Benchmarks;

/// <summary>
/// Importing a CRM export into PostgreSQL (issue 11 §4): <see cref="CrmImporter"/> reading a generated snapshot export
/// (CSV parse, mapping, replay, the store's batched binary COPY) against a raw baseline that writes the very same rows —
/// read back from a schema the importer filled once — with the same batching: one transaction per 500 deals, one
/// binary COPY of their deal rows and one of their event rows, each value typed as the store types it. Per operation:
/// one whole export into a fresh schema (the store's tables, created by the store). The store is made in the iteration's
/// setup, where it creates its tables, so that an operation times the import alone, as in an application whose store
/// is running already; the baseline's tables are made there too. Divide the events of the export by the time for events
/// per second; the ratio is the same for both. Needs the server in <c>SALESFLOW_POSTGRES</c>; without it the class is
/// left out of the run.
/// </summary>
[MemoryDiagnoser]
[GcServer(false)]
[GcConcurrent(true)]
[InvocationCount(1, 1)]
[Config(typeof(RequiresPostgresConfig))]
public class PostgreSqlImportBenchmarks
{
    private const string Variable = "SALESFLOW_POSTGRES";
    private const int BatchSize = 500;

    private readonly string _prefix = "sf_bench_imp_" + Guid.NewGuid().ToString("N")[..12] + "_";
    private readonly List<string> _schemas = []; // the schemas still there: the template and the current operation's
    private int _schemasMade;
    private string _connectionString = "";
    private NpgsqlDataSource _raw = null!;
    private string _csv = "";
    private ImportMapping _mapping = null!;
    private PipelineDefinition _pipeline = null!;
    private PipelineRegistry _registry = null!;
    private readonly List<DealImport[]> _batches = [];
    private List<(string Id, object?[] Row)> _dealRows = [];
    private Dictionary<string, List<object?[]>> _eventRows = [];
    private NpgsqlDbType[] _dealTypes = [];
    private NpgsqlDbType[] _eventTypes = [];
    private string _schema = "";
    private PostgreSqlDealStore _store = null!; // the current operation's, made with its schema in the iteration's setup

    /// <summary>Gets or sets the number of deals in the export: a few thousand, and five times as many, whose rate is taken
    /// over a run of about a second instead of a fifth of one.</summary>
    [Params(4_000, 20_000)]
    public int Deals { get; set; } = 4_000;

    /// <summary>Gets the number of events one operation writes (printed in the setup, for events per second).</summary>
    public long Events { get; private set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _connectionString = Environment.GetEnvironmentVariable(Variable)
            ?? throw new InvalidOperationException($"{Variable} is not set; the run should have left this class out.");
        _raw = NpgsqlDataSource.Create(_connectionString);
        _pipeline = PipelineJson.Parse(CrmExportGenerator.PipelineJson, new PipelineComponents());
        _registry = new PipelineRegistry(_pipeline);
        _mapping = ImportMapping.Parse(CrmExportGenerator.SnapshotMapping);
        _csv = new CrmExportGenerator(seed: 3).Snapshot(Deals).Csv;
        _dealTypes = [.. DealColumns.All.Select(c => TypeOf(c.Kind))];
        _eventTypes = [.. EventColumns.All.Select(c => TypeOf(c.Kind))];

        // The batches the importer hands the store, kept for the store-only row.
        new CrmImporter(new CapturingStore(_batches), _pipeline, _mapping, new CrmImportOptions { BatchSize = BatchSize }).ImportAsync(new StringReader(_csv)).AsTask().GetAwaiter().GetResult();

        // The rows the importer writes, read back once: the baseline writes exactly these.
        var template = NewSchema();
        using (var store = Store(template))
        {
            new CrmImporter(store, _pipeline, _mapping, new CrmImportOptions { BatchSize = BatchSize }).ImportAsync(new StringReader(_csv)).AsTask().GetAwaiter().GetResult();
        }

        var deals = ReadAll($"SELECT {DealColumns.List} FROM \"{template}\".deals ORDER BY id");
        var events = ReadAll($"SELECT {EventColumns.List} FROM \"{template}\".deal_events ORDER BY id");
        _dealRows = [.. deals.Select(r => ((string)r[0]!, r))];
        _eventRows = events.GroupBy(r => (string)r[0]!).ToDictionary(g => g.Key, g => g.ToList());
        Events = events.Count;
        Console.WriteLine($"// PostgreSqlImportBenchmarks: {_dealRows.Count} deals, {Events} events per operation");
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _store?.Dispose();
        foreach (var schema in _schemas)
        {
            using var drop = _raw.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            drop.ExecuteNonQuery();
        }

        _raw.Dispose();
    }

    [IterationSetup]
    public void FreshSchema()
    {
        _store?.Dispose();

        // The schema of the operation before goes first: a run of 100 operations of 20,000 deals would otherwise leave
        // 2 million deals behind it, and a database growing under the benchmark slows it down as it goes.
        if (_schema.Length > 0)
        {
            using var drop = _raw.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");
            drop.ExecuteNonQuery();
            _schemas.Remove(_schema);
        }

        _schema = NewSchema();
        _store = Store(_schema);
        _store.EnsureSchemaAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "Raw Npgsql: the same rows, binary COPY, one transaction per 500 deals")]
    public int RawCopy()
    {
        using var connection = _raw.OpenConnection();
        var written = 0;
        foreach (var batch in _dealRows.Chunk(BatchSize))
        {
            using var transaction = connection.BeginTransaction();
            using (var deals = connection.BeginBinaryImport($"COPY \"{_schema}\".deals ({DealColumns.List}) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var (_, row) in batch)
                {
                    Write(deals, row, _dealTypes);
                }

                deals.Complete();
            }

            using (var events = connection.BeginBinaryImport($"COPY \"{_schema}\".deal_events ({EventColumns.List}) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var (id, _) in batch)
                {
                    foreach (var row in _eventRows[id])
                    {
                        Write(events, row, _eventTypes);
                        written++;
                    }
                }

                events.Complete();
            }

            transaction.Commit();
        }

        return written;
    }

    [Benchmark(Description = "SalesFlow CrmImporter: CSV export, mapping, replay, PostgreSqlDealStore import")]
    public int SalesFlowImport()
    {
        var result = new CrmImporter(_store, _pipeline, _mapping, new CrmImportOptions { BatchSize = BatchSize }).ImportAsync(new StringReader(_csv)).AsTask().GetAwaiter().GetResult();
        return (int)result.EventsImported;
    }

    [Benchmark(Description = "PostgreSqlDealStore.ImportAsync alone: the importer's batches, made beforehand")]
    public int StoreImport()
    {
        var written = 0;
        foreach (var batch in _batches)
        {
            _store.ImportAsync(batch).AsTask().GetAwaiter().GetResult();
            written += batch.Sum(b => b.Events.Count);
        }

        return written;
    }

    // The types the store gives its columns (PostgreSqlDialect is internal to the store's package).
    private static NpgsqlDbType TypeOf(StoredValueKind kind) => kind switch
    {
        StoredValueKind.Text => NpgsqlDbType.Text,
        StoredValueKind.SmallNumber => NpgsqlDbType.Integer,
        StoredValueKind.Number => NpgsqlDbType.Bigint,
        StoredValueKind.Time => NpgsqlDbType.TimestampTz,
        StoredValueKind.Amount => NpgsqlDbType.Numeric,
        StoredValueKind.Checklist => NpgsqlDbType.Array | NpgsqlDbType.Text,
        StoredValueKind.Json => NpgsqlDbType.Jsonb,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown stored value kind."),
    };

    private static void Write(NpgsqlBinaryImporter importer, object?[] row, NpgsqlDbType[] types)
    {
        importer.StartRow();
        for (var i = 0; i < row.Length; i++)
        {
            if (row[i] is { } value)
            {
                importer.Write(value, types[i]);
            }
            else
            {
                importer.WriteNull();
            }
        }
    }

    private string NewSchema()
    {
        var schema = _prefix + _schemasMade++;
        _schemas.Add(schema);
        return schema;
    }

    // On the baseline's data source: both open their connections from the same warm pool.
    private PostgreSqlDealStore Store(string schema) =>
        new(_registry, new PostgreSqlDealStoreOptions { DataSource = _raw, Schema = schema });

    private List<object?[]> ReadAll(string sql)
    {
        using var command = _raw.CreateCommand(sql);
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Leaves the class out of a run when no PostgreSQL server is configured, saying so.</summary>
    private sealed class RequiresPostgresConfig : ManualConfig
    {
        private static readonly Lazy<bool> Available = new(() =>
        {
            var available = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable));
            if (!available)
            {
                Console.WriteLine($"// PostgreSqlImportBenchmarks skipped: set {Variable} to an Npgsql connection string to run them.");
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
