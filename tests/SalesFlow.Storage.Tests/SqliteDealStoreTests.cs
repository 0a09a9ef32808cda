using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Relational;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests;

/// <summary>What only the SQLite store does: its file, schema versions, write locking and failure handling.</summary>
public sealed class SqliteDealStoreTests : IDisposable
{
    private readonly TemporarySqliteFile _file = new();
    private readonly PipelineRegistry _pipelines = ContractPipeline.Registry();
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
        (await ScalarAsync("SELECT group_concat(version) FROM salesflow_schema_version")).Should().Be("1,2,3,4,5");
        SqliteDealStore.SchemaVersion.Should().Be(5);
        var indexes = (string)(await ScalarAsync("SELECT group_concat(name, ',') FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_%'"))!;
        indexes.Split(',').Should().BeEquivalentTo(
            "ix_salesflow_deals_pipeline_stage", "ix_salesflow_deals_follow_up", "ix_salesflow_deals_last_activity", "ix_salesflow_deals_owner",
            "ix_salesflow_deal_events_feed");
    }

    [Fact]
    public async Task EnsureSchemaAsync_ExistingDatabase_IsNotMigratedAgain()
    {
        await Open().EnsureSchemaAsync();
        SqliteConnection.ClearAllPools();

        var reopened = Open();
        await reopened.EnsureSchemaAsync();
        await reopened.QueryAsync(new DealQuery());

        (await ScalarAsync("SELECT count(*) FROM salesflow_schema_version")).Should().Be((long)SqliteDealStore.SchemaVersion);
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
        await engine.StartAsync(ContractPipeline.Id, "broken", new ContractDealData(), "alice");
        store.OnSaveStep = SaveSteps.At<SqliteConnection>(SaveStep.BeforeCommit, (connection, _) =>
        {
            connection.Close();
            return Task.CompletedTask;
        });

        var act = async () => await engine.FireAsync("broken", "toggle", new FireRequest("bob"));

        await act.Should().ThrowAsync<InvalidOperationException>(); // the fault is outside SQLite: the connection closed under the store
        var fresh = Open();
        (await fresh.GetAsync("broken"))!.Should().Match<Deal>(d => d.StageId == "open" && d.Version == 1);
        (await fresh.GetEventsAsync("broken")).Should().ContainSingle();
    }

    [Fact]
    public async Task FireAsync_ReadOnlyFile_DealStoreExceptionKeepsTheSqliteErrorAndNothingIsWritten()
    {
        var engine = new SalesFlowEngine(_pipelines, Open());
        await engine.StartAsync(ContractPipeline.Id, "ro", new ContractDealData(), "alice");
        var readOnly = new SqliteDealStore(_pipelines, new SqliteDealStoreOptions { ConnectionString = $"Data Source={_file.Path};Mode=ReadOnly" });
        _stores.Add(readOnly);
        var reader = new SalesFlowEngine(_pipelines, readOnly);

        var act = async () => await reader.FireAsync("ro", "toggle", new FireRequest("bob"));

        var failure = (await act.Should().ThrowAsync<DealStoreException>()).Which;
        failure.InnerException.Should().BeOfType<SqliteException>().Which.SqliteErrorCode.Should().Be(8); // SQLITE_READONLY
        (failure.Store, failure.Operation, failure.Outcome, failure.IsTransient, failure.ErrorCode).Should().Be(("SQLite", "save", StoreWriteOutcome.NothingWritten, false, "8"));
        failure.Message.Should().Contain("nothing was written").And.NotContain("ro'");
        (await reader.GetAsync("ro")).Version.Should().Be(1, "reads still work on a read-only file");
    }

    [Fact]
    public async Task StartAndFire_HostTriggerRefusesTheRow_DealStoreExceptionNotAConflict()
    {
        var engine = new SalesFlowEngine(_pipelines, Open());
        await engine.StartAsync(ContractPipeline.Id, "fine", new ContractDealData(), "alice");
        await using (var admin = new SqliteConnection($"Data Source={_file.Path};Pooling=False"))
        {
            await admin.OpenAsync();
            await using var create = admin.CreateCommand();
            create.CommandText = """
                CREATE TRIGGER test_owner BEFORE INSERT ON salesflow_deals WHEN NEW.owner = 'blocked' BEGIN SELECT RAISE(ABORT, 'blocked owner'); END;
                CREATE TRIGGER test_note BEFORE INSERT ON salesflow_deal_events WHEN NEW.payload LIKE '%frozen%' BEGIN SELECT RAISE(ABORT, 'frozen'); END;
                """;
            await create.ExecuteNonQueryAsync();
        }

        var start = async () => await engine.StartAsync(ContractPipeline.Id, "refused", new ContractDealData(), new StartRequest("alice") { Owner = "blocked" });
        var move = async () => await engine.FireAsync("fine", "toggle", new FireRequest("bob") { Note = "frozen" });

        // Before the fix every SQLITE_CONSTRAINT counted as a conflict: "deal exists" for the start, retries then Conflict for the move.
        var refused = (await start.Should().ThrowAsync<DealStoreException>()).Which;
        (refused.Operation, refused.Outcome, refused.IsTransient, refused.ErrorCode).Should().Be(("save", StoreWriteOutcome.NothingWritten, false, "19"));
        (await move.Should().ThrowAsync<DealStoreException>()).Which.ErrorCode.Should().Be("19");
        (await engine.Store.GetAsync("refused")).Should().BeNull();
        (await engine.GetAsync("fine")).Version.Should().Be(1);
    }

    [Fact]
    public async Task StartAsync_IdsWithHalfASurrogatePair_RefusedBeforeTheyBecomeOneStoredId()
    {
        var engine = new SalesFlowEngine(_pipelines, Open());

        // SQLite stores U+FFFD for half a surrogate pair: before the check, "d\uD800" was stored as "d\uFFFD", the second
        // start was told that deal exists, and the first could not be read back under its own id.
        var first = async () => await engine.StartAsync(ContractPipeline.Id, "d\uD800", new ContractDealData(), "alice");
        var second = async () => await engine.StartAsync(ContractPipeline.Id, "d\uDBFF", new ContractDealData(), "alice");
        var actor = async () => await engine.StartAsync(ContractPipeline.Id, "fine", new ContractDealData(), "al\uDC00ice");

        (await first.Should().ThrowAsync<DealInputException>()).Which.Problems.Should().ContainSingle(p => p.Rule == "unpaired-surrogate");
        (await second.Should().ThrowAsync<DealInputException>()).Which.Problems.Should().ContainSingle(p => p.Rule == "unpaired-surrogate");
        (await actor.Should().ThrowAsync<DealInputException>()).Which.Problems.Should().ContainSingle(p => p.Rule == "unpaired-surrogate");
        (await engine.StartAsync(ContractPipeline.Id, "d\uD83D\uDE00", new ContractDealData(), "alice")).Id.Should().Be("d\uD83D\uDE00", "a whole pair is fine");
        (await engine.Store.QueryAsync(new DealQuery())).Deals.Should().ContainSingle();
    }

    [Fact]
    public async Task FireAsync_FileLockedLongerThanTheBusyTimeout_TransientDealStoreExceptionThenTheRetrySucceeds()
    {
        var store = new SqliteDealStore(_pipelines, new SqliteDealStoreOptions { DataSource = _file.Path, BusyTimeout = TimeSpan.FromMilliseconds(200) });
        _stores.Add(store);
        var engine = new SalesFlowEngine(_pipelines, store);
        await engine.StartAsync(ContractPipeline.Id, "locked", new ContractDealData(), "alice");
        await using var other = new SqliteConnection($"Data Source={_file.Path};Pooling=False");
        await other.OpenAsync();
        var hold = other.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: the file's write lock

        var act = async () => await engine.FireAsync("locked", "toggle", new FireRequest("bob"));

        var failure = (await act.Should().ThrowAsync<DealStoreException>()).Which;
        (failure.Operation, failure.NotCommitted, failure.IsTransient).Should().Be(("save", true, true));
        ((SqliteException)failure.InnerException!).SqliteErrorCode.Should().Be(5); // SQLITE_BUSY
        hold.Rollback();
        (await engine.FireAsync("locked", "toggle", new FireRequest("bob"))).Accepted.Should().BeTrue();
        (await engine.GetHistoryAsync("locked")).Should().HaveCount(2, "the failed attempt left nothing behind");
    }

    [Fact]
    public async Task TrySaveAsync_NewDealConnectionClosedBeforeCommit_CreatesNothing()
    {
        var store = Open();
        store.OnSaveStep = SaveSteps.At<SqliteConnection>(SaveStep.BeforeCommit, (connection, _) =>
        {
            connection.Close();
            return Task.CompletedTask;
        });
        var deal = ContractDeals.NewDeal("never");

        var act = async () => await store.TrySaveAsync(deal, 0, [ContractDeals.Started(deal)]);

        await act.Should().ThrowAsync<Exception>();
        (await Open().GetAsync("never")).Should().BeNull();
        (await ScalarAsync("SELECT count(*) FROM salesflow_deal_events")).Should().Be(0L);
    }

    [Fact]
    public async Task EventsTable_DuplicateSequence_IsRejectedByThePrimaryKey()
    {
        var store = Open();
        var deal = ContractDeals.NewDeal("pk");
        await store.TrySaveAsync(deal, 0, [ContractDeals.Started(deal)]);

        var act = async () => await ScalarAsync(
            "INSERT INTO salesflow_deal_events (deal_id, sequence, kind, occurred_at, actor, to_stage, payload) VALUES ('pk', 1, 'Activity', 0, 'x', 'open', '{}')");

        (await act.Should().ThrowAsync<SqliteException>()).Which.SqliteErrorCode.Should().Be(19); // SQLITE_CONSTRAINT
    }

    [Fact]
    public async Task TrySaveAsync_AnotherConnectionHoldsTheWriteLock_WaitsInsteadOfFailing()
    {
        var store = Open();
        var deal = ContractDeals.NewDeal("waits");
        await store.TrySaveAsync(deal, 0, [ContractDeals.Started(deal)]);
        await using var other = new SqliteConnection($"Data Source={_file.Path};Pooling=False");
        await other.OpenAsync();
        var holding = other.BeginTransaction(deferred: false);
        await using (var touch = other.CreateCommand())
        {
            touch.Transaction = holding;
            touch.CommandText = "UPDATE salesflow_deals SET owner = owner";
            await touch.ExecuteNonQueryAsync();
        }

        var (next, e) = ContractDeals.Next(deal);
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
        explain.CommandText = "EXPLAIN QUERY PLAN SELECT id FROM salesflow_deals WHERE tenant_id = 'default' AND pipeline_id = 'p' AND stage_id = 's' AND id > 'a' ORDER BY id LIMIT 10";
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

    [Fact]
    public async Task TrySaveAsync_SeveralDeals_SavesAllInOneTransaction()
    {
        var store = Open();
        var existing = ContractDeals.NewDeal("referrer");
        await store.TrySaveAsync(existing, 0, [ContractDeals.Started(existing)]);
        var (next, e) = ContractDeals.Next(existing, "referred a friend");
        var referred = ContractDeals.NewDeal("referred");

        var saved = await store.TrySaveAsync([new DealWrite(next, 1, [e]), new DealWrite(referred, 0, [ContractDeals.Started(referred)])]);

        saved.Should().BeTrue();
        var fresh = Open();
        (await fresh.GetAsync("referrer"))!.Version.Should().Be(2);
        (await fresh.GetAsync("referred")).Should().NotBeNull();
    }

    [Fact]
    public async Task TrySaveAsync_SeveralDealsOneConflicts_SavesNothing()
    {
        var store = Open();
        var a = ContractDeals.NewDeal("a");
        var b = ContractDeals.NewDeal("b");
        await store.TrySaveAsync(a, 0, [ContractDeals.Started(a)]);
        await store.TrySaveAsync(b, 0, [ContractDeals.Started(b)]);
        var (a2, a2Event) = ContractDeals.Next(a, "kept out");
        var (staleB, staleBEvent) = ContractDeals.Next(b);
        (await store.TrySaveAsync(staleB, 1, [staleBEvent])).Should().BeTrue();
        var (b3, b3Event) = ContractDeals.Next(b, "stale"); // expects version 1, the store has 2
        var created = ContractDeals.NewDeal("c");

        var saved = await store.TrySaveAsync(
            [new DealWrite(a2, 1, [a2Event]), new DealWrite(created, 0, [ContractDeals.Started(created)]), new DealWrite(b3, 1, [b3Event])]);

        saved.Should().BeFalse();
        var fresh = Open();
        (await fresh.GetAsync("a"))!.Version.Should().Be(1);
        (await fresh.GetEventsAsync("a")).Should().ContainSingle();
        (await fresh.GetAsync("c")).Should().BeNull();
        (await ScalarAsync("SELECT count(*) FROM salesflow_deal_events WHERE deal_id = 'c'")).Should().Be(0L);
    }

    [Fact]
    public async Task TrySaveAsync_StageEnteredSequence_IsStoredAndReadBack()
    {
        var store = Open();
        var deal = ContractDeals.NewDeal("entered") with { StageEnteredSequence = 1 };
        await store.TrySaveAsync(deal, 0, [ContractDeals.Started(deal)]);
        var (next, e) = ContractDeals.Next(deal);
        await store.TrySaveAsync(next with { StageEnteredSequence = 2 }, 1, [e]);

        (await Open().GetAsync("entered"))!.StageEnteredSequence.Should().Be(2);
    }

    [Fact]
    public async Task EnsureSchemaAsync_VersionOneDatabase_BackfillsStageEnteredSequenceAndFeedOrder()
    {
        await ExecuteAsync(
            SqliteSchema.Migrations[0] +
            ";CREATE TABLE salesflow_schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL);" +
            "INSERT INTO salesflow_schema_version VALUES (1, 'then');" +
            "INSERT INTO salesflow_deals VALUES ('old', 'store-contract', 1, 'working', 'open', 3, 3, 0, 0, 0, 0, NULL, NULL, 'Open', NULL, NULL, '[]', '{}');" +
            "INSERT INTO salesflow_deals VALUES ('new', 'store-contract', 1, 'open', NULL, 1, 1, 0, 0, 0, 0, NULL, NULL, 'Open', NULL, NULL, '[]', '{}');" +
            "INSERT INTO salesflow_deal_events VALUES ('old', 1, 'Started', 0, 'a', NULL, NULL, 'open', '{}');" +
            "INSERT INTO salesflow_deal_events VALUES ('new', 1, 'Started', 0, 'a', NULL, NULL, 'open', '{}');" +
            "INSERT INTO salesflow_deal_events VALUES ('old', 2, 'Transition', 0, 'a', 'toggle', 'open', 'working', '{}');" +
            "INSERT INTO salesflow_deal_events VALUES ('old', 3, 'Activity', 0, 'a', NULL, 'working', 'working', '{}');");

        var store = Open();

        (await store.GetAsync("old"))!.StageEnteredSequence.Should().Be(2);
        (await store.GetAsync("new"))!.StageEnteredSequence.Should().Be(1);
        var feed = await store.ReadFeedAsync(FeedPosition.Start, 100);
        feed.Select(f => (f.Event.DealId, f.Event.Sequence)).Should().Equal(("old", 1L), ("new", 1L), ("old", 2L), ("old", 3L));
    }

    [Fact]
    public async Task ReadFeedAsync_SavesAndImports_AreDeliveredInCommitOrderWithRowIdPositions()
    {
        var store = Open();
        var a = ContractDeals.NewDeal("a");
        await store.TrySaveAsync(a, 0, [ContractDeals.Started(a)]);
        await store.ImportAsync([ContractDeals.Imported("imported", 2)]);
        var (a2, e) = ContractDeals.Next(a);
        await store.TrySaveAsync(a2, 1, [e]);

        var feed = await Open().ReadFeedAsync(FeedPosition.Start, 100);

        feed.Select(f => (f.Event.DealId, f.Event.Sequence)).Should().Equal(("a", 1L), ("imported", 1L), ("imported", 2L), ("a", 2L));
        feed.Select(f => f.Position).Should().Equal(new FeedPosition(1, 0), new FeedPosition(2, 0), new FeedPosition(3, 0), new FeedPosition(4, 0));
        feed.Should().OnlyContain(f => f.PipelineId == ContractPipeline.Id);
        (await store.ReadFeedAsync(feed[1].Position, 1)).Should().ContainSingle().Which.Position.Should().Be(feed[2].Position);
        (await store.ReadFeedAsync(feed[^1].Position, 10)).Should().BeEmpty();
    }

    [Fact]
    public async Task ImportAsync_EmptyAndNonAsciiText_StoredAsMicrosoftDataSqliteBindsIt()
    {
        // The import binds its rows through SQLitePCL directly: empty text must stay text, not NULL, and text with
        // surrogates must be stored byte for byte as Microsoft.Data.Sqlite binds it (.NET's UTF-8, half a pair as U+FFFD).
        const string owner = "Zoë 🚀 Ünal \ud83d";
        var store = Open();
        var plain = ContractDeals.Imported("plain", 2);
        var empty = ContractDeals.Imported("empty", 2);
        empty = empty with { Deal = empty.Deal with { Owner = "" } };
        var emoji = ContractDeals.Imported("emoji", 2);
        emoji = emoji with { Deal = emoji.Deal with { Owner = owner } };
        await store.ImportAsync([plain, empty, emoji]);

        var reopened = Open();
        (await reopened.GetAsync("empty"))!.Owner.Should().Be("", "empty text is not NULL");
        (await reopened.GetAsync("emoji"))!.Owner.Should().Be("Zoë 🚀 Ünal \ufffd", "half a surrogate pair is stored as U+FFFD");
        (await reopened.GetEventsAsync("plain")).Should().BeEquivalentTo(plain.Events);

        await using var connection = new SqliteConnection($"Data Source={_file.Path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT hex(owner), hex($owner), typeof(owner) FROM salesflow_deals WHERE id = 'emoji' UNION ALL SELECT '', '', typeof(owner) FROM salesflow_deals WHERE id = 'empty'";
        command.Parameters.AddWithValue("$owner", owner);
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue();
        reader.GetString(0).Should().Be(reader.GetString(1), "the import stores the bytes Microsoft.Data.Sqlite stores for the same text");
        reader.GetString(2).Should().Be("text");
        (await reader.ReadAsync()).Should().BeTrue();
        reader.GetString(2).Should().Be("text");
    }

    [Fact]
    public async Task Leases_TwoStoresOnOneFile_OneHolderUntilExpiryOrRelease()
    {
        var clock = new FakeTimeProvider(ContractDeals.T0);
        var first = Open(clock);
        var second = Open(clock);

        (await first.TryAcquireLeaseAsync("mailer", "p1", TimeSpan.FromSeconds(30))).Should().BeTrue();
        (await second.TryAcquireLeaseAsync("mailer", "p2", TimeSpan.FromSeconds(30))).Should().BeFalse();
        (await first.TryAcquireLeaseAsync("mailer", "p1", TimeSpan.FromSeconds(30))).Should().BeTrue("the holder renews");
        (await first.TrySaveCheckpointAsync("mailer", "p1", new FeedPosition(7, 0))).Should().BeTrue();
        (await second.TrySaveCheckpointAsync("mailer", "p2", new FeedPosition(9, 0))).Should().BeFalse();
        (await second.GetCheckpointAsync("mailer")).Should().Be(new FeedPosition(7, 0));

        clock.Advance(TimeSpan.FromSeconds(31));
        (await first.TrySaveCheckpointAsync("mailer", "p1", new FeedPosition(8, 0))).Should().BeFalse("the lease expired");
        (await second.TryAcquireLeaseAsync("mailer", "p2", TimeSpan.FromSeconds(30))).Should().BeTrue("an expired lease is taken over");
        (await first.TryAcquireLeaseAsync("mailer", "p1", TimeSpan.FromSeconds(30))).Should().BeFalse();

        await second.ReleaseLeaseAsync("mailer", "p2");
        (await first.TryAcquireLeaseAsync("mailer", "p1", TimeSpan.FromSeconds(30))).Should().BeTrue("a released lease is free at once");
        (await first.GetCheckpointAsync("other")).Should().Be(FeedPosition.Start);
    }

    [Fact]
    public async Task GetAsync_DamagedDataJson_ThrowsNamingTheDealNotTheContent()
    {
        var store = Open();
        var deal = ContractDeals.NewDeal("bad");
        await store.TrySaveAsync(deal, 0, [ContractDeals.Started(deal)]);
        await ExecuteAsync("UPDATE salesflow_deals SET data = '{\"Customer\": \"top-secret' WHERE id = 'bad'");

        var act = async () => await store.GetAsync("bad");

        var thrown = await act.Should().ThrowAsync<DealDataDamagedException>().WithMessage("*'bad'*");
        thrown.Which.DealId.Should().Be("bad");
        thrown.Which.Message.Should().NotContain("top-secret");
    }

    [Fact]
    public async Task GetEventsAsync_DamagedPayload_ThrowsNamingTheDeal()
    {
        var store = Open();
        var deal = ContractDeals.NewDeal("bad-event");
        await store.TrySaveAsync(deal, 0, [ContractDeals.Started(deal, note: "n")]);
        await ExecuteAsync("UPDATE salesflow_deal_events SET payload = '{\"note\": \"top-secret' WHERE deal_id = 'bad-event'");

        var act = async () => await Open().GetEventsAsync("bad-event");

        (await act.Should().ThrowAsync<DealDataDamagedException>()).Which.Message.Should().Contain("'bad-event'").And.NotContain("top-secret");
    }

    [Fact]
    public async Task QueryAsync_DamagedRow_IsReportedAndTheRestOfThePageReturned()
    {
        var store = Open();
        foreach (var id in new[] { "d1", "d2", "d3", "d4" })
        {
            var deal = ContractDeals.NewDeal(id);
            await store.TrySaveAsync(deal, 0, [ContractDeals.Started(deal)]);
        }

        await ExecuteAsync("UPDATE salesflow_deals SET data = 'not json' WHERE id = 'd2'");

        var page = await Open().QueryAsync(new DealQuery { Limit = 3 });

        page.Deals.Select(d => d.Id).Should().Equal("d1", "d3");
        page.Damaged.Should().ContainSingle().Which.DealId.Should().Be("d2");
        page.NextAfterDealId.Should().Be("d3");
        (await store.QueryAsync(new DealQuery { Limit = 3, AfterDealId = "d3" })).Deals.Select(d => d.Id).Should().Equal("d4");
    }

    [Fact]
    public async Task TrySaveAsync_64WritersWhileAnotherProcessHoldsTheLock_NoThreadIsBlockedForThem()
    {
        // 64 writers on 32 store objects of one file, while another connection (another process) holds the write lock.
        // Writers that blocked a thread each while they wait would starve the thread pool of 2 cores; queued writers
        // wait asynchronously, so only the one writer that waits inside SQLite holds a thread, and the heartbeat keeps time.
        const int storeCount = 32, writers = 64;
        var stores = Enumerable.Range(0, storeCount).Select(_ => Open()).ToList();
        await stores[0].EnsureSchemaAsync();
        foreach (var s in stores)
        {
            await s.EnsureSchemaAsync();
        }

        var deals = new List<Deal>();
        for (var i = 0; i < writers; i++)
        {
            var deal = ContractDeals.NewDeal($"w{i}");
            await stores[0].TrySaveAsync(deal, 0, [ContractDeals.Started(deal)]);
            deals.Add(deal);
        }

        await using var other = new SqliteConnection($"Data Source={_file.Path};Pooling=False");
        await other.OpenAsync();
        var holding = other.BeginTransaction(deferred: false);

        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var ticks = new System.Collections.Concurrent.ConcurrentQueue<TimeSpan>();
        var heartbeat = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token))
                {
                    ticks.Enqueue(clock.Elapsed);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        await Task.Delay(100);

        var holdStart = clock.Elapsed;
        var saves = Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            var (next, e) = ContractDeals.Next(deals[i]);
            return await stores[i % storeCount].TrySaveAsync(next, 1, [e]);
        })).ToList();

        // A work item queued behind all 64 writers: a pool with a thread blocked per writer runs it only after it has
        // grown to 64 threads or the writers gave up, long after the hold below.
        var probe = Task.Run(() => saves.Count(t => !t.IsCompleted));
        await Task.Delay(TimeSpan.FromSeconds(3));
        var holdEnd = clock.Elapsed;
        saves.Should().OnlyContain(t => !t.IsCompleted, "the write lock is held by another process");
        probe.IsCompleted.Should().BeTrue("no thread-pool thread is blocked per waiting writer");
        holding.Commit();
        var results = await Task.WhenAll(saves);
        await stop.CancelAsync();
        await heartbeat;

        results.Should().OnlyContain(saved => saved);
        (await probe).Should().Be(writers, "the probe ran while every writer still waited for the lock");

        // The heartbeat ticks every 10 ms, about 300 times in the hold. A starved pool misses nearly all of them until
        // the lock is released; a busy machine delays some, so only the count is asserted, not the longest gap.
        ticks.Count(t => t > holdStart && t < holdEnd).Should().BeGreaterThan(30, "the heartbeat keeps ticking while 64 writers wait for 3 s");
    }

    private SqliteDealStore Open(TimeProvider? time = null)
    {
        var store = new SqliteDealStore(_pipelines, new SqliteDealStoreOptions { DataSource = _file.Path, TimeProvider = time });
        _stores.Add(store);
        return store;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_file.Path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
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
