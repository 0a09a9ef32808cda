using SalesFlow.Sqlite;
using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests;

// This class is the usage example of src/SalesFlow.Testing/README.md: keep the two alike.
public sealed class SqliteDealStoreContractTests : DealStoreContractTests
{
    // A database of the test's own: xunit creates one instance of the class per test.
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("salesflow-contract-");

    // The first call finds an empty database; later calls open it again, as another process would.
    protected override Task<IDealStore> CreateStoreAsync() =>
        Task.FromResult<IDealStore>(new SqliteDealStore(
            Pipelines,
            new SqliteDealStoreOptions { DataSource = Path.Combine(_folder.FullName, "deals.db") }));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync(); // disposes every store the test opened
        _folder.Delete(recursive: true);
    }
}
