using Microsoft.Data.Sqlite;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Tests.Support;
using Xunit.Abstractions;

namespace SalesFlow.Storage.Tests.Processes;

/// <summary>
/// The SQLite store under two writer processes on one file (WAL) and under writers killed with SIGKILL
/// (<see cref="DealStoreProcessScenarios"/>). In the PostgreSQL server's collection, so the process tests of both
/// stores and the feed tests do not compete for the two cores at once.
/// </summary>
[Collection(PostgresServerTests.Name)]
public sealed class SqliteDealStoreProcessTests(ITestOutputHelper output) : DealStoreProcessScenarios(output), IDisposable
{
    private readonly TemporarySqliteFile _file = new();

    protected override string StoreName => "SQLite";

    protected override IReadOnlyList<string> WorkerStoreArguments => ["sqlite", _file.Path];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _file.Dispose();
    }

    [Fact]
    public async Task TwoWriterProcesses_SameHundredDeals_NoLostUpdateGaplessHistoriesStageEqualsReplay() =>
        await TwoWritersOnTheSameDealsAsync();

    [Fact]
    public async Task WriterProcess_KilledFiveTimesMidRun_InvariantsHoldAndFilePassesIntegrityCheck() =>
        await WriterKilledMidRunAsync();

    protected override IDealStore OpenStore() => new SqliteDealStore(Registry, new SqliteDealStoreOptions { DataSource = _file.Path });

    protected override async Task<SqlCounts> CountWithSqlAsync()
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = ConsistencySql("salesflow_deals", "salesflow_deal_events");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new SqlCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    // A new connection of its own (no pool) straight after the kill: the file, its WAL and its index pages are whole.
    protected override async Task CheckFileAfterKillAsync()
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        var rows = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }
        }

        rows.Should().Equal(["ok"], "SQLite finds the file whole after the writer was killed");
        command.CommandText = "PRAGMA journal_mode";
        (await command.ExecuteScalarAsync()).Should().Be("wal");
    }

    private async Task<SqliteConnection> OpenConnectionAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _file.Path, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
