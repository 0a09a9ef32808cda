using Npgsql;
using SalesFlow.PostgreSql;
using SalesFlow.Storage.Tests.Support;
using Xunit.Abstractions;

namespace SalesFlow.Storage.Tests.Processes;

/// <summary>
/// The PostgreSQL store under two writer processes on one schema and under writers killed with SIGKILL
/// (<see cref="DealStoreProcessScenarios"/>): skipped with a reason locally when there is no server, never under CI.
/// </summary>
[Collection(PostgresServerTests.Name)]
public sealed class PostgreSqlDealStoreProcessTests(ITestOutputHelper output) : DealStoreProcessScenarios(output), IAsyncLifetime
{
    private TemporaryPostgresSchema? _schema;

    protected override string StoreName => "PostgreSQL";

    protected override IReadOnlyList<string> WorkerStoreArguments => ["postgres", Schema.ConnectionString, Schema.Name];

    private TemporaryPostgresSchema Schema => _schema ??= new TemporaryPostgresSchema();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task TwoWriterProcesses_SameHundredDeals_NoLostUpdateGaplessHistoriesStageEqualsReplay() =>
        await TwoWritersOnTheSameDealsAsync();

    [PostgresFact]
    public async Task WriterProcess_KilledFiveTimesMidRun_InvariantsHoldOnReopen() =>
        await WriterKilledMidRunAsync();

    protected override IDealStore OpenStore() =>
        new PostgreSqlDealStore(Registry, new PostgreSqlDealStoreOptions { ConnectionString = Schema.ConnectionString, Schema = Schema.Name });

    protected override async Task<SqlCounts> CountWithSqlAsync()
    {
        await using var connection = new NpgsqlConnection(Schema.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(ConsistencySql($"\"{Schema.Name}\".deals", $"\"{Schema.Name}\".deal_events"), connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new SqlCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }
}
