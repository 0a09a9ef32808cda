using SalesFlow.Testing.Reports;
using Microsoft.Extensions.Time.Testing;
using SalesFlow.PostgreSql;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing.CrmExports;

namespace SalesFlow.Storage.Tests.Reports;

/// <summary>
/// The SQL reports of PostgreSQL equal the reference <see cref="SalesReports"/> over the same store, exactly, for hand-made
/// histories (skips, backward moves, reopens, re-entries, internal actions, open and migrated deals), random engine
/// histories with a migration in the middle, and a few thousand imported deals.
/// </summary>
[Collection(PostgresServerTests.Name)]
public sealed class PostgreSqlDealReportsTests : IAsyncLifetime
{
    private const string PipelineId = ReportPipeline.Id;
    private static readonly DateTimeOffset Day0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

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

    [PostgresFact]
    public async Task Reports_StandardHistory_EqualTheReference()
    {
        var (registry, store, time, engine) = await OpenAsync(ReportPipeline.V1());
        await StandardHistoryAsync(engine, time);

        var funnel = await CompareAsync(registry, store, time, Windows(-10, 45));

        funnel.Should().BeGreaterThan(0, "the windows hold deals");
        var outcomes = await store.Reports(time).OutcomesAsync(new ReportRequest(PipelineId, new ReportWindow(Day0, Day0.AddDays(30))));
        outcomes.Won.Should().Be(3, "d1, d2 and d3 were won in the window");
        outcomes.Lost.Should().Be(1, "d4 was reopened; d5 stays lost");
    }

    [PostgresFact]
    public async Task Reports_MigratedHistory_EqualTheReferenceForBothVersions()
    {
        var (registry, store, time, engine) = await OpenAsync(ReportPipeline.V1(), ReportPipeline.V2());
        time.SetUtcNow(Day0);
        await StartAsync(engine, "m1", "alice", 1000m, version: 1);
        await StartAsync(engine, "m2", "bob", 500m, version: 1);
        await StartAsync(engine, "m3", "carol", 700m, version: 1);
        time.SetUtcNow(Day0.AddDays(1));
        (await engine.FireAsync("m1", "meet", new FireRequest("test"))).EnsureAccepted();
        (await engine.FireAsync("m3", "meet", new FireRequest("test"))).EnsureAccepted();
        (await engine.FireAsync("m3", "call", new FireRequest("test"))).EnsureAccepted();
        time.SetUtcNow(Day0.AddDays(3));
        (await engine.ApplyMigrationAsync(ReportPipeline.Migration(), "admin")).Failed.Should().Be(0);
        time.SetUtcNow(Day0.AddDays(4));
        (await engine.FireAsync("m2", "lose", new FireRequest("test"))).EnsureAccepted();
        time.SetUtcNow(Day0.AddDays(5));
        (await engine.FireAsync("m1", "propose", new FireRequest("test"))).EnsureAccepted();
        time.SetUtcNow(Day0.AddDays(6));
        (await engine.FireAsync("m1", "win", new FireRequest("test"))).EnsureAccepted();
        time.SetUtcNow(Day0.AddDays(10));

        var windows = Windows(-1, 12);
        await CompareAsync(registry, store, time, windows);
        await CompareAsync(registry, store, time, windows, version: 1);

        var times = await new PostgreSqlDealReports(registry, store, time).TimeInStageAsync(new ReportRequest(PipelineId, ReportWindow.All));
        times.Stages.Single(s => s.StageId == "talks").Latest.Count.Should().Be(1, "m1's stay in meeting went on as talks and ended with its proposal");
    }

