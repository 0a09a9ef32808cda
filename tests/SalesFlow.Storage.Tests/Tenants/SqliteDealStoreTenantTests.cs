using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Relational;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests.Tenants;

/// <summary>
/// Tenants in one SQLite file: a version-4 file with data upgraded (everything becomes the default tenant's and reads back
/// the same), the plans of the tenant-scoped statements, and two tenants' writers racing on the same deal ids.
/// </summary>
public sealed partial class SqliteDealStoreTenantTests : IDisposable
{
    private readonly TemporarySqliteFile _file = new();
    private readonly TemporarySqliteFile _source = new();
    private readonly List<SqliteDealStore> _stores = [];

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        SqliteConnection.ClearAllPools();
        _file.Dispose();
        _source.Dispose();
    }

    [Fact]
    public async Task EnsureSchemaAsync_VersionFourFileWithData_BecomesTheDefaultTenantsAndOtherTenantsReuseItsIds()
    {
        var writer = Open(_source.Path);
        await TenantStoreChecks.WriteHistoryAsync(writer, writer);
        var before = await TenantStoreChecks.ReadAsync(writer, writer, expectedEvents: 13);
        before.Feed.Should().HaveCount(13);
        await BuildVersionFourAsync(from: _source.Path, to: _file.Path);
        (await ScalarAsync("SELECT max(version) FROM salesflow_schema_version")).Should().Be(4L);
        (await ScalarAsync("SELECT count(*) FROM salesflow_deal_events WHERE idempotency_key IS NOT NULL")).Should().Be(10L, "the version-4 file holds keyed events");

        var upgraded = Open(_file.Path);
        await upgraded.EnsureSchemaAsync();

        (await ScalarAsync("SELECT max(version) FROM salesflow_schema_version")).Should().Be((long)SqliteDealStore.SchemaVersion);
        SqliteDealStore.SchemaVersion.Should().Be(5);
        (await ScalarAsync("SELECT count(*) FROM salesflow_deal_events WHERE tenant_id = 'default'")).Should().Be(13L);
        (await ScalarAsync("SELECT count(*) FROM salesflow_feed_handlers WHERE tenant_id = 'default' AND lease_owner = 'worker-1'")).Should().Be(1L);
        await CheckFileAsync();

        await TenantStoreChecks.CheckUpgradedAsync(upgraded, before);

        (await ScalarAsync("SELECT count(DISTINCT tenant_id) FROM salesflow_deals")).Should().Be(2L);
        await CheckFileAsync();
    }

    [Fact]
    public async Task EnsureSchemaAsync_VersionFourFileWithAHostsView_TheViewStillReadsTheDeals()
    {
        var writer = Open(_source.Path);
        await TenantStoreChecks.WriteHistoryAsync(writer, writer);
        await BuildVersionFourAsync(from: _source.Path, to: _file.Path);
        await using (var connection = new SqliteConnection($"Data Source={_file.Path};Pooling=False"))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, "CREATE VIEW host_open_deals AS SELECT id, owner FROM salesflow_deals WHERE outcome = 'Open'");
        }

        await Open(_file.Path).EnsureSchemaAsync();

        (await ScalarAsync("SELECT sql FROM sqlite_schema WHERE name = 'host_open_deals'")).Should().Be(
            "CREATE VIEW host_open_deals AS SELECT id, owner FROM salesflow_deals WHERE outcome = 'Open'", "the table rebuild leaves a host's view on the deals alone");
        (await ScalarAsync("SELECT count(*) FROM host_open_deals")).Should().Be(4L, "u1, u2, u4 and the imported deal are open");
        await CheckFileAsync();
    }

    [Fact]
    public Task ForTenant_UnpairedSurrogateRefusedAndIdsDifferingInCaseOrAccentsOrEmoji_AreSeparateTenants() =>
        TenantStoreChecks.CheckTenantIdsAsync(Open(_file.Path));

    [Fact]
    public async Task ReadFeed_TenantScoped_UsesTheFeedIndexAndTheDealsKeyWithoutSorting()
    {
        var plan = await ExplainAsync(SqliteStatement.ReadFeed.Sql);

        plan.Should().Contain("SEARCH e USING INDEX ix_salesflow_deal_events_feed (tenant_id=? AND position>?)")
            .And.Contain("SEARCH d USING INDEX sqlite_autoindex_salesflow_deals_1 (tenant_id=? AND id=?)")
            .And.NotContain("TEMP B-TREE").And.NotContain("SCAN");
    }

    [Fact]
    public async Task DealStatements_TenantScoped_UseTheTenantFirstKeys()
    {
        (await ExplainAsync(SqliteStatement.SelectDeal.Sql)).Should().Be("SEARCH salesflow_deals USING INDEX sqlite_autoindex_salesflow_deals_1 (tenant_id=? AND id=?)");
        (await ExplainAsync(SqliteStatement.UpdateDeal.Sql)).Should().Be("SEARCH salesflow_deals USING INDEX sqlite_autoindex_salesflow_deals_1 (tenant_id=? AND id=?)");
        (await ExplainAsync(SqliteStatement.SelectEvents.Sql))
            .Should().Be("SEARCH salesflow_deal_events USING INDEX sqlite_autoindex_salesflow_deal_events_1 (tenant_id=? AND deal_id=? AND sequence>?)");
        (await ExplainAsync(SqliteStatement.SelectEventByKey.Sql))
            .Should().Be("SEARCH salesflow_deal_events USING INDEX ux_salesflow_deal_events_idempotency_key (tenant_id=? AND deal_id=? AND idempotency_key=?)");
    }

    [Fact]
    public async Task FeedHandlerStatements_TenantScoped_UseTheHandlersKey()
    {
        var handlers = new FeedHandlerTable(SqliteDialect.Instance, "salesflow_feed_handlers");
        const string ByKey = "SEARCH salesflow_feed_handlers USING INDEX sqlite_autoindex_salesflow_feed_handlers_1 (tenant_id=? AND name=?)";

        (await ExplainAsync(handlers.ReadCheckpoint)).Should().Be(ByKey);
        (await ExplainAsync(handlers.SaveCheckpoint)).Should().Be(ByKey);
        (await ExplainAsync(handlers.Release)).Should().Be(ByKey);
    }

    [Fact]
    public async Task TrySaveAsync_TwoTenantsOneWriterPerDealOnTheSameIds_NoSaveIsRefused()
    {
        var host = Open(_file.Path);
        string[] ids = ["d0", "d1", "d2", "d3", "d4", "d5"];
        await TenantStoreChecks.CreateDealsAsync(host, ids);

        var refused = await TenantStoreChecks.RaceOneWriterPerDealAsync(host.ForTenant, ids, savesPerDeal: 25);

        refused.Should().Be(0, "a writer that knows its deal's version is refused only because of another tenant's writes");
        var retries = await TenantStoreChecks.RaceEnginesOneWriterPerDealAsync(new SalesFlowEngine(ContractPipeline.Registry(), host), ids, firesPerDeal: 10);
        retries.Should().Be(0, "an engine that alone moves its deal retries only because of another tenant's writes");
        await TenantStoreChecks.CheckTenantsAsync(host.ForTenant, ids, (_, _) => 25 + 10);
        (await host.GetAsync("d0")).Should().BeNull("the host's own tenant has none of them");
    }

    [Fact]
    public async Task TrySaveAsync_TwoTenantsManyWritersOnTheSameIds_GaplessAndStageEqualsReplayPerTenant()
    {
        var host = Open(_file.Path);
        var second = Open(_file.Path);
        string[] ids = ["d0", "d1", "d2"];
        await TenantStoreChecks.CreateDealsAsync(host, ids);

        // Half the writers go through another store object on the file, as another process's would.
        var writers = 0;
        var saved = await TenantStoreChecks.RaceManyWritersAsync(t => Interlocked.Increment(ref writers) % 2 == 0 ? host.ForTenant(t) : second.ForTenant(t), ids, writersPerTenant: 4, savesPerWriter: 20);

        saved.Values.Sum().Should().Be(2 * 4 * 20);
        await TenantStoreChecks.CheckTenantsAsync(host.ForTenant, ids, (t, id) => saved.GetValueOrDefault((t, id)));
        await CheckFileAsync();
    }

    // A version-4 file: the first four migrations, then the rows of a file the store wrote (all the default tenant's),
    // copied column by column into the tables as version 4 had them; events keep their positions.
    private static async Task BuildVersionFourAsync(string from, string to)
    {
        SqliteConnection.ClearAllPools();
        await using var connection = new SqliteConnection($"Data Source={to};Pooling=False");
        await connection.OpenAsync();
        await ExecuteAsync(
            connection,
            string.Join(";\n", SqliteSchema.Migrations.Take(4)) + ";\n" +
            "CREATE TABLE salesflow_schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL);" +
            "INSERT INTO salesflow_schema_version VALUES (1, 'then'), (2, 'then'), (3, 'then'), (4, 'then');" +
            $"ATTACH DATABASE '{from}' AS source;");
        foreach (var (table, order) in new[] { ("salesflow_deals", "id"), ("salesflow_deal_events", "position"), ("salesflow_feed_handlers", "name") })
        {
            var columns = new List<string>();
            await using (var info = connection.CreateCommand())
            {
                info.CommandText = $"SELECT name FROM pragma_table_info('{table}', 'main') ORDER BY cid";
                await using var reader = await info.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    columns.Add(reader.GetString(0));
                }
            }

            columns.Should().NotContain("tenant_id");
            var list = string.Join(", ", columns);
            await ExecuteAsync(connection, $"INSERT INTO main.{table} ({list}) SELECT {list} FROM source.{table} WHERE tenant_id = 'default' ORDER BY {order}");
        }

        await ExecuteAsync(connection, "DETACH DATABASE source");
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task CheckFileAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={_file.Path};Pooling=False");
        await connection.OpenAsync();
        await using var integrity = connection.CreateCommand();
        integrity.CommandText = "PRAGMA integrity_check";
        (await integrity.ExecuteScalarAsync()).Should().Be("ok");
        await using var foreignKeys = connection.CreateCommand();
        foreignKeys.CommandText = "PRAGMA foreign_key_check";
        await using var reader = await foreignKeys.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeFalse("no row breaks a foreign key");
    }

    // The plan of one of the store's statements on a current schema, its details joined by " | ".
    private async Task<string> ExplainAsync(string sql)
    {
        await Open(_file.Path).EnsureSchemaAsync();
        await using var connection = new SqliteConnection($"Data Source={_file.Path};Pooling=False");
        await connection.OpenAsync();
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in ParameterPattern().Matches(sql).Select(m => m.Value).Distinct(StringComparer.Ordinal))
        {
            explain.Parameters.AddWithValue(name, name is "$after" or "$limit" or "$expected_version" or "$previous_sequence" ? 1 : "x");
        }

        var details = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            details.Add(reader.GetString(3));
        }

        return string.Join(" | ", details);
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_file.Path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private SqliteDealStore Open(string path)
    {
        var store = new SqliteDealStore(ContractPipeline.Registry(), new SqliteDealStoreOptions { DataSource = path });
        _stores.Add(store);
        return store;
    }

    [GeneratedRegex(@"\$[a-z_]+", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterPattern();
}
