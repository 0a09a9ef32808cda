using Npgsql;
using SalesFlow.PostgreSql;
using SalesFlow.Storage.Tests.Support;

namespace SalesFlow.Storage.Tests.PersonalData;

[Collection(PostgresServerTests.Name)]
public sealed class PostgreSqlPersonalDataLeakTests : PersonalDataLeakScan
{
    private readonly List<PostgreSqlDealStore> _stores = [];
    private TemporaryPostgresSchema? _schema;

    [PostgresFact]
    public Task EveryPublicPath_PlantedPersonalValues_AppearInNoCapturedOutput() => ScanEveryPublicPathAsync();

    [PostgresFact]
    public Task StoreFailure_PlantedPersonalValues_AppearInNoCapturedOutput() => ScanStoreFailureAsync();

    public override Task InitializeAsync()
    {
        _schema = new TemporaryPostgresSchema();
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }

    // Npgsql's default: a server error's detail (which can quote the failing row) is not included in its exceptions.
    protected override Task<IDealStore> CreateStoreAsync()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(_schema!.ConnectionString) { IncludeErrorDetail = false }.ConnectionString;
        var store = new PostgreSqlDealStore(Pipelines, new PostgreSqlDealStoreOptions { ConnectionString = connectionString, Schema = _schema.Name });
        _stores.Add(store);
        return Task.FromResult<IDealStore>(store);
    }

    // A trigger that refuses every new event with an error of its own (not a constraint: that would be a conflict). Its
    // message is neutral; a host trigger that quotes the row would put the row's text into the provider exception.
    protected override async Task<IDealStore> BreakAsync(IDealStore store)
    {
        await _schema!.ExecuteAsync($"""
            CREATE FUNCTION {_schema.Name}.scan_refuses() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the scan refuses every write'; END $$;
            CREATE TRIGGER scan_refuses BEFORE INSERT ON {_schema.Name}.deal_events FOR EACH ROW EXECUTE FUNCTION {_schema.Name}.scan_refuses();
            """);
        return store;
    }
}
