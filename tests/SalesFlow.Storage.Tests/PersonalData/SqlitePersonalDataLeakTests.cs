using SalesFlow.Sqlite;
using SalesFlow.Storage.Tests.Support;

namespace SalesFlow.Storage.Tests.PersonalData;

public sealed class SqlitePersonalDataLeakTests : PersonalDataLeakScan
{
    private readonly TemporarySqliteFile _file = new();
    private readonly List<SqliteDealStore> _stores = [];

    public override async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        _file.Dispose();
    }

    [Fact]
    public Task EveryPublicPath_PlantedPersonalValues_AppearInNoCapturedOutput() => ScanEveryPublicPathAsync();

    [Fact]
    public Task StoreFailure_PlantedPersonalValues_AppearInNoCapturedOutput() => ScanStoreFailureAsync();

    protected override Task<IDealStore> CreateStoreAsync() => Task.FromResult<IDealStore>(Track(new SqliteDealStore(Pipelines, new SqliteDealStoreOptions { DataSource = _file.Path })));

    // A read-only file: every write fails in SQLite (SQLITE_READONLY), whoever the process runs as.
    protected override Task<IDealStore> BreakAsync(IDealStore store) =>
        Task.FromResult<IDealStore>(Track(new SqliteDealStore(Pipelines, new SqliteDealStoreOptions { ConnectionString = $"Data Source={_file.Path};Mode=ReadOnly" })));

    private SqliteDealStore Track(SqliteDealStore store)
    {
        _stores.Add(store);
        return store;
    }
}
