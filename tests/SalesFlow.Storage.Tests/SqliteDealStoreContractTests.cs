using SalesFlow.Sqlite;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests;

public sealed class SqliteDealStoreContractTests : DealStoreContractTests
{
    private readonly TemporarySqliteFile _file = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _file.Dispose();
    }

    protected override Task<IDealStore> CreateStoreAsync() =>
        Task.FromResult<IDealStore>(new SqliteDealStore(Pipelines, new SqliteDealStoreOptions { DataSource = _file.Path }));
}
