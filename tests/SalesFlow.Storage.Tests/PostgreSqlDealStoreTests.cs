using System.Collections.Concurrent;
using Npgsql;
using SalesFlow.PostgreSql;
using SalesFlow.Storage.Relational;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests;

/// <summary>What only the PostgreSQL store does: options, schema versions, precision and failure handling.</summary>
[Collection(PostgresServerTests.Name)]
public sealed class PostgreSqlDealStoreTests : IAsyncLifetime
{
    private readonly PipelineRegistry _pipelines = ContractPipeline.Registry();
    private readonly List<PostgreSqlDealStore> _stores = [];
    private TemporaryPostgresSchema? _schema;

    private TemporaryPostgresSchema Schema => _schema ??= new TemporaryPostgresSchema();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
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

    [Theory]
    [InlineData("Host=db;Database=crm", 32)]
    [InlineData("Host=db;Password=MaxAutoPrepare;Database=crm", 32)]
    [InlineData("Host=db;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;maxautoprepare=5", 5)]
    public void WithAutoPrepare_PreparesStatementsUnlessTheConnectionStringSaysOtherwise(string connectionString, int expected)
    {
        var prepared = new NpgsqlConnectionStringBuilder(PostgreSqlDealStore.WithAutoPrepare(connectionString));

        prepared.MaxAutoPrepare.Should().Be(expected);
        prepared.Host.Should().Be("db");
    }

    [Theory]
    [InlineData("")]
    [InlineData("Salesflow")]
    [InlineData("sales-flow")]
    [InlineData("1abc")]
    [InlineData("x; DROP SCHEMA public")]
    [InlineData("\"quoted\"")]
    [InlineData("a_very_long_schema_name_that_goes_past_sixty_three_characters_xx")]
    public void Constructor_SchemaNotAPlainIdentifier_Throws(string schema)
    {
        var act = () => new PostgreSqlDealStore(_pipelines, new PostgreSqlDealStoreOptions { ConnectionString = "Host=localhost", Schema = schema });

        act.Should().Throw<ArgumentException>().WithMessage("*Schema*identifier*");
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => new PostgreSqlDealStore(null!, new PostgreSqlDealStoreOptions { ConnectionString = "Host=localhost" })).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new PostgreSqlDealStore(_pipelines, null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new PostgreSqlDealStore(_pipelines, new PostgreSqlDealStoreOptions())).Should().Throw<ArgumentException>().WithMessage("*ConnectionString*");
        using var dataSource = NpgsqlDataSource.Create("Host=localhost");
        FluentActions.Invoking(() => new PostgreSqlDealStore(_pipelines, new PostgreSqlDealStoreOptions { ConnectionString = "Host=localhost", DataSource = dataSource })).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Options_Defaults_AreDocumentedValues()
    {
        var options = new PostgreSqlDealStoreOptions();

        options.Schema.Should().Be("salesflow").And.Be(PostgreSqlDealStoreOptions.DefaultSchema);
        options.ConnectionString.Should().BeNull();
        options.DataSource.Should().BeNull();
    }

    [PostgresFact]
    public async Task EnsureSchemaAsync_EmptyDatabase_CreatesSchemaTablesIndexesAndVersion()
    {
        var store = Open();

        await store.EnsureSchemaAsync();

        store.Schema.Should().Be(Schema.Name);
        (await Schema.ScalarAsync($"SELECT string_agg(version::text, ',') FROM \"{Schema.Name}\".schema_version")).Should().Be("1,2,3,4,5");
        var indexes = (string)(await Schema.ScalarAsync($"SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = '{Schema.Name}'"))!;
        indexes.Split(',').Should().Contain(["ix_deals_pipeline_stage", "ix_deals_follow_up", "ix_deals_last_activity", "ix_deals_owner", "deals_pkey", "deal_events_pkey"]);
    }

