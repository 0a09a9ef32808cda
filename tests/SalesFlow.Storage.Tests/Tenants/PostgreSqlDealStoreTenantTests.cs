using Npgsql;
using SalesFlow.PostgreSql;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests.Tenants;

/// <summary>
/// Tenants in one PostgreSQL schema: a version-4 schema with data upgraded (everything becomes the default tenant's and
/// reads back the same), the plans of the tenant-scoped statements, and two tenants' writers racing on the same deal ids.
/// </summary>
[Collection(PostgresServerTests.Name)]
public sealed class PostgreSqlDealStoreTenantTests : IAsyncLifetime
{
    private readonly List<PostgreSqlDealStore> _stores = [];
    private readonly List<TemporaryPostgresSchema> _schemas = [];
    private TemporaryPostgresSchema? _schema;

    private TemporaryPostgresSchema Schema => _schema ??= NewSchema();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        foreach (var schema in _schemas)
        {
            await schema.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task EnsureSchemaAsync_VersionFourSchemaWithData_BecomesTheDefaultTenantsAndOtherTenantsReuseItsIds()
    {
        var source = NewSchema();
        var writer = Open(source);
        await TenantStoreChecks.WriteHistoryAsync(writer, writer);
        var before = await TenantStoreChecks.ReadAsync(writer, writer, expectedEvents: 13);
        before.Feed.Should().HaveCount(13);
        await BuildVersionFourAsync(from: source, to: Schema);
        (await Schema.ScalarAsync($"SELECT max(version) FROM \"{Schema.Name}\".schema_version")).Should().Be(4);
        (await Schema.ScalarAsync($"SELECT count(*) FROM \"{Schema.Name}\".deal_events WHERE idempotency_key IS NOT NULL")).Should().Be(10L, "the version-4 schema holds keyed events");

        var upgraded = Open(Schema);
        await upgraded.EnsureSchemaAsync();

        (await Schema.ScalarAsync($"SELECT max(version) FROM \"{Schema.Name}\".schema_version")).Should().Be(PostgreSqlDealStore.SchemaVersion);
        PostgreSqlDealStore.SchemaVersion.Should().Be(5);
        (await Schema.ScalarAsync($"SELECT count(*) FROM \"{Schema.Name}\".deal_events WHERE tenant_id = 'default'")).Should().Be(13L);
        (await Schema.ScalarAsync($"SELECT count(*) FROM \"{Schema.Name}\".feed_handlers WHERE tenant_id = 'default' AND lease_owner = 'worker-1'")).Should().Be(1L);
        (await KeysAsync()).Should().BeEquivalentTo(
            "deals PRIMARY KEY (tenant_id, id)",
            "deal_events PRIMARY KEY (tenant_id, deal_id, sequence)",
            "deal_events FOREIGN KEY (tenant_id, deal_id) REFERENCES " + Schema.Name + ".deals(tenant_id, id)",
            "feed_handlers PRIMARY KEY (tenant_id, name)");

        await TenantStoreChecks.CheckUpgradedAsync(upgraded, before);

        (await Schema.ScalarAsync($"SELECT count(DISTINCT tenant_id) FROM \"{Schema.Name}\".deals")).Should().Be(2L);
    }

    [PostgresFact]
    public Task ForTenant_UnpairedSurrogateRefusedAndIdsDifferingInCaseOrAccentsOrEmoji_AreSeparateTenants() =>
        TenantStoreChecks.CheckTenantIdsAsync(Open(Schema));

    [PostgresFact]
    public async Task ReadFeed_TenantScoped_CanUseTheFeedIndexWithoutSorting()
    {
        var sql = new PostgreSqlSchema(Schema.Name);

        var plan = await ExplainAsync(sql.ReadFeed, ("tenant_id", "acme"), ("commit", 0L), ("offset", 0L), ("limit", 100));

        plan.Should().Contain("Index Scan using ix_deal_events_feed on deal_events e").And.Contain("Index Scan using deals_pkey on deals d")
            .And.NotContain("Sort").And.NotContain("Seq Scan");
        plan.Should().MatchRegex(
            @"ix_deal_events_feed on deal_events e[^\n]*\n\s*Index Cond: \(\(tenant_id = ('acme'::text|\$1)( COLLATE ""C"")?\) AND \(ROW\(tx, id\) > ",
            "the feed index is searched by tenant and position, not scanned and filtered");
    }

    [PostgresFact]
    public async Task DealStatements_TenantScoped_UseTheTenantFirstKeys()
    {
        var sql = new PostgreSqlSchema(Schema.Name);

        (await ExplainAsync(sql.SelectDeal, ("tenant_id", "acme"), ("id", "d1"))).Should().Contain("deals_pkey").And.NotContain("Seq Scan");
        (await ExplainAsync(sql.SelectEvents, ("tenant_id", "acme"), ("deal_id", "d1"), ("after", 0L), ("limit", 100)))
            .Should().Contain("deal_events_pkey").And.NotContain("Sort").And.NotContain("Seq Scan");
        (await ExplainAsync(sql.SelectEventByKey, ("tenant_id", "acme"), ("deal_id", "d1"), ("idempotency_key", "k")))
            .Should().Contain("ux_deal_events_idempotency_key").And.NotContain("Seq Scan");
    }

    [PostgresFact]
    public async Task FeedHandlerStatements_TenantScoped_UseTheHandlersKey()
    {
        var handlers = new PostgreSqlSchema(Schema.Name).Handlers;

        (await ExplainAsync(handlers.ReadCheckpoint, ("tenant_id", "acme"), ("name", "mailer"))).Should().Contain("feed_handlers_pkey").And.NotContain("Seq Scan");
        (await ExplainAsync(handlers.Release, ("tenant_id", "acme"), ("name", "mailer"), ("owner", "w1"))).Should().Contain("feed_handlers_pkey").And.NotContain("Seq Scan");
    }

    [PostgresFact]
    public async Task TrySaveAsync_TwoTenantsOneWriterPerDealOnTheSameIds_NoSaveIsRefused()
    {
        var host = Open(Schema);
        string[] ids = ["d0", "d1", "d2", "d3", "d4", "d5"];
        await TenantStoreChecks.CreateDealsAsync(host, ids);

        var refused = await TenantStoreChecks.RaceOneWriterPerDealAsync(host.ForTenant, ids, savesPerDeal: 20);

        refused.Should().Be(0, "a writer that knows its deal's version is refused only because of another tenant's writes");
        var retries = await TenantStoreChecks.RaceEnginesOneWriterPerDealAsync(new SalesFlowEngine(ContractPipeline.Registry(), host), ids, firesPerDeal: 10);
        retries.Should().Be(0, "an engine that alone moves its deal retries only because of another tenant's writes");
        await TenantStoreChecks.CheckTenantsAsync(host.ForTenant, ids, (_, _) => 20 + 10);
        (await host.GetAsync("d0")).Should().BeNull("the host's own tenant has none of them");
    }

    [PostgresFact]
    public async Task TrySaveAsync_TwoTenantsManyWritersOnTheSameIds_GaplessAndStageEqualsReplayPerTenant()
    {
        var host = Open(Schema);
        var second = Open(Schema);
        string[] ids = ["d0", "d1", "d2"];
        await TenantStoreChecks.CreateDealsAsync(host, ids);

        // Half the writers go through another store object (its own connections), as another process's would.
        var writers = 0;
        var saved = await TenantStoreChecks.RaceManyWritersAsync(t => Interlocked.Increment(ref writers) % 2 == 0 ? host.ForTenant(t) : second.ForTenant(t), ids, writersPerTenant: 4, savesPerWriter: 20);

        saved.Values.Sum().Should().Be(2 * 4 * 20);
        await TenantStoreChecks.CheckTenantsAsync(host.ForTenant, ids, (t, id) => saved.GetValueOrDefault((t, id)));
        foreach (var tenant in new[] { TenantStoreChecks.TenantA, TenantStoreChecks.TenantB })
        {
            var feed = await TenantStoreChecks.ReadFeedAsync(host.ForTenant(tenant), FeedPosition.Start, expected: ids.Length + (4 * 20));
            feed.Should().HaveCount(ids.Length + (4 * 20), "the tenant's feed holds its own events only");
            feed.GroupBy(f => f.Event.DealId).Should().OnlyContain(g => g.Select(f => f.Event.Sequence).SequenceEqual(Enumerable.Range(1, g.Count()).Select(i => (long)i)));
        }
    }

    // A version-4 schema: the first four migrations, then the rows of a schema the store wrote (all the default tenant's),
    // copied column by column into the tables as version 4 had them; events keep their feed positions (tx, id).
    private static async Task BuildVersionFourAsync(TemporaryPostgresSchema from, TemporaryPostgresSchema to)
    {
        var t = "\"" + to.Name + "\"";
        var s = "\"" + from.Name + "\"";
        await to.ExecuteAsync(
            $"CREATE SCHEMA {t}; " + string.Join(";\n", new PostgreSqlSchema(to.Name).Migrator.Migrations.Take(4)) + ";\n" +
            $"CREATE TABLE {t}.schema_version (version integer NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());" +
            $"INSERT INTO {t}.schema_version (version) VALUES (1), (2), (3), (4);");
        foreach (var (table, order) in new[] { ("deals", "id"), ("deal_events", "tx, id"), ("feed_handlers", "name") })
        {
            var columns = new List<string>();
            await using (var connection = new NpgsqlConnection(to.ConnectionString))
            {
                await connection.OpenAsync();
                await using var info = new NpgsqlCommand("SELECT column_name FROM information_schema.columns WHERE table_schema = @schema AND table_name = @table ORDER BY ordinal_position", connection);
                info.Parameters.AddWithValue("schema", to.Name);
                info.Parameters.AddWithValue("table", table);
                await using var reader = await info.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    columns.Add(reader.GetString(0));
                }
            }

            columns.Should().NotBeEmpty().And.NotContain("tenant_id");
            var list = string.Join(", ", columns);
            await to.ExecuteAsync($"INSERT INTO {t}.{table} ({list}) OVERRIDING SYSTEM VALUE SELECT {list} FROM {s}.{table} WHERE tenant_id = 'default' ORDER BY {order}");
        }

        // The identity goes on after the copied ids, as it would have in the version-4 schema.
        await to.ExecuteAsync($"SELECT setval(pg_get_serial_sequence('{t}.deal_events', 'id'), (SELECT max(id) FROM {t}.deal_events))");
    }

