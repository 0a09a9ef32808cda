using Microsoft.Extensions.Time.Testing;
using SalesFlow.Testing.Reports;

namespace SalesFlow.Tests.Reports;

/// <summary>
/// Reports over an <see cref="InMemoryDealStore"/> fold each deal's stored history in place, one deal after another,
/// instead of reading the event feed's interleaved commits: the same figures as the feed's path, on the scenarios with
/// skipped stages, backward moves, reopened, open and migrated deals, on more deals than one chunk of the fold, and while
/// other threads write.
/// </summary>
public class InMemoryStoreReportsTests
{
    [Theory]
    [InlineData("standard", 0, 30)]
    [InlineData("standard", -10, 50)]
    [InlineData("migrated", 0, 10)]
    public async Task EveryReport_InPlaceFold_EqualsTheFeedsPath(string scenario, double fromDay, double toDay)
    {
        var s = scenario == "standard" ? ReportScenario.Standard() : ReportScenario.Migrated();
        var inPlace = new SalesReports(s.Engine.Pipelines, s.Store, s.Time);
        var feed = new SalesReports(s.Engine.Pipelines, new StoreReportSource(s.Store, s.Store), s.Time);
        var request = ReportScenario.Request(fromDay, toDay);
        var byRegion = DealGrouping.By("region", d => ((ReportData)d.Data).Region);

        var reports = await ReportsAsync(inPlace, request, byRegion);

        reports.Should().BeEquivalentTo(await ReportsAsync(feed, request, byRegion), o => o.WithStrictOrdering());
        ((OutcomesReport)reports[^2]).Won.Should().BeGreaterThan(0, "the scenario has won deals in the window");
    }

    [Fact]
    public async Task EveryReport_OtherPipelinesAndTenantsInTheStore_AreLeftOut()
    {
        var s = ReportScenario.Standard();
        var before = await ReportsAsync(s.Reports, ReportScenario.Request(-10, 50), DealGrouping.ByOwner);

        // Another pipeline's deals in the same store, and the same pipeline's deals in another tenant's store.
        var other = PipelineBuilder.Create<ReportData>("other", 1)
            .Stage("lead", st => st.Order(1)).Stage("won", st => st.Order(2).Won()).Stage("lost", st => st.Order(3).Lost())
            .Transition("win", from: "lead", to: "won").Transition("lose", from: "lead", to: "lost").Build();
        var engine = new SalesFlowEngine(new PipelineRegistry(ReportPipeline.V1(), other), s.Store, new SalesFlowEngineOptions { TimeProvider = s.Time });
        await engine.StartAsync("other", "o1", new ReportData(), new StartRequest("test") { Owner = "alice", Amount = 5m });
        (await engine.FireAsync("o1", "win", new FireRequest("test"))).EnsureAccepted();
        var tenant = new SalesFlowEngine(new PipelineRegistry(ReportPipeline.V1()), s.Store.ForTenant("acme"), new SalesFlowEngineOptions { TimeProvider = s.Time });
        await tenant.StartAsync(ReportPipeline.Id, "t1", new ReportData(), new StartRequest("test") { Owner = "alice" });
        (await tenant.FireAsync("t1", "meet", new FireRequest("test"))).EnsureAccepted();

        var after = await ReportsAsync(s.Reports, ReportScenario.Request(-10, 50), DealGrouping.ByOwner);

        after.Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
        var tenantFunnel = await tenant.Reports.FunnelAsync(ReportScenario.Request(-10, 50), FunnelMode.Touched);
        tenantFunnel.Deals.Should().Be(1, "the tenant's report sees its own deal only");
    }

    [Fact]
    public async Task Reports_MoreDealsThanOneChunk_TwiceInARow_AgreeWithTheHistoryAndTheFeed()
    {
        // 2 chunks and a part: the second report gets the first one's chunks back from the pool, and every new deal's
        // row of stays must start from zero there.
        var deals = (2 * ReportFold.ChunkSize) + 1_000;
        var time = new FakeTimeProvider(ReportScenario.DayAt(0));
        var store = new InMemoryDealStore();
        var engine = new SalesFlowEngine(new PipelineRegistry(ReportPipeline.V1()), store, new SalesFlowEngineOptions { TimeProvider = time });
        var start = ReportScenario.DayAt(1);
        var steps = new List<(DateTimeOffset At, int Deal, string? Trigger)>(3 * deals);
        for (var d = 0; d < deals; d++)
        {
            var started = start.AddSeconds(d);
            var met = started.AddHours(1 + (d % 7));
            steps.Add((started, d, null));
            steps.Add((met, d, "meet"));
            steps.Add((met.AddHours(2 + (d % 3)), d, d % 2 == 0 ? "win" : "lose"));
        }

        foreach (var (at, d, trigger) in steps.OrderBy(x => x.At))
        {
            time.SetUtcNow(at);
            if (trigger is null)
            {
                await engine.StartAsync(ReportPipeline.Id, $"deal-{d}", new ReportData(), new StartRequest("test") { Amount = 10m + (d % 5) });
            }
            else
            {
                (await engine.FireAsync($"deal-{d}", trigger, new FireRequest("test"))).EnsureAccepted();
            }
        }

        var request = new ReportRequest(ReportPipeline.Id, ReportWindow.All);
        var feed = new SalesReports(engine.Pipelines, new StoreReportSource(store, store), time);
        for (var run = 0; run < 2; run++)
        {
            var times = await engine.Reports.TimeInStageAsync(request);
            var lead = times.Stages.Single(st => st.StageId == "lead");
            var meeting = times.Stages.Single(st => st.StageId == "meeting");
            lead.Entries.Should().Be(deals, $"run {run}");
            lead.Cumulative.Count.Should().Be(deals);
            lead.Cumulative.Mean.Should().Be(TimeSpan.FromHours(Enumerable.Range(0, deals).Average(d => 1 + (d % 7))), $"run {run}: each deal stayed once in lead");
            meeting.Cumulative.Mean.Should().Be(TimeSpan.FromHours(Enumerable.Range(0, deals).Average(d => 2 + (d % 3))), $"run {run}: each deal stayed once in meeting");
            var outcomes = await engine.Reports.OutcomesAsync(request);
            outcomes.Won.Should().Be((deals + 1) / 2);
            outcomes.Lost.Should().Be(deals / 2);
            outcomes.WonValue.Should().Be(Enumerable.Range(0, deals).Where(d => d % 2 == 0).Sum(d => 10m + (d % 5)), "each deal's snapshot is matched with its own history");
            (await engine.Reports.FunnelAsync(request, FunnelMode.Touched)).Bars.Select(b => b.Count).Should().Equal(deals, deals, 0, (deals + 1) / 2);
            times.Should().BeEquivalentTo(await feed.TimeInStageAsync(request), o => o.WithStrictOrdering());
            outcomes.Should().BeEquivalentTo(await feed.OutcomesAsync(request));
        }
    }

