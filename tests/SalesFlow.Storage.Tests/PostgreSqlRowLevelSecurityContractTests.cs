using SalesFlow.PostgreSql;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests;

/// <summary>The whole store contract again with PostgreSQL row-level security on: the policies never get in the store's way.</summary>
[RequiresPostgres]
[Collection(PostgresServerTests.Name)]
public sealed class PostgreSqlRowLevelSecurityContractTests : DealStoreContractTests
{
    private TemporaryPostgresSchema? _schema;

    public override Task InitializeAsync()
    {
        _schema = new TemporaryPostgresSchema();
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }

    protected override Task<IDealStore> CreateStoreAsync() =>
        Task.FromResult<IDealStore>(new PostgreSqlDealStore(
            Pipelines,
            new PostgreSqlDealStoreOptions { ConnectionString = _schema!.ConnectionString, Schema = _schema.Name, RowLevelSecurity = true }));
}
