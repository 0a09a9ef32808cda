using Npgsql;
using SalesFlow.PostgreSql;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests;

/// <summary>
/// PostgreSQL row-level security as the second line behind the store's tenant-scoped statements
/// (<see cref="PostgreSqlDealStoreOptions.RowLevelSecurity"/>): the policies hold even for SQL that forgets the tenant.
/// </summary>
[Collection(PostgresServerTests.Name)]
public sealed class PostgreSqlRowLevelSecurityTests : IAsyncLifetime
{
    private readonly PipelineRegistry _pipelines = ContractPipeline.Registry();
    private readonly TemporaryPostgresSchema _schema = new();
    private PostgreSqlDealStore? _store;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        await _schema.DisposeAsync();
    }

    [PostgresFact]
    public async Task RowLevelSecurity_SqlWithoutTheTenant_SeesAndWritesOnlyTheSessionsTenant()
    {
        var store = await OpenAsync(rowLevelSecurity: true);
        await SaveAsync(store.ForTenant("acme"), "d1", "d2");
        await SaveAsync(store.ForTenant("globex"), "d1");

        // Raw SQL as the store's own role (the tables' owner): no tenant named, nothing visible.
        (await CountAsync(null, "deals")).Should().Be(0);
        (await CountAsync(null, "deal_events")).Should().Be(0);
        (await CountAsync("acme", "deals")).Should().Be(2);
        (await CountAsync("globex", "deal_events")).Should().Be(1);

        // A write of another tenant's row while the session names acme is refused by the policy.
        var act = () => ExecuteAsync("acme", $"UPDATE \"{_schema.Name}\".deals SET owner = 'x' WHERE tenant_id = 'globex'");
        (await act()).Should().Be(0, "globex's rows are invisible to an acme session, so the update finds none");
        var insert = () => ExecuteAsync(
            "acme",
            $"INSERT INTO \"{_schema.Name}\".feed_handlers (tenant_id, name) VALUES ('globex', 'sneaky')");
        (await insert.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.InsufficientPrivilege);
        (await CountAsync("globex", "deals")).Should().Be(1);
    }

    [PostgresFact]
    public async Task RowLevelSecurity_TheStoreWorksPerTenantThroughThePolicies()
    {
        var store = await OpenAsync(rowLevelSecurity: true);
        var acme = store.ForTenant("acme");
        var globex = store.ForTenant("globex");
        await SaveAsync(acme, "d1");
        await SaveAsync(globex, "d1", "d9");

        (await acme.GetAsync("d9")).Should().BeNull();
        (await globex.GetAsync("d9")).Should().NotBeNull();
        (await acme.QueryAsync(new DealQuery())).Deals.Select(d => (d.TenantId, d.Id)).Should().Equal(("acme", "d1"));
        (await globex.ReadFeedAsync(FeedPosition.Start, 100)).Should().HaveCount(2).And.OnlyContain(e => e.TenantId == "globex");
        (await acme.TryAcquireLeaseAsync("h", "p1", TimeSpan.FromMinutes(1))).Should().BeTrue();
        (await globex.TryAcquireLeaseAsync("h", "p2", TimeSpan.FromMinutes(1))).Should().BeTrue("a handler's lease is per tenant");
        (await _schema.ScalarAsync($"SELECT count(*) FROM pg_policies WHERE schemaname = '{_schema.Name}'")).Should().Be(3L);
    }

    [PostgresFact]
    public async Task RowLevelSecurity_Off_NoPoliciesAndRawSqlSeesEveryTenant()
    {
        var store = await OpenAsync(rowLevelSecurity: false);
        await SaveAsync(store.ForTenant("acme"), "d1");
        await SaveAsync(store.ForTenant("globex"), "d1");

        (await _schema.ScalarAsync($"SELECT count(*) FROM pg_policies WHERE schemaname = '{_schema.Name}'")).Should().Be(0L);
        (await CountAsync(null, "deals")).Should().Be(2);
    }

    [PostgresFact]
    public async Task RowLevelSecurity_TurnedOnOverExistingData_MigratesAndKeepsEveryTenantsRows()
    {
        var plain = await OpenAsync(rowLevelSecurity: false);
        await SaveAsync(plain, "old");
        await SaveAsync(plain.ForTenant("acme"), "a1");
        await plain.DisposeAsync();
        _store = null;

        var secured = await OpenAsync(rowLevelSecurity: true);

        (await secured.GetAsync("old")).Should().NotBeNull("the default tenant's rows are its own under the policy");
        (await secured.ForTenant("acme").GetAsync("a1")).Should().NotBeNull();
        (await CountAsync(null, "deals")).Should().Be(0);
    }

    private async Task<PostgreSqlDealStore> OpenAsync(bool rowLevelSecurity)
    {
        _store = new PostgreSqlDealStore(
            _pipelines,
            new PostgreSqlDealStoreOptions { ConnectionString = _schema.ConnectionString, Schema = _schema.Name, RowLevelSecurity = rowLevelSecurity });
        await _store.EnsureSchemaAsync();
        return _store;
    }

    private static async Task SaveAsync(IDealStore store, params string[] ids)
    {
        foreach (var id in ids)
        {
            var deal = ContractDeals.NewDeal(id) with { TenantId = store.TenantId };
            (await store.TrySaveAsync([ContractDeals.Create(deal)])).Should().BeTrue();
        }
    }

    private async Task<long> CountAsync(string? tenant, string table)
    {
        await using var connection = await ConnectAsync(tenant);
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{_schema.Name}\".{table}", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private async Task<int> ExecuteAsync(string tenant, string sql)
    {
        await using var connection = await ConnectAsync(tenant);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    private async Task<NpgsqlConnection> ConnectAsync(string? tenant)
    {
        var connection = new NpgsqlConnection(_schema.ConnectionString);
        await connection.OpenAsync();
        if (tenant is not null)
        {
            await using var set = new NpgsqlCommand("SELECT set_config('salesflow.tenant_id', @t, false)", connection);
            set.Parameters.AddWithValue("t", tenant);
            await set.ExecuteScalarAsync();
        }

        return connection;
    }
}