    [Fact]
    public async Task Reports_WhileOtherThreadsMoveDeals_SeeEveryDealAtOneVersion()
    {
        // Writers walk deals lead → meeting → proposal → meeting → … → won while reports run. Broken down by the stage in
        // each deal's snapshot, a deal read at one version has its outcome from the same version: only the "won" group has
        // wins, and it has nothing open. A snapshot older or newer than the history folded with it breaks that. The last
        // report, after the writers stop, must equal the feed's.
        const int deals = 300;
        var time = new FakeTimeProvider(ReportScenario.DayAt(0));
        var store = new InMemoryDealStore();
        var engine = new SalesFlowEngine(new PipelineRegistry(ReportPipeline.V1()), store, new SalesFlowEngineOptions { TimeProvider = time });
        for (var d = 0; d < deals; d++)
        {
            await engine.StartAsync(ReportPipeline.Id, $"deal-{d}", new ReportData(), new StartRequest("test") { Amount = 1m });
        }

        var request = new ReportRequest(ReportPipeline.Id, ReportWindow.All);
        var byStage = DealGrouping.By("stage", d => d.StageId);
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
        {
            var moves = 0;
            for (var i = 0; !stop.IsCancellationRequested || moves < 200; i++)
            {
                var id = $"deal-{((i * 2) + w) % deals}";
                var deal = await engine.GetAsync(id);
                var trigger = deal.StageId switch { "lead" => "meet", "meeting" => "propose", "proposal" => i % 7 == 0 ? "win" : "revisit", _ => null };
                if (trigger is not null && (await engine.FireAsync(id, trigger, new FireRequest("test"))).Accepted)
                {
                    moves++;
                }
            }

            return moves;
        })).ToList();

        var reports = 0;
        while (reports < 50 || (writers.Any(w => !w.IsCompleted) && reports < 400))
        {
            var rows = (await engine.Reports.BreakdownAsync(request, byStage, 10)).Rows;
            rows.Sum(r => r.Outcomes.OpenDeals + r.Outcomes.Won).Should().Be(deals, "every deal is counted once");
            rows.Where(r => r.Key != "won").Sum(r => r.Outcomes.Won).Should().Be(0, "a deal whose snapshot is open has no win in the history read with it");
            rows.Where(r => r.Key == "won").Sum(r => r.Outcomes.OpenDeals).Should().Be(0, "a deal whose snapshot is won has its win in the history read with it");
            if (++reports == 50)
            {
                await stop.CancelAsync();
            }
        }

        (await Task.WhenAll(writers)).Should().OnlyContain(m => m >= 200, "the writers moved deals while the reports ran");
        var final = await ReportsAsync(engine.Reports, request, byStage);
        final.Should().BeEquivalentTo(await ReportsAsync(new SalesReports(engine.Pipelines, new StoreReportSource(store, store), time), request, byStage), o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task Reports_Cancelled_ThrowAndLeaveTheStoreUsable()
    {
        var s = ReportScenario.Standard();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await FluentActions.Awaiting(() => s.Reports.OutcomesAsync(ReportScenario.Request(0, 30), cancelled.Token).AsTask())
            .Should().ThrowAsync<OperationCanceledException>();
        (await s.Reports.OutcomesAsync(ReportScenario.Request(0, 30))).Won.Should().Be(3);
    }

    private static async Task<List<object>> ReportsAsync(IDealReports reports, ReportRequest request, DealGrouping grouping) =>
    [
        await reports.FunnelAsync(request, FunnelMode.Strict),
        await reports.FunnelAsync(request, FunnelMode.Touched),
        await reports.FunnelAsync(request, FunnelMode.Implied),
        await reports.TimeInStageAsync(request),
        await reports.FlowAsync(request),
        await reports.OutcomesAsync(request),
        await reports.BreakdownAsync(request, grouping, 10),
    ];
}