    [PostgresFact]
    public async Task Reports_RandomEngineHistories_EqualTheReference()
    {
        var (registry, store, time, engine) = await OpenAsync(ReportPipeline.V1(), ReportPipeline.V2());
        var random = new Random(4711);
        string[] triggers = ["meet", "propose", "revisit", "restart", "win", "lose", "reopen", "call"];
        var deals = new List<string>();
        var fired = 0;
        for (var step = 0; step < 3000; step++)
        {
            time.Advance(TimeSpan.FromMinutes(random.Next(1, 600)) + TimeSpan.FromTicks(random.Next(0, 10_000_000)));
            if (step == 1500)
            {
                await engine.ApplyMigrationAsync(ReportPipeline.Migration(), "admin");
            }

            if (deals.Count < 10 || random.NextDouble() < 0.15)
            {
                var id = "r" + deals.Count.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
                await StartAsync(engine, id, random.Next(4) == 0 ? null : "owner" + random.Next(5), random.Next(5) == 0 ? null : random.Next(100, 10_000), version: step < 1500 ? 1 : 2);
                deals.Add(id);
            }
            else
            {
                var result = await engine.FireAsync(deals[random.Next(deals.Count)], triggers[random.Next(triggers.Length)], new FireRequest("test"));
                fired += result.Accepted ? 1 : 0;
            }
        }

        time.Advance(TimeSpan.FromDays(3));

        fired.Should().BeGreaterThan(500, "the random walk moves deals");
        var start = Day0.AddDays(-10);
        var end = time.GetUtcNow();
        var windows = new List<ReportWindow> { ReportWindow.All };
        for (var i = 0; i < 6; i++)
        {
            var from = start + ((end - start) * random.NextDouble());
            windows.Add(new ReportWindow(from, from + ((end - from) * random.NextDouble()) + TimeSpan.FromTicks(1)));
        }

        await CompareAsync(registry, store, time, windows);
        await CompareAsync(registry, store, time, windows, version: 1);
    }

