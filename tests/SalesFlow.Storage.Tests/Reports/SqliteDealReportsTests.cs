using SalesFlow.Testing.Reports;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing.CrmExports;

namespace SalesFlow.Storage.Tests.Reports;

/// <summary>
/// The SQL reports of the SQLite store equal the in-memory reference (<see cref="SalesReports"/>) over the same store, in
/// every window: hand-written scenarios (skips, backward moves, reopens, re-entries, open and migrated deals), random engine
/// histories across a migration, and thousands of imported CRM deals.
/// </summary>
public sealed class SqliteDealReportsTests : IDisposable
{
    private const string PipelineId = ReportPipeline.Id;
    private static readonly DateTimeOffset Day0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly TemporarySqliteFile _file = new();
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
    public async Task Reports_StandardScenario_EqualTheReferenceInEveryWindow()
    {
        var (store, time) = Open(ReportPipeline.V1());
        var engine = new SalesFlowEngine(new PipelineRegistry(ReportPipeline.V1()), store, new SalesFlowEngineOptions { TimeProvider = time });
        await StandardAsync(engine, time);

        var outcomes = await CompareAsync(store, time, new PipelineRegistry(ReportPipeline.V1()), PipelineId, Windows(-10, 45), versions: [null]);

        outcomes.Should().BeGreaterThan(0);
        var all = await store.Reports(time).OutcomesAsync(new ReportRequest(PipelineId, new ReportWindow(Day0, Day0.AddDays(30))));
        all.Won.Should().Be(3, "d1, d2 and d3 were won in the window");
        all.Lost.Should().Be(1, "d4 was reopened; d5 stays lost");
    }

    [Fact]
    public async Task Reports_MigratedScenario_MigrationContinuesTheStayAsInTheReference()
    {
        var registry = new PipelineRegistry(ReportPipeline.V1(), ReportPipeline.V2());
        var (store, time) = Open(ReportPipeline.V1(), ReportPipeline.V2());
        var engine = new SalesFlowEngine(registry, store, new SalesFlowEngineOptions { TimeProvider = time });
        await At(time, 0, () => Start(engine, "m1", "alice", 1000m, 1));
        await Start(engine, "m2", "bob", 500m, 1);
        await At(time, 1, () => Fire(engine, "m1", "meet"));
        await At(time, 3, async () => (await engine.ApplyMigrationAsync(ReportPipeline.Migration(), "admin")).Failed.Should().Be(0));
        await At(time, 4, () => Fire(engine, "m2", "lose"));
        await At(time, 5, () => Fire(engine, "m1", "propose"));
        await At(time, 6, () => Fire(engine, "m1", "win"));
        time.SetUtcNow(Day0.AddDays(10));

        await CompareAsync(store, time, registry, PipelineId, Windows(-1, 12), versions: [null, 1, 2]);

        var stays = await store.Reports(time).TimeInStageAsync(new ReportRequest(PipelineId, ReportWindow.All));
        stays.Stages.Single(s => s.StageId == "talks").Latest.Median.Should().Be(TimeSpan.FromDays(4), "m1 entered meeting on day 1 and left talks on day 5");
    }

    [Fact]
    public async Task Reports_RandomEngineHistories_EqualTheReference()
    {
        var registry = new PipelineRegistry(ReportPipeline.V1(), ReportPipeline.V2());
        var reference = new InMemoryDealStore();
        var time = new FakeTimeProvider(Day0.AddDays(-30));
        var engine = new SalesFlowEngine(registry, reference, new SalesFlowEngineOptions { TimeProvider = time });
        var random = new Random(11);
        string[] triggers = ["meet", "propose", "revisit", "restart", "win", "lose", "reopen", "call"];
        var ids = new List<string>();
        for (var step = 0; step < 6000; step++)
        {
            time.Advance(TimeSpan.FromMinutes(random.Next(1, 60 * 12)));
            if (step == 3000)
            {
                (await engine.ApplyMigrationAsync(ReportPipeline.Migration(), "admin")).Failed.Should().Be(0);
            }

            if (ids.Count == 0 || random.NextDouble() < 0.25)
            {
                var id = $"r{ids.Count:0000}";
                ids.Add(id);
                await Start(engine, id, $"owner{random.Next(5)}", random.Next(4) == 0 ? null : random.Next(1, 500) * 10m, step < 3000 ? 1 : 2);
            }
            else
            {
                // Rejected triggers leave no event: the history holds only what the pipeline allows.
                await engine.FireAsync(ids[random.Next(ids.Count)], triggers[random.Next(triggers.Length)], new FireRequest("test") { Reason = "random" });
            }
        }

        var (store, _) = Open(ReportPipeline.V1(), ReportPipeline.V2());
        await CopyAsync(reference, store);

        var compared = await CompareAsync(store, time, registry, PipelineId, Windows(-30, 80), versions: [null, 1]);

        compared.Should().BeGreaterThan(100, "the random history closes many deals");
    }