    private async Task<List<string>> KeysAsync()
    {
        await using var connection = new NpgsqlConnection(Schema.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT c.relname || ' ' || pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace " +
            "WHERE n.nspname = @schema AND k.contype IN ('p', 'f') AND c.relname IN ('deals', 'deal_events', 'feed_handlers')",
            connection);
        command.Parameters.AddWithValue("schema", Schema.Name);
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0).Replace("\"", "", StringComparison.Ordinal));
        }

        return keys;
    }

    // The plan of one of the store's statements with sequential scans off (which indexes it can use), over two tenants'
    // deals with the same ids and the planner's statistics of them: an empty table's plan is a guess between equal costs.
    private async Task<string> ExplainAsync(string sql, params (string Name, object Value)[] parameters)
    {
        if (_stores.Count == 0)
        {
            var host = Open(Schema);
            foreach (var tenant in new[] { TenantStoreChecks.TenantA, TenantStoreChecks.TenantB })
            {
                var imports = Enumerable.Range(0, 300).Select(i => ContractDeals.Imported("d" + i, 3)).Select(d => new DealImport(d.Deal with { TenantId = tenant }, d.Events)).ToList();
                await host.ForTenant(tenant).ImportAsync(imports);
            }

            await Schema.ExecuteAsync($"ANALYZE \"{Schema.Name}\".deals; ANALYZE \"{Schema.Name}\".deal_events");
        }

        await using var connection = new NpgsqlConnection(Schema.ConnectionString);
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using var explain = new NpgsqlCommand("EXPLAIN " + sql, connection);
        foreach (var (name, value) in parameters)
        {
            explain.Parameters.AddWithValue(name, value);
        }

        var plan = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(0));
        }

        return string.Join('\n', plan);
    }

    private TemporaryPostgresSchema NewSchema()
    {
        var schema = new TemporaryPostgresSchema();
        _schemas.Add(schema);
        return schema;
    }

    private PostgreSqlDealStore Open(TemporaryPostgresSchema schema)
    {
        var store = new PostgreSqlDealStore(ContractPipeline.Registry(), new PostgreSqlDealStoreOptions { ConnectionString = schema.ConnectionString, Schema = schema.Name });
        _stores.Add(store);
        return store;
    }
}
