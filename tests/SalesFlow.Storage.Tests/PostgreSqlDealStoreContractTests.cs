using SalesFlow.PostgreSql;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests;

[RequiresPostgres]
[Collection(PostgresServerTests.Name)]
public class PostgreSqlDealStoreContractTests : DealStoreContractTests
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

    /// <summary>Gets a value indicating whether the stores under test enforce tenants with row-level security too.</summary>
    protected virtual bool RowLevelSecurity => false;

    protected override Task<IDealStore> CreateStoreAsync() =>
        Task.FromResult<IDealStore>(new PostgreSqlDealStore(
            Pipelines,
            new PostgreSqlDealStoreOptions { ConnectionString = _schema!.ConnectionString, Schema = _schema.Name, RowLevelSecurity = RowLevelSecurity }));
}