    [Fact]
    public async Task Reports_ImportedHistoryExport_EqualTheReference()
    {
        var pipeline = PipelineJson.Parse(CrmExportGenerator.PipelineJson);
        var registry = new PipelineRegistry(pipeline);
        var (store, time) = Open(pipeline);
        var export = new CrmExportGenerator(31).History(3000);
        (await new CrmImporter(store, pipeline, ImportMapping.Parse(CrmExportGenerator.HistoryMapping), new CrmImportOptions { BatchSize = 500 })
            .ImportAsync(new StringReader(export.Csv))).DealsImported.Should().BeGreaterThan(2900);
        time.SetUtcNow(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));

        var compared = await CompareAsync(store, time, registry, CrmExportGenerator.PipelineId, ImportWindows(), versions: [null]);

        compared.Should().BeGreaterThan(1000);
    }

    [Fact]
    public async Task Reports_ImportedSnapshotExport_EqualTheReference()
    {
        var pipeline = PipelineJson.Parse(CrmExportGenerator.PipelineJson);
        var registry = new PipelineRegistry(pipeline);
        var (store, time) = Open(pipeline);
        var export = new CrmExportGenerator(32).Snapshot(3000);
        (await new CrmImporter(store, pipeline, ImportMapping.Parse(CrmExportGenerator.SnapshotMapping), new CrmImportOptions { BatchSize = 500 })
            .ImportAsync(new StringReader(export.Csv))).DealsImported.Should().BeGreaterThan(2900);
        time.SetUtcNow(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));

        var compared = await CompareAsync(store, time, registry, CrmExportGenerator.PipelineId, ImportWindows(), versions: [null]);

        compared.Should().BeGreaterThan(1000);
    }

    [Fact]
    public async Task Reports_ImportedEdgeHistories_EqualTheReference()
    {
        var registry = new PipelineRegistry(ReportPipeline.V1(), ReportPipeline.V2());
        var (store, time) = Open(ReportPipeline.V1(), ReportPipeline.V2());
        const DealEventKind S = DealEventKind.Started, T = DealEventKind.Transition, M = DealEventKind.Migrated, A = DealEventKind.Activity;
        await store.ImportAsync(
        [
            // A move without a from stage, an action inside the won stage, then won → lost.
            Imported("e1", 100m, (S, null, null, "lead", 0), (T, "meet", "lead", "meeting", 1), (T, "propose", null, "proposal", 2), (T, "win", "proposal", "won", 3), (T, "note", "won", "won", 4), (T, "lose", "won", "lost", 5)),

            // Started twice: the first stay ends without a leave.
            Imported("e2", null, (S, null, null, "lead", 0), (S, null, null, "lead", 2), (T, "meet", "lead", "meeting", 3)),

            // A stage no version has, in and out.
            Imported("e3", 300m, (S, null, null, "legacy", 0), (T, "go", "legacy", "lead", 1), (T, "back", "lead", "legacy", 2), (T, "win", "legacy", "won", 3)),

            // Renamed into another version's stage, a relabel to the same stage, a re-entry, an activity, lost then reopened.
            Imported("e4", 400m, (S, null, null, "lead", 0), (M, null, "lead", "talks", 1), (T, "propose", "talks", "proposal", 2), (M, null, "proposal", "proposal", 3), (T, "restart", "proposal", "proposal", 4), (A, null, "proposal", "proposal", 5), (T, "lose", "proposal", "lost", 6), (T, "reopen", "lost", "lead", 7)),

            // Won, then a migration that changes the outcome kind; and a backward move from the start.
            Imported("e5", 500m, (S, null, null, "lead", 0), (T, "win", "lead", "won", 1), (M, null, "won", "lost", 2.5)),
            Imported("e6", 600m, (S, null, null, "proposal", 0.5), (T, "revisit", "proposal", "lead", 1), (T, "win", "lead", "won", 2), (T, "restart", "won", "won", 3)),

            // Times out of sequence order (a CRM export with a clock that went back): the outcome is the last event's,
            // reached at the last change by sequence (day 1), not at the latest time of a change (day 4).
            Imported("e7", 700m, (S, null, null, "lead", 4), (T, "win", "lead", "won", 0.5), (T, "lose", "won", "lost", 1)),
            Imported("e8", 800m, (S, null, null, "lead", 3), (T, "meet", "lead", "meeting", 2), (T, "win", "meeting", "won", 1.5)),
        ]);
        time.SetUtcNow(Day0.AddDays(9));

        var compared = await CompareAsync(store, time, registry, PipelineId, Windows(-1, 12), versions: [null, 1, 2]);

        compared.Should().BeGreaterThan(2);
    }

    private static DealImport Imported(string id, decimal? amount, params (DealEventKind Kind, string? Trigger, string? From, string To, double Day)[] history)
    {
        var events = history.Select((h, i) => new DealEvent
        {
            DealId = id,
            Sequence = i + 1,
            Kind = h.Kind,
            Timestamp = Day0.AddDays(h.Day),
            Actor = "import",
            Trigger = h.Trigger,
            FromStage = h.From,
            ToStage = h.To,
            Activity = h.Kind == DealEventKind.Activity ? "note" : null,
        }).ToList();
        var last = events[^1];
        var deal = new Deal
        {
            Id = id,
            PipelineId = PipelineId,
            PipelineVersion = 1,
            StageId = last.ToStage,
            Version = events.Count,
            LastSequence = events.Count,
            CreatedAt = events[0].Timestamp,
            UpdatedAt = last.Timestamp,
            StageEnteredAt = last.Timestamp,
            LastActivityAt = last.Timestamp,
            Owner = "owner-" + id,
            Amount = amount,
            Data = new ReportData("north"),
        };
        return new DealImport(deal, events);
    }

    [Fact]
    public async Task FunnelAsync_UnknownPipeline_ThrowsLikeTheReference()
    {
        var (store, time) = Open(ReportPipeline.V1());

        var request = new ReportRequest("nope", ReportWindow.All);
        var reference = async () => await new SalesReports(new PipelineRegistry(ReportPipeline.V1()), store, time).FunnelAsync(request, FunnelMode.Strict);
        var expected = (await reference.Should().ThrowAsync<Exception>()).Which;

        var act = async () => await store.Reports(time).FunnelAsync(request, FunnelMode.Strict);

        (await act.Should().ThrowAsync<Exception>()).Which.Should().BeOfType(expected.GetType()).And.Subject.As<Exception>().Message.Should().Be(expected.Message);
    }

    private static IEnumerable<ReportWindow> Windows(int fromDay, int toDay)
    {
        yield return ReportWindow.All;
        yield return new ReportWindow(Day0.AddDays(fromDay), Day0.AddDays(toDay));
        for (var day = fromDay; day < toDay; day += 7)
        {
            yield return new ReportWindow(Day0.AddDays(day), Day0.AddDays(day + 7));
        }

        yield return new ReportWindow(Day0, Day0.AddDays(30));
        yield return new ReportWindow(Day0.AddDays(2), Day0.AddDays(5)); // boundaries on event instants of the scenarios
    }

    private static IEnumerable<ReportWindow> ImportWindows()
    {
        yield return ReportWindow.All;
        for (var month = 1; month <= 24; month += 3)
        {
            var from = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(month);
            yield return new ReportWindow(from, from.AddMonths(3));
        }
    }

    // Every SQL report against the reference over the same store; returns how many deals were won or lost in ReportWindow.All.
    private static async Task<int> CompareAsync(SqliteDealStore store, TimeProvider time, PipelineRegistry registry, string pipelineId, IEnumerable<ReportWindow> windows, int?[] versions)
    {
        var sql = store.Reports(time);
        var reference = new SalesReports(registry, store, time);
        foreach (var version in versions)
        {
            foreach (var window in windows)
            {
                var request = new ReportRequest(pipelineId, window) { PipelineVersion = version };
                foreach (var mode in new[] { FunnelMode.Strict, FunnelMode.Touched, FunnelMode.Implied })
                {
                    (await sql.FunnelAsync(request, mode)).Should().BeEquivalentTo(await reference.FunnelAsync(request, mode), o => o.WithStrictOrdering(), "funnel {0} in {1}", mode, window);
                }

                (await sql.TimeInStageAsync(request)).Should().BeEquivalentTo(await reference.TimeInStageAsync(request), o => o.WithStrictOrdering(), "time in stage in {0}", window);
                (await sql.FlowAsync(request)).Should().BeEquivalentTo(await reference.FlowAsync(request), o => o.WithStrictOrdering(), "flow in {0}", window);
                (await sql.OutcomesAsync(request)).Should().BeEquivalentTo(await reference.OutcomesAsync(request), "outcomes in {0}", window);
            }
        }

        (await sql.BreakdownAsync(new ReportRequest(pipelineId, ReportWindow.All), DealGrouping.ByOwner, 3))
            .Should().BeEquivalentTo(await reference.BreakdownAsync(new ReportRequest(pipelineId, ReportWindow.All), DealGrouping.ByOwner, 3), o => o.WithStrictOrdering());
        (await sql.IdleAsync(pipelineId)).Should().BeEquivalentTo(await reference.IdleAsync(pipelineId), o => o.WithStrictOrdering());
        var outcomes = await sql.OutcomesAsync(new ReportRequest(pipelineId, ReportWindow.All));
        return outcomes.Won + outcomes.Lost;
    }

    private static async Task CopyAsync(InMemoryDealStore from, SqliteDealStore to)
    {
        string? after = null;
        do
        {
            var page = await from.QueryAsync(new DealQuery { AfterDealId = after, Limit = 500 });
            var batch = new List<DealImport>();
            foreach (var deal in page.Deals)
            {
                batch.Add(new DealImport(deal, await from.GetEventsAsync(deal.Id)));
            }

            await to.ImportAsync(batch);
            after = page.NextAfterDealId;
        }
        while (after is not null);
    }

    private static Task At(FakeTimeProvider time, double day, Func<Task> step)
    {
        if (Day0.AddDays(day) > time.GetUtcNow())
        {
            time.SetUtcNow(Day0.AddDays(day));
        }

        return step();
    }

    private static Task Start(SalesFlowEngine engine, string id, string owner, decimal? amount, int? version = null) =>
        engine.StartAsync(PipelineId, id, new ReportData("north"), new StartRequest("test") { Owner = owner, Amount = amount, PipelineVersion = version }).AsTask();

    private static async Task Fire(SalesFlowEngine engine, string id, string trigger) =>
        (await engine.FireAsync(id, trigger, new FireRequest("test") { Reason = "because" })).EnsureAccepted();

    // Skips (d2), a backward move (d3), a loss then a reopen and a re-entry (d4), a deal started before the window and won
    // after it (d7), an internal action (d4's call), a lost deal (d5) and open deals (d4, d6).
    private static async Task StandardAsync(SalesFlowEngine engine, FakeTimeProvider time)
    {
        await At(time, -5, () => Start(engine, "d7", "dave", 4000m));
        await At(time, -2, () => Fire(engine, "d7", "meet"));
        await At(time, 0, () => Start(engine, "d1", "alice", 1000m));
        await At(time, 0, () => Start(engine, "d2", "bob", 2000m));
        await At(time, 1, () => Fire(engine, "d1", "meet"));
        await At(time, 1, () => Start(engine, "d3", "alice", 1500m));
        await At(time, 2, () => Fire(engine, "d2", "propose"));
        await At(time, 2, () => Fire(engine, "d3", "meet"));
        await At(time, 2, () => Start(engine, "d4", "bob", 3000m));
        await At(time, 2, () => Fire(engine, "d7", "propose"));
        await At(time, 3, () => Fire(engine, "d1", "propose"));
        await At(time, 3, () => Fire(engine, "d4", "meet"));
        await At(time, 3, () => Start(engine, "d5", "carol", null));
        await At(time, 4, () => Fire(engine, "d3", "propose"));
        await At(time, 4, () => Fire(engine, "d4", "lose"));
        await At(time, 5, () => Fire(engine, "d1", "win"));
        await At(time, 5, () => Fire(engine, "d3", "revisit"));
        await At(time, 5, () => Fire(engine, "d5", "lose"));
        await At(time, 6, () => Fire(engine, "d2", "win"));
        await At(time, 6, () => Start(engine, "d6", "carol", 900m));
        await At(time, 7, () => Fire(engine, "d3", "propose"));
        await At(time, 8, () => Fire(engine, "d4", "reopen"));
        await At(time, 9, () => Fire(engine, "d4", "propose"));
        await At(time, 10, () => Fire(engine, "d3", "win"));
        await At(time, 15, () => Fire(engine, "d4", "call"));
        await At(time, 20, () => Fire(engine, "d4", "restart"));
        await At(time, 35, () => Fire(engine, "d7", "win"));
        time.SetUtcNow(Day0.AddDays(40));
    }

    private (SqliteDealStore Store, FakeTimeProvider Time) Open(params PipelineDefinition[] pipelines)
    {
        var time = new FakeTimeProvider(Day0.AddDays(-10));
        var store = new SqliteDealStore(new PipelineRegistry(pipelines), new SqliteDealStoreOptions { DataSource = _file.Path, TimeProvider = time });
        _stores.Add(store);
        return (store, time);
    }
}
