using Npgsql;
using SalesFlow.PostgreSql;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing.CrmExports;

namespace SalesFlow.Storage.Tests.Import;

/// <summary>CrmImporter into PostgreSQL (binary COPY per batch), checked with SQL over the store's tables.</summary>
[Collection(PostgresServerTests.Name)]
public sealed class CrmImporterPostgreSqlTests : CrmImportChecks, IAsyncLifetime
{
    private readonly List<PostgreSqlDealStore> _stores = [];
    private TemporaryPostgresSchema? _schema;

    private TemporaryPostgresSchema Schema => _schema ??= new TemporaryPostgresSchema();

    protected override string DealsTable => Schema.Name + ".deals";

    protected override string EventsTable => Schema.Name + ".deal_events";

    protected override string WonCentsSql => $"SELECT (SUM(amount) * 100)::bigint FROM {DealsTable} WHERE outcome = 'Won'";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }

    [PostgresFact]
    public Task ImportAsync_SnapshotExport_SqlFiguresMatchTheGroundTruth() =>
        ImportMatchesTheTruthAsync(new CrmExportGenerator(31).Snapshot(4000), CrmExportGenerator.SnapshotMapping, "import:salesforce");

    [PostgresFact]
    public Task ImportAsync_HistoryExport_SqlFiguresMatchTheGroundTruth() =>
        ImportMatchesTheTruthAsync(new CrmExportGenerator(32).History(4000), CrmExportGenerator.HistoryMapping, "import:pipedrive");

    [PostgresFact]
    public Task ImportAsync_SameExportTwice_SecondRunChangesNothing() =>
        SecondRunChangesNothingAsync(new CrmExportGenerator(33).History(1500), CrmExportGenerator.HistoryMapping);

    protected override async Task<IDealStore> OpenAsync()
    {
        var store = new PostgreSqlDealStore(Registry(), new PostgreSqlDealStoreOptions { ConnectionString = Schema.ConnectionString, Schema = Schema.Name });
        _stores.Add(store);
        await store.EnsureSchemaAsync();
        return store;
    }

    protected override async Task<List<object?[]>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Schema.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await ReadRowsAsync(command);
    }

    // timestamptz comes back as a UTC DateTime.
    protected override DateTimeOffset ToTime(object value) => new(DateTime.SpecifyKind((DateTime)value, DateTimeKind.Utc));
}