    [PostgresFact]
    public async Task EnsureSchemaAsync_ManyProcessesAtOnce_MigrateOnce()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => Open()).ToList();

        await Task.WhenAll(stores.Select(s => s.EnsureSchemaAsync().AsTask()));

        (await Schema.ScalarAsync($"SELECT count(*) FROM \"{Schema.Name}\".schema_version")).Should().Be((long)PostgreSqlDealStore.SchemaVersion);
    }

    [PostgresFact]
    public async Task EnsureSchemaAsync_NewerSchema_ThrowsSayingWhatToDo()
    {
        await Open().EnsureSchemaAsync();
        await Schema.ExecuteAsync($"INSERT INTO \"{Schema.Name}\".schema_version (version) VALUES (999)");

        var act = async () => await Open().GetAsync("x");

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*version 999*Upgrade the SalesFlow.PostgreSql package*");
    }

    [PostgresFact]
    public async Task StartAndFire_HostConstraintRefusesTheRow_DealStoreExceptionNotAConflict()
    {
        var engine = new SalesFlowEngine(_pipelines, Open());
        await engine.StartAsync(ContractPipeline.Id, "fine", new ContractDealData(), "alice");
        await Schema.ScalarAsync($"ALTER TABLE \"{Schema.Name}\".deals ADD CONSTRAINT ck_test_owner CHECK (owner IS DISTINCT FROM 'blocked')");
        await Schema.ScalarAsync($"ALTER TABLE \"{Schema.Name}\".deals ADD CONSTRAINT ck_test_version CHECK (version < 2)");

        var start = async () => await engine.StartAsync(ContractPipeline.Id, "refused", new ContractDealData(), new StartRequest("alice") { Owner = "blocked" });
        var move = async () => await engine.FireAsync("fine", "toggle", new FireRequest("bob"));

        // Before the fix every class-23 SQLSTATE counted as a conflict: "deal exists" for the start, retries then Conflict for the move.
        var refused = (await start.Should().ThrowAsync<DealStoreException>()).Which;
        (refused.Operation, refused.Outcome, refused.IsTransient, refused.ErrorCode).Should().Be(("save", StoreWriteOutcome.NothingWritten, false, "23514"));
        (await move.Should().ThrowAsync<DealStoreException>()).Which.ErrorCode.Should().Be("23514");
        (await engine.Store.GetAsync("refused")).Should().BeNull();
        (await engine.GetAsync("fine")).Version.Should().Be(1);
    }

    [PostgresFact]
    public async Task TrySaveAsync_ConnectionKilledBeforeCommit_LeavesNeitherStateNorEvent()
    {
        var store = Open();
        var engine = new SalesFlowEngine(_pipelines, store);
        await engine.StartAsync(ContractPipeline.Id, "broken", new ContractDealData(), "alice");
        store.OnSaveStep = SaveSteps.At<NpgsqlConnection>(SaveStep.BeforeCommit, async (connection, ct) =>
        {
            // As if the server or network dropped the session mid-transaction.
            await using var admin = new NpgsqlConnection(Schema.ConnectionString);
            await admin.OpenAsync(ct);
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", admin);
            kill.Parameters.AddWithValue("pid", connection.ProcessID);
            await kill.ExecuteNonQueryAsync(ct);
        });

        var act = async () => await engine.FireAsync("broken", "toggle", new FireRequest("bob"));

        var failure = (await act.Should().ThrowAsync<DealStoreException>()).Which;
        failure.InnerException.Should().BeAssignableTo<NpgsqlException>();
        (failure.Store, failure.Operation, failure.Outcome).Should().Be(("PostgreSQL", "save", StoreWriteOutcome.NothingWritten));
        var fresh = Open();
        (await fresh.GetAsync("broken"))!.Should().Match<Deal>(d => d.StageId == "open" && d.Version == 1);
        (await fresh.GetEventsAsync("broken")).Should().ContainSingle();
    }

    [PostgresFact]
    public async Task TrySaveAsync_ConnectionClosedBeforeCommit_CreatesNothing()
    {
        var store = Open();
        store.OnSaveStep = SaveSteps.At<NpgsqlConnection>(SaveStep.BeforeCommit, async (connection, _) => await connection.CloseAsync());
        var deal = ContractDeals.NewDeal("never");

        var act = async () => await store.TrySaveAsync(deal, 0, [ContractDeals.Started(deal)]);

        await act.Should().ThrowAsync<Exception>();
        (await Open().GetAsync("never")).Should().BeNull();
        (await Schema.ScalarAsync($"SELECT count(*) FROM \"{Schema.Name}\".deal_events")).Should().Be(0L);
    }

    [PostgresFact]
    public async Task TrySaveAsync_SubMicrosecondTicks_AreKeptToTheMicrosecond()
    {
        var store = Open();
        var precise = ContractDeals.T0.AddTicks(1234567); // 123.4567 ms: the last tick is below PostgreSQL's microsecond
        var deal = ContractDeals.NewDeal("precise", at: precise);

        await store.TrySaveAsync(deal, 0, [ContractDeals.Started(deal)]);

        var loaded = (await store.GetAsync("precise"))!;
        loaded.CreatedAt.Offset.Should().Be(TimeSpan.Zero);
        loaded.CreatedAt.Should().BeCloseTo(precise, TimeSpan.FromMicroseconds(1));
        loaded.CreatedAt.UtcTicks.Should().Be(precise.UtcTicks / 10 * 10);
    }

    [PostgresFact]
    public async Task FireAsync_ServerEndsTheConnectionDuringTheSave_TransientDealStoreExceptionAndNothingWritten()
    {
        var store = Open();
        var engine = new SalesFlowEngine(_pipelines, store);
        await engine.StartAsync(ContractPipeline.Id, "ended", new ContractDealData(), "alice");
        store.OnSaveStep = SaveSteps.At<NpgsqlConnection>(SaveStep.BeforeCommit, async (connection, ct) =>
        {
            // The server ends this very session (as a restart or an administrator would) before the commit.
            await using var self = new NpgsqlCommand("SELECT pg_terminate_backend(pg_backend_pid())", connection);
            await self.ExecuteNonQueryAsync(ct);
        });

        var act = async () => await engine.FireAsync("ended", "toggle", new FireRequest("bob"));

        var failure = (await act.Should().ThrowAsync<DealStoreException>()).Which;
        failure.InnerException.Should().BeOfType<PostgresException>().Which.SqlState.Should().Be("57P01");
        (failure.Operation, failure.NotCommitted, failure.IsTransient, failure.ErrorCode).Should().Be(("save", true, true, "57P01"));
        store.OnSaveStep = null;
        (await engine.GetAsync("ended")).Version.Should().Be(1);
        (await engine.FireAsync("ended", "toggle", new FireRequest("bob"))).Accepted.Should().BeTrue("the next call gets a fresh connection");
    }

    [PostgresFact]
    public async Task GetAsync_UnreachableServer_ReadDealStoreException()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(Schema.ConnectionString) { Port = 1, Timeout = 2 }.ConnectionString;
        await using var store = new PostgreSqlDealStore(_pipelines, new PostgreSqlDealStoreOptions { ConnectionString = unreachable, Schema = Schema.Name });

        var act = async () => await store.GetAsync("any");

        var failure = (await act.Should().ThrowAsync<DealStoreException>()).Which;
        (failure.Store, failure.Operation, failure.NotCommitted).Should().Be(("PostgreSQL", "schema", true));
        failure.InnerException.Should().BeAssignableTo<NpgsqlException>();
    }

    [PostgresFact]
    public async Task EventsTable_DuplicateSequence_IsRejectedByThePrimaryKey()
    {
        var store = Open();
        var deal = ContractDeals.NewDeal("pk");
        await store.TrySaveAsync(deal, 0, [ContractDeals.Started(deal)]);

        var act = async () => await Schema.ExecuteAsync(
            $"INSERT INTO \"{Schema.Name}\".deal_events (tenant_id, deal_id, sequence, kind, occurred_at, actor, to_stage, payload) VALUES ('default', 'pk', 1, 'Activity', now(), 'x', 'open', '{{}}')");

        (await act.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.UniqueViolation);
    }

    [PostgresFact]
    public async Task QueryAsync_ByPipelineAndStage_CanUseTheIndex()
    {
        await Open().EnsureSchemaAsync();
        await using var connection = new NpgsqlConnection(Schema.ConnectionString);
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using var explain = new NpgsqlCommand(
            $"EXPLAIN SELECT id FROM \"{Schema.Name}\".deals WHERE tenant_id = 'default' AND pipeline_id = 'p' AND stage_id = 's' AND id > 'a' ORDER BY id LIMIT 10", connection);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        string.Join('\n', plan).Should().Contain("ix_deals_pipeline_stage").And.NotContain("Sort");
    }

    [PostgresFact]
    public async Task Store_WithSharedDataSource_DoesNotDisposeIt()
    {
        await using var dataSource = NpgsqlDataSource.Create(Schema.ConnectionString);
        var store = new PostgreSqlDealStore(_pipelines, new PostgreSqlDealStoreOptions { DataSource = dataSource, Schema = Schema.Name });
        var deal = ContractDeals.NewDeal("shared");
        await store.TrySaveAsync(deal, 0, [ContractDeals.Started(deal)]);

        await store.DisposeAsync();

        await using var connection = await dataSource.OpenConnectionAsync();
        connection.State.Should().Be(System.Data.ConnectionState.Open);
    }

    [PostgresFact]
    public async Task TrySaveAsync_SeveralDealsOneConflicts_SavesNothing()
    {
        var store = Open();
        var a = ContractDeals.NewDeal("a");
        var b = ContractDeals.NewDeal("b");
        await store.TrySaveAsync(a, 0, [ContractDeals.Started(a)]);
        await store.TrySaveAsync(b, 0, [ContractDeals.Started(b)]);
        var (a2, a2Event) = ContractDeals.Next(a, "kept out");
        var (b2, b2Event) = ContractDeals.Next(b);
        (await store.TrySaveAsync(b2, 1, [b2Event])).Should().BeTrue();
        var (stale, staleEvent) = ContractDeals.Next(b, "stale");
        var created = ContractDeals.NewDeal("c");

        var saved = await Open().TrySaveAsync(
            [new DealWrite(a2, 1, [a2Event]), new DealWrite(created, 0, [ContractDeals.Started(created)]), new DealWrite(stale, 1, [staleEvent])]);

        saved.Should().BeFalse();
        (await store.GetAsync("a"))!.Version.Should().Be(1);
        (await store.GetAsync("c")).Should().BeNull();
        (await Schema.ScalarAsync($"SELECT count(*) FROM \"{Schema.Name}\".deal_events WHERE deal_id IN ('a', 'c')")).Should().Be(1L);

        var (b3, b3Event) = ContractDeals.Next(b2);
        (await store.TrySaveAsync([new DealWrite(a2, 1, [a2Event]), new DealWrite(b3, 2, [b3Event])])).Should().BeTrue();
        (await Open().GetAsync("b"))!.Version.Should().Be(3);
    }

    [PostgresFact]
    public async Task EnsureSchemaAsync_VersionOneSchema_BackfillsStageEnteredSequenceAndKeepsEventsInTheFeed()
    {
        var v1 = new PostgreSqlSchema(Schema.Name).Migrator.Migrations[0];
        var t0 = "'2025-01-01T00:00:00Z'";
        await Schema.ExecuteAsync(
            $"CREATE SCHEMA \"{Schema.Name}\"; " + v1 + $"; SET search_path TO \"{Schema.Name}\";" +
            " CREATE TABLE schema_version (version integer NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now()); INSERT INTO schema_version (version) VALUES (1);" +
            $"INSERT INTO deals VALUES ('old', 'store-contract', 1, 'working', 'open', 3, 3, {t0}, {t0}, {t0}, {t0}, NULL, NULL, 'Open', NULL, NULL, '{{}}', '{{}}');" +
            $"INSERT INTO deal_events VALUES ('old', 1, 'Started', {t0}, 'a', NULL, NULL, 'open', '{{}}'), ('old', 2, 'Transition', {t0}, 'a', 'toggle', 'open', 'working', '{{}}'), ('old', 3, 'Activity', {t0}, 'a', NULL, 'working', 'working', '{{}}');");

        var store = Open();

        (await store.GetAsync("old"))!.StageEnteredSequence.Should().Be(2);
        (await ReadFeedAsync(store, expected: 3)).Select(f => f.Event.Sequence).Should().Equal(1, 2, 3);
    }

    [PostgresFact]
    public async Task ReadFeedAsync_ConcurrentWritersOnManyDeals_DeliversEveryEventOnceInSequenceOrderPerDeal()
    {
        const int dealCount = 24, writerCount = 6, savesPerWriter = 40;
        var writerStores = Enumerable.Range(0, 3).Select(_ => Open()).ToList();
        var reader = Open();
        await reader.ImportAsync([ContractDeals.Imported("imported", 3)]);
        for (var d = 0; d < dealCount; d++)
        {
            var deal = ContractDeals.NewDeal($"deal-{d:D2}");
            await writerStores[0].TrySaveAsync(deal, 0, [ContractDeals.Started(deal)]);
        }

        // The reader follows the feed until told to stop. Events of transactions still running anywhere on the server
        // are held back (never skipped), so it stops once everything stored has arrived, or after a generous time.
        using var stop = new CancellationTokenSource();
        var delivered = new ConcurrentQueue<FeedEvent>();
        var follow = Task.Run(async () =>
        {
            var after = FeedPosition.Start;
            while (!stop.IsCancellationRequested)
            {
                var page = await reader.ReadFeedAsync(after, 50);
                foreach (var f in page)
                {
                    delivered.Enqueue(f);
                }

                after = page.Count > 0 ? page[^1].Position : after;
                if (page.Count == 0)
                {
                    await Task.Delay(5);
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, writerCount).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < savesPerWriter; i++)
            {
                var store = writerStores[random.Next(writerStores.Count)];
                var ids = random.Next(4) == 0
                    ? new[] { $"deal-{random.Next(dealCount):D2}", $"deal-{random.Next(dealCount):D2}" }.Distinct().ToArray()
                    : [$"deal-{random.Next(dealCount):D2}"];
                while (true)
                {
                    var writes = new List<DealWrite>();
                    foreach (var id in ids)
                    {
                        var current = (await store.GetAsync(id))!;
                        var (next, e) = ContractDeals.Next(current, $"w{w}-{i}");
                        writes.Add(new DealWrite(next, current.Version, [e]));
                    }

                    if (await store.TrySaveAsync(writes))
                    {
                        break;
                    }
                }
            }
        })));

        var stored = new List<DealEvent>();
        foreach (var id in Enumerable.Range(0, dealCount).Select(d => $"deal-{d:D2}").Append("imported"))
        {
            stored.AddRange(await reader.GetEventsAsync(id));
        }

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (delivered.Count < stored.Count && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(20);
        }

        await Task.Delay(100); // anything delivered twice would arrive now
        await stop.CancelAsync();
        await follow;

        delivered.Select(f => (f.Event.DealId, f.Event.Sequence)).Should().OnlyHaveUniqueItems("every event is delivered once")
            .And.BeEquivalentTo(stored.Select(e => (e.DealId, e.Sequence)), "no event is skipped");
        delivered.Select(f => f.Position).Should().BeInAscendingOrder();
        foreach (var perDeal in delivered.GroupBy(f => f.Event.DealId))
        {
            perDeal.Select(f => f.Event.Sequence).Should().BeInAscendingOrder($"deal {perDeal.Key} is delivered in sequence order");
        }
    }

    [PostgresFact]
    public async Task TrySaveAsync_SeveralDealsWhoseTransactionIsOlderThanADealsLastEvent_RefusesSoTheFeedStaysInSequenceOrder()
    {
        var store = Open();
        var a = ContractDeals.NewDeal("a");
        var d = ContractDeals.NewDeal("d");
        await store.TrySaveAsync(a, 0, [ContractDeals.Started(a)]);
        await store.TrySaveAsync(d, 0, [ContractDeals.Started(d)]);
        var (a2, a2Event) = ContractDeals.Next(a);
        var (d2, d2Event) = ContractDeals.Next(d);
        var (d3, d3Event) = ContractDeals.Next(d2);

        // Another session holds deal 'a', so the two-deal save takes its transaction id and then waits …
        await using var blocker = new NpgsqlConnection(Schema.ConnectionString);
        await blocker.OpenAsync();
        var holding = await blocker.BeginTransactionAsync();
        await using (var lockA = new NpgsqlCommand($"SELECT 1 FROM \"{Schema.Name}\".deals WHERE id = 'a' FOR UPDATE", blocker, holding))
        {
            await lockA.ExecuteNonQueryAsync();
        }

        var older = store.TrySaveAsync([new DealWrite(a2, 1, [a2Event]), new DealWrite(d3, 2, [d3Event])]).AsTask();
        await Task.Delay(500);

        // … while a younger transaction writes deal 'd' and commits first.
        (await Open().TrySaveAsync(d2, 1, [d2Event])).Should().BeTrue();
        await holding.RollbackAsync();

        (await older).Should().BeFalse("its event would otherwise come before the younger transaction's in the feed");
        (await store.TrySaveAsync([new DealWrite(a2, 1, [a2Event]), new DealWrite(d3, 2, [d3Event])])).Should().BeTrue("a new transaction is younger");
        var feed = await ReadFeedAsync(store, expected: 5);
        feed.Where(f => f.Event.DealId == "d").Select(f => f.Event.Sequence).Should().Equal(1, 2, 3);
    }

    [PostgresFact]
    public async Task Leases_TwoStoresOnOneDatabase_OneHolderUntilExpiryOrRelease()
    {
        var first = Open();
        var second = Open();

        (await first.TryAcquireLeaseAsync("mailer", "p1", TimeSpan.FromMilliseconds(800))).Should().BeTrue();
        (await second.TryAcquireLeaseAsync("mailer", "p2", TimeSpan.FromSeconds(30))).Should().BeFalse();
        (await first.TrySaveCheckpointAsync("mailer", "p1", new FeedPosition(7, 3))).Should().BeTrue();
        (await second.TrySaveCheckpointAsync("mailer", "p2", new FeedPosition(9, 0))).Should().BeFalse();
        (await second.GetCheckpointAsync("mailer")).Should().Be(new FeedPosition(7, 3));

        await Task.Delay(1200);
        (await first.TrySaveCheckpointAsync("mailer", "p1", new FeedPosition(8, 0))).Should().BeFalse("the lease expired");
        (await second.TryAcquireLeaseAsync("mailer", "p2", TimeSpan.FromSeconds(30))).Should().BeTrue("an expired lease is taken over");
        (await first.TryAcquireLeaseAsync("mailer", "p1", TimeSpan.FromSeconds(30))).Should().BeFalse();

        await second.ReleaseLeaseAsync("mailer", "p2");
        (await first.TryAcquireLeaseAsync("mailer", "p1", TimeSpan.FromSeconds(30))).Should().BeTrue("a released lease is free at once");
    }

    [PostgresFact]
    public async Task Leases_ManyStoresRacing_OnlyOneHolder()
    {
        var stores = Enumerable.Range(0, 8).Select(_ => Open()).ToList();
        await stores[0].EnsureSchemaAsync();

        var acquired = await Task.WhenAll(stores.Select((s, i) => s.TryAcquireLeaseAsync("race", $"p{i}", TimeSpan.FromSeconds(30)).AsTask()));

        acquired.Count(a => a).Should().Be(1);
    }

    [PostgresFact]
    public async Task GetAsync_DamagedData_ThrowsNamingTheDealAndQueryReportsIt()
    {
        var store = Open();
        foreach (var id in new[] { "d1", "d2", "d3" })
        {
            var deal = ContractDeals.NewDeal(id);
            await store.TrySaveAsync(deal, 0, [ContractDeals.Started(deal, note: "n")]);
        }

        await Schema.ExecuteAsync($"UPDATE \"{Schema.Name}\".deals SET data = '{{\"Counter\": \"top-secret\"}}' WHERE id = 'd2'");
        await Schema.ExecuteAsync($"UPDATE \"{Schema.Name}\".deal_events SET payload = '{{\"overriddenGuards\": \"top-secret\"}}' WHERE deal_id = 'd3'");
        var fresh = Open();

        var get = async () => await fresh.GetAsync("d2");
        (await get.Should().ThrowAsync<DealDataDamagedException>()).Which.Message.Should().Contain("'d2'").And.NotContain("top-secret");
        var events = async () => await fresh.GetEventsAsync("d3");
        (await events.Should().ThrowAsync<DealDataDamagedException>()).Which.DealId.Should().Be("d3");
        var page = await fresh.QueryAsync(new DealQuery());
        page.Deals.Select(d => d.Id).Should().Equal("d1", "d3");
        page.Damaged.Should().ContainSingle().Which.DealId.Should().Be("d2");
    }

    [PostgresFact]
    public async Task ImportAsync_DealsOnPipelinesNotRegistered_ListsEachAndWritesNothing()
    {
        var store = Open();
        var batch = Enumerable.Range(0, 6).Select(i => ContractDeals.Imported($"imp-{i}", 2)).ToList();
        batch[1] = batch[1] with { Deal = batch[1].Deal with { PipelineVersion = 99 } };
        batch[4] = batch[4] with { Deal = batch[4].Deal with { PipelineId = "elsewhere" } };

        var act = async () => await store.ImportAsync(batch);

        var problems = (await act.Should().ThrowAsync<DealImportException>()).Which.Problems;
        problems.Should().HaveCount(2);
        problems[0].Should().Contain("'imp-1'").And.Contain("v99");
        problems[1].Should().Contain("'imp-4'").And.Contain("'elsewhere'");
        (await store.QueryAsync(new DealQuery())).Deals.Should().BeEmpty();
    }

    // A deal whose data cannot be written (not its pipeline's data type) refuses the batch whole, and the store goes on
    // working. It sits two hundred deals in, so that a store that wrote each deal's data with its row would have sent
    // rows of the batch already.
    [PostgresFact]
    public async Task ImportAsync_DataThatCannotBeWrittenHalfwayThroughTheBatch_LeavesNothingAndTheFixedBatchImports()
    {
        var store = Open();
        var batch = Enumerable.Range(0, 300).Select(i => ContractDeals.Imported($"imp-{i:D3}", 1 + (i % 3))).ToList();
        var broken = batch.ToList();
        broken[200] = broken[200] with { Deal = broken[200].Deal with { Data = "not the pipeline's data type" } };

        var act = async () => await store.ImportAsync(broken);

        await act.Should().ThrowAsync<ArgumentException>();
        (await store.QueryAsync(new DealQuery { Limit = 500 })).Deals.Should().BeEmpty();
        (await store.GetEventsAsync("imp-000")).Should().BeEmpty();

        await store.ImportAsync(batch);

        (await store.QueryAsync(new DealQuery { Limit = 500 })).Deals.Should().HaveCount(300);
        (await Open().GetAsync("imp-200")).Should().BeEquivalentTo(batch[200].Deal);
    }

    // The feed holds back events while any older transaction on the server still runs (other tests, other databases):
    // they arrive late, never out of order, so a test waits for the count it expects.
    private static async Task<IReadOnlyList<FeedEvent>> ReadFeedAsync(PostgreSqlDealStore store, int expected)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var feed = await store.ReadFeedAsync(FeedPosition.Start, 1000);
            if (feed.Count >= expected || waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                return feed;
            }

            await Task.Delay(20);
        }
    }

    private PostgreSqlDealStore Open()
    {
        var store = new PostgreSqlDealStore(_pipelines, new PostgreSqlDealStoreOptions { ConnectionString = Schema.ConnectionString, Schema = Schema.Name });
        _stores.Add(store);
        return store;
    }
}