    [PostgresFact]
    public async Task Reports_ImportedHistory_EqualTheReference()
    {
        var pipeline = PipelineJson.Parse(CrmExportGenerator.PipelineJson);
        var registry = new PipelineRegistry(pipeline);
        var store = await OpenStoreAsync(registry);
        var export = new CrmExportGenerator(41).History(3000);
        var result = await new CrmImporter(store, pipeline, ImportMapping.Parse(CrmExportGenerator.HistoryMapping), new CrmImportOptions { BatchSize = 500 })
            .ImportAsync(new StringReader(export.Csv));
        result.DealsImported.Should().Be(export.Deals.Count);
        var time = new FakeTimeProvider(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var events = await ReadEventTimesAsync(store);
        var windows = new List<ReportWindow> { ReportWindow.All };
        var random = new Random(5);
        for (var i = 0; i < 4; i++)
        {
            var a = events[random.Next(events.Count)];
            var b = events[random.Next(events.Count)];
            windows.Add(new ReportWindow(a < b ? a : b, (a < b ? b : a) + TimeSpan.FromTicks(10)));
        }

        var cohort = await CompareAsync(registry, store, time, windows, pipelineId: CrmExportGenerator.PipelineId);

        cohort.Should().BeGreaterThan(0, "the imported deals start in the windows");
    }

    [PostgresFact]
    public async Task Reports_ImportedOddHistories_EqualTheReference()
    {
        var (registry, store, time, _) = await OpenAsync(ReportPipeline.V1(), ReportPipeline.V2());
        const DealEventKind S = DealEventKind.Started, T = DealEventKind.Transition, M = DealEventKind.Migrated, A = DealEventKind.Activity;
        await store.ImportAsync(
        [
            // No start in the history; a first transition with and without a from stage.
            Imported("h1", (T, 1, "lead", "meeting", "meet"), (T, 3, "meeting", "won", "win")),
            Imported("h2", (T, 2, null, "proposal", "propose"), (A, 2.5, null, "proposal", null), (T, 4, "proposal", "lost", "lose")),

            // Migrations before any entry, then a move.
            Imported("h3", (M, 1, "lead", "meeting", null), (M, 2, "meeting", "proposal", null), (T, 5, "proposal", "won", "win")),

            // A stage no version has, a reopen, internal actions (one with a re-entry trigger of another stage) and a re-entry.
            Imported(
                "h4",
                (S, 0, null, "lead", null),
                (T, 1, "lead", "ghost", "haunt"),
                (T, 2, "ghost", "lost", "lose"),
                (T, 3, "lost", "lead", "reopen"),
                (T, 3, "lead", "lead", "call"),
                (T, 4, "lead", "lead", "restart"),
                (T, 6, "lead", "proposal", "propose"),
                (T, 8, "proposal", "proposal", "restart"),
                (T, 8, "proposal", "proposal", "call"),
                (T, 9, "proposal", "proposal", "restart")),

            // A won deal whose stage a migration maps to a lost one; a deal that closes before its recorded start.
            Imported("h5", (S, 1, null, "lead", null), (T, 2, "lead", "won", "win"), (M, 7, "won", "lost", null)),
            Imported("h6", (S, 5, null, "lead", null), (T, 2, "lead", "won", "win")),

            // Two starts; a migration within a stay, renaming it and back.
            Imported("h7", (S, 1, null, "lead", null), (T, 2, "lead", "meeting", "meet"), (S, 3, null, "lead", null), (T, 4, "lead", "proposal", "propose")),
            Imported(
                "h8",
                (S, 0.5, null, "lead", null),
                (T, 1.25, "lead", "meeting", "meet"),
                (M, 2, "meeting", "talks", null),
                (M, 2.5, "talks", "talks", null),
                (M, 3, "talks", "meeting", null),
                (T, 6.75, "meeting", "proposal", "propose"),
                (T, 7, "proposal", "meeting", "revisit"),
                (M, 9, "meeting", "talks", null)),
        ]);
        time.SetUtcNow(Day0.AddDays(12));

        var cohort = await CompareAsync(registry, store, time, Windows(-1, 12).Append(new ReportWindow(DateTimeOffset.MinValue, Day0.AddDays(2))));
        await CompareAsync(registry, store, time, Windows(-1, 12), version: 1);

        cohort.Should().BeGreaterThan(0, "the deals with a start are in the windows");
    }

    private static DealImport Imported(string id, params (DealEventKind Kind, double Day, string? From, string To, string? Trigger)[] events)
    {
        var history = events.Select((e, i) => new DealEvent
        {
            DealId = id,
            Sequence = i + 1,
            Kind = e.Kind,
            Timestamp = Day0.AddDays(e.Day),
            Actor = "import",
            Trigger = e.Trigger,
            FromStage = e.From,
            ToStage = e.To,
        }).ToList();
        var last = history[^1];
        var deal = new Deal
        {
            Id = id,
            PipelineId = PipelineId,
            PipelineVersion = 1,
            StageId = last.ToStage,
            Version = history.Count,
            LastSequence = history.Count,
            CreatedAt = history[0].Timestamp,
            UpdatedAt = last.Timestamp,
            StageEnteredAt = last.Timestamp,
            LastActivityAt = last.Timestamp,
            Owner = "importer",
            Amount = id == "h1" ? null : 100m * id.Length,
            Data = new ReportData("south"),
        };
        return new DealImport(deal, history);
    }

    // Every SQL report equals the reference for every window; returns the summed funnel cohorts (for a sanity check).
    private static async Task<int> CompareAsync(PipelineRegistry registry, PostgreSqlDealStore store, TimeProvider time, IEnumerable<ReportWindow> windows, int? version = null, string pipelineId = PipelineId)
    {
        var sql = new PostgreSqlDealReports(registry, store, time);
        var reference = new SalesReports(registry, store, time);
        var cohorts = 0;
        foreach (var window in windows)
        {
            var request = new ReportRequest(pipelineId, window) { PipelineVersion = version };
            foreach (var mode in new[] { FunnelMode.Strict, FunnelMode.Touched, FunnelMode.Implied })
            {
                var funnel = await sql.FunnelAsync(request, mode);
                funnel.Should().BeEquivalentTo(await reference.FunnelAsync(request, mode), o => o.WithStrictOrdering(), "funnel {0} in {1}", mode, window);
                cohorts += funnel.Deals;
            }

            (await sql.TimeInStageAsync(request)).Should().BeEquivalentTo(await reference.TimeInStageAsync(request), o => o.WithStrictOrdering(), "time in stage in {0}", window);
            (await sql.FlowAsync(request)).Should().BeEquivalentTo(await reference.FlowAsync(request), o => o.WithStrictOrdering(), "flow in {0}", window);
            (await sql.OutcomesAsync(request)).Should().BeEquivalentTo(await reference.OutcomesAsync(request), "outcomes in {0}", window);
        }

        return cohorts;
    }

    private static IEnumerable<ReportWindow> Windows(double fromDay, double toDay)
    {
        yield return ReportWindow.All;
        yield return new ReportWindow(Day0, Day0.AddDays(30));
        for (var a = fromDay; a < toDay; a += 3.5)
        {
            yield return new ReportWindow(Day0.AddDays(a), Day0.AddDays(a + 4));
        }
    }

    private static async Task<List<DateTimeOffset>> ReadEventTimesAsync(PostgreSqlDealStore store)
    {
        var times = new List<DateTimeOffset>();
        var position = FeedPosition.Start;
        while (await store.ReadFeedAsync(position, 5000) is { Count: > 0 } page)
        {
            times.AddRange(page.Select(e => e.Event.Timestamp));
            position = page[^1].Position;
        }

        return times;
    }

    private static async Task StandardHistoryAsync(SalesFlowEngine engine, FakeTimeProvider time)
    {
        async Task At(double day, Func<Task> step)
        {
            if (Day0.AddDays(day) > time.GetUtcNow())
            {
                time.SetUtcNow(Day0.AddDays(day));
            }

            await step();
        }

        async Task Fire(string id, string trigger) => (await engine.FireAsync(id, trigger, new FireRequest("test"))).EnsureAccepted();

        await At(-5, () => StartAsync(engine, "d7", "dave", 4000m));
        await At(-2, () => Fire("d7", "meet"));
        await At(0, () => StartAsync(engine, "d1", "alice", 1000m));
        await At(0, () => StartAsync(engine, "d2", "bob", 2000m));
        await At(1, () => Fire("d1", "meet"));
        await At(1, () => StartAsync(engine, "d3", "alice", 1500m));
        await At(2, () => Fire("d2", "propose"));
        await At(2, () => Fire("d3", "meet"));
        await At(2, () => StartAsync(engine, "d4", "bob", 3000m));
        await At(2, () => Fire("d7", "propose"));
        await At(3, () => Fire("d1", "propose"));
        await At(3, () => Fire("d4", "meet"));
        await At(3, () => StartAsync(engine, "d5", "carol", null));
        await At(4, () => Fire("d3", "propose"));
        await At(4, () => Fire("d4", "lose"));
        await At(5, () => Fire("d1", "win"));
        await At(5, () => Fire("d3", "revisit"));
        await At(5, () => Fire("d5", "lose"));
        await At(6, () => Fire("d2", "win"));
        await At(6, () => StartAsync(engine, "d6", "carol", 900m));
        await At(7, () => Fire("d3", "propose"));
        await At(8, () => Fire("d4", "reopen"));
        await At(9, () => Fire("d4", "propose"));
        await At(10, () => Fire("d3", "win"));
        await At(15, () => Fire("d4", "call"));
        await At(20, () => Fire("d4", "restart"));
        await At(35, () => Fire("d7", "win"));
        time.SetUtcNow(Day0.AddDays(40));
    }

    private static Task StartAsync(SalesFlowEngine engine, string id, string? owner, decimal? amount, int? version = null) =>
        engine.StartAsync(PipelineId, id, new ReportData("north"), new StartRequest("test") { Owner = owner, Amount = amount, PipelineVersion = version }).AsTask();

    private async Task<(PipelineRegistry Registry, PostgreSqlDealStore Store, FakeTimeProvider Time, SalesFlowEngine Engine)> OpenAsync(params PipelineDefinition[] pipelines)
    {
        var registry = new PipelineRegistry(pipelines);
        var store = await OpenStoreAsync(registry);
        var time = new FakeTimeProvider(Day0.AddDays(-10));
        return (registry, store, time, new SalesFlowEngine(registry, store, new SalesFlowEngineOptions { TimeProvider = time }));
    }

    private async Task<PostgreSqlDealStore> OpenStoreAsync(PipelineRegistry registry)
    {
        var store = new PostgreSqlDealStore(registry, new PostgreSqlDealStoreOptions { ConnectionString = Schema.ConnectionString, Schema = Schema.Name });
        _stores.Add(store);
        await store.EnsureSchemaAsync();
        return store;
    }
}
