using System.Globalization;
using Microsoft.Data.Sqlite;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing.CrmExports;

namespace SalesFlow.Storage.Tests.Import;

/// <summary>CrmImporter into SQLite (one transaction per batch), checked with SQL over the store's tables.</summary>
public sealed class CrmImporterSqliteTests : CrmImportChecks, IDisposable
{
    private readonly TemporarySqliteFile _file = new();
    private readonly List<SqliteDealStore> _stores = [];

    protected override string DealsTable => "salesflow_deals";

    protected override string EventsTable => "salesflow_deal_events";

    // Amounts are stored as decimal text; two decimals, so cents are exact integers.
    protected override string WonCentsSql => "SELECT SUM(CAST(ROUND(CAST(amount AS REAL) * 100) AS INTEGER)) FROM salesflow_deals WHERE outcome = 'Won'";

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        SqliteConnection.ClearAllPools();
        _file.Dispose();
    }

    [Fact]
    public Task ImportAsync_SnapshotExport_SqlFiguresMatchTheGroundTruth() =>
        ImportMatchesTheTruthAsync(new CrmExportGenerator(21).Snapshot(4000), CrmExportGenerator.SnapshotMapping, "import:salesforce");

    [Fact]
    public Task ImportAsync_HistoryExport_SqlFiguresMatchTheGroundTruth() =>
        ImportMatchesTheTruthAsync(new CrmExportGenerator(22).History(4000), CrmExportGenerator.HistoryMapping, "import:pipedrive");

    [Fact]
    public Task ImportAsync_SameExportTwice_SecondRunChangesNothing() =>
        SecondRunChangesNothingAsync(new CrmExportGenerator(23).History(1500), CrmExportGenerator.HistoryMapping);

    protected override async Task<IDealStore> OpenAsync()
    {
        var store = new SqliteDealStore(Registry(), new SqliteDealStoreOptions { DataSource = _file.Path });
        _stores.Add(store);
        await store.EnsureSchemaAsync();
        return store;
    }

    protected override async Task<List<object?[]>> QueryAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_file.Path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await ReadRowsAsync(command);
    }

    // Timestamps are UTC ticks.
    protected override DateTimeOffset ToTime(object value) => new(Convert.ToInt64(value, CultureInfo.InvariantCulture), TimeSpan.Zero);
}
