using SalesFlow.Storage.Tests.Support;

namespace SalesFlow.Storage.Tests;

/// <summary>The whole store contract again with PostgreSQL row-level security on: the policies never get in the store's way.</summary>
[RequiresPostgres]
[Collection(PostgresServerTests.Name)]
public sealed class PostgreSqlRowLevelSecurityContractTests : PostgreSqlDealStoreContractTests
{
    protected override bool RowLevelSecurity => true;
}
