using Microsoft.Data.Sqlite;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Tests.Support;

namespace SalesFlow.Storage.Tests;

/// <summary>What only the SQLite store does: its file, schema versions, write locking and failure handling.</summary>
public sealed class SqliteDealStoreTests : IDisposable
{
    private readonly TemporarySqliteFile _file = new();
    private readonly PipelineRegistry _pipelines = StorePipeline.Registry();
    private readonly List<SqliteDealStore> _stores = [];

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        SqliteConnection.ClearAllPools();
        _file.Dispose();
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => new SqliteDealStore(null!, new SqliteDealStoreOptions { DataSource = "x.db" })).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new SqliteDealStore(_pipelines, null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new SqliteDealStore(_pipelines, new SqliteDealStoreOptions())).Should().Throw<ArgumentException>().WithMessage("*DataSource*");
        FluentActions.Invoking(() => new SqliteDealStore(_pipelines, new SqliteDealStoreOptions { DataSource = "a.db", ConnectionString = "Data Source=b.db" })).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new SqliteDealStore(_pipelines, new SqliteDealStoreOptions { DataSource = ":memory:" })).Should().Throw<ArgumentException>().WithMessage("*InMemoryDealStore*");
        FluentActions.Invoking(() => new SqliteDealStore(_pipelines, new SqliteDealStoreOptions { ConnectionString = "Data Source=x;Mode=Memory" })).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new SqliteDealStore(_pipelines, new SqliteDealStoreOptions { DataSource = "a.db", BusyTimeout = TimeSpan.FromSeconds(-1) })).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Options_Defaults_AreDocumentedValues()
    {
        var options = new SqliteDealStoreOptions();

        options.BusyTimeout.Should().Be(TimeSpan.FromSeconds(30));
        options.DataSource.Should().BeNull();
        options.ConnectionString.Should().BeNull();
    }

    [Fact]
    public async Task EnsureSchemaAsync_EmptyFile_CreatesTablesIndexesVersionAndWal()
    {
        var store = Open();

        await store.EnsureSchemaAsync();

        File.Exists(_file.Path).Should().BeTrue();
        store.DataSource.Should().Be(_file.Path);
        (await ScalarAsync("PRAGMA journal_mode")).Should().Be("wal");
        (await ScalarAsync("SELECT group_concat(version) FROM salesflow_schema_version")).Should().Be(SqliteDealStore.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var indexes = (string)(await ScalarAsync("SELECT group_concat(name, ',') FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_%'"))!;
        indexes.Split(',').Should().BeEquivalentTo(
            "ix_salesflow_deals_pipeline_stage", "ix_salesflow_deals_follow_up", "ix_salesflow_deals_last_activity", "ix_salesflow_deals_owner");
    }

    [Fact]
    public async Task EnsureSchemaAsync_ExistingDatabase_IsNotMigratedAgain()
    {
        await Open().EnsureSchemaAsync();
        SqliteConnection.ClearAllPools();

        var reopened = Open();
        await reopened.EnsureSchemaAsync();
        await reopened.QueryAsync(new DealQuery());

        (await ScalarAsync("SELECT count(*) FROM salesflow_schema_version")).Should().Be(1L);
    }

    [Fact]
    public async Task EnsureSchemaAsync_NewerSchema_ThrowsSayingWhatToDo()
    {
        await Open().EnsureSchemaAsync();
        await ScalarAsync("INSERT INTO salesflow_schema_version (version, applied_at) VALUES (999, 'later')");

        var act = async () => await Open().GetAsync("x");

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*version 999*Upgrade the SalesFlow.Sqlite package*");
    }

    [Fact]
    public async Task TrySaveAsync_ConnectionClosedBeforeCommit_LeavesNeitherStateNorEvent()
    {
        var store = Open();
        var engine = new SalesFlowEngine(_pipelines, store);
        await engine.StartAsync(StorePipeline.Id, "broken", new StoreDealData(), "alice");
        store.BeforeCommit = (connection, _) =>
        {
            connection.Close();
            return Task.CompletedTask;
        };

        var act = async () => await engine.FireAsync("broken", "toggle", new FireRequest("bob"));

        await act.Should().ThrowAsync<Exception>();
        var fresh = Open();
        (await fresh.GetAsync("broken"))!.Should().Match<Deal>(d => d.StageId == "open" && d.Version == 1);
        (await fresh.GetEventsAsync("broken")).Should().ContainSingle();
    }

    [Fact]
    public async Task TrySaveAsync_NewDealConnectionClosedBeforeCommit_CreatesNothing()
    {
        var store = Open();
        store.BeforeCommit = (connection, _) =>
        {
            connection.Close();
            return Task.CompletedTask;
        };
        var deal = DealFactory.NewDeal("never");

        var act = async () => await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);

        await act.Should().ThrowAsync<Exception>();
        (await Open().GetAsync("never")).Should().BeNull();
        (await ScalarAsync("SELECT count(*) FROM salesflow_deal_events")).Should().Be(0L);
    }

    [Fact]
    public async Task EventsTable_DuplicateSequence_IsRejectedByThePrimaryKey()
    {
        var store = Open();
        var deal = DealFactory.NewDeal("pk");
        await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);

        var act = async () => await ScalarAsync(
            "INSERT INTO salesflow_deal_events (deal_id, sequence, kind, occurred_at, actor, to_stage, payload) VALUES ('pk', 1, 'Activity', 0, 'x', 'open', '{}')");

        (await act.Should().ThrowAsync<SqliteException>()).Which.SqliteErrorCode.Should().Be(19); // SQLITE_CONSTRAINT
    }

    [Fact]
    public async Task TrySaveAsync_AnotherConnectionHoldsTheWriteLock_WaitsInsteadOfFailing()
    {
        var store = Open();
        var deal = DealFactory.NewDeal("waits");
        await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);
        await using var other = new SqliteConnection($"Data Source={_file.Path};Pooling=False");
        await other.OpenAsync();
        var holding = other.BeginTransaction(deferred: false);
        await using (var touch = other.CreateCommand())
        {
            touch.Transaction = holding;
            touch.CommandText = "UPDATE salesflow_deals SET owner = owner";
            await touch.ExecuteNonQueryAsync();
        }

        var (next, e) = DealFactory.Next(deal);
        // Microsoft.Data.Sqlite blocks while it waits for the lock, so the save runs on another thread.
        var save = Task.Run(async () => await store.TrySaveAsync(next, 1, [e]));
        await Task.Delay(300);
        save.IsCompleted.Should().BeFalse("the write lock is held by another connection");
        holding.Commit();

        (await save).Should().BeTrue();
    }

    [Fact]
    public async Task QueryAsync_ByPipelineAndStage_UsesTheIndex()
    {
        await Open().EnsureSchemaAsync();

        await using var connection = new SqliteConnection($"Data Source={_file.Path};Pooling=False");
        await connection.OpenAsync();
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN SELECT id FROM salesflow_deals WHERE pipeline_id = 'p' AND stage_id = 's' AND id > 'a' ORDER BY id LIMIT 10";
        var details = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                details.Add(reader.GetString(3));
            }
        }

        var plan = string.Join(" | ", details);
        plan.Should().Contain("ix_salesflow_deals_pipeline_stage").And.NotContain("TEMP B-TREE");
    }

    private SqliteDealStore Open()
    {
        var store = new SqliteDealStore(_pipelines, new SqliteDealStoreOptions { DataSource = _file.Path });
        _stores.Add(store);
        return store;
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_file.Path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
