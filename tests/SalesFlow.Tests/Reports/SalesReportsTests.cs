using Microsoft.Extensions.Time.Testing;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Testing.Reports;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Reports;

/// <summary>
/// Every report over histories built through the real engine. The expected figures are worked out by hand from the
/// scenarios' timelines (<see cref="ReportScenario.Standard"/>, <see cref="ReportScenario.Migrated"/>), in the comments.
/// </summary>
public class SalesReportsTests
{
    private static readonly ReportRequest Window = ReportScenario.Request(0, 30);

    private static TimeSpan Days(double days) => TimeSpan.FromDays(days);

    // Cohort (started in [day 0, day 30)): d1..d5 (d7 started on day -5). Stages entered:
    // d1 lead, meeting, proposal, won | d2 lead, proposal, won | d3 lead, meeting, proposal, won
    // d4 lead, meeting, lost, proposal (open now) | d5 lead, lost (lost now).
    [Fact]
    public async Task FunnelAsync_Strict_ASkippedStageDropsTheDealFromLaterBars()
    {
        var funnel = await ReportScenario.Standard().Reports.FunnelAsync(Window, FunnelMode.Strict);

        // d2 skipped meeting: counted at lead only. d4 is counted up to proposal, d5 at lead.
        funnel.Deals.Should().Be(5);
        funnel.Bars.Select(b => b.StageId).Should().Equal("lead", "meeting", "proposal", "won");
        funnel.Bars.Select(b => b.Count).Should().Equal(5, 3, 3, 2);
        funnel.Bars.Select(b => b.StepConversion).Should().Equal(null, 0.6, 1.0, 2.0 / 3.0);
        funnel.Bars.Select(b => b.CumulativeConversion).Should().Equal(1.0, 0.6, 0.6, 0.4);
    }

    [Fact]
    public async Task FunnelAsync_Touched_CountsEveryStageEverEntered()
    {
        var funnel = await ReportScenario.Standard().Reports.FunnelAsync(Window, FunnelMode.Touched);

        // meeting: d1, d3, d4; proposal: d1, d2, d3, d4 (d4 after its reopen); won: d1, d2, d3.
        funnel.Bars.Select(b => b.Count).Should().Equal(5, 3, 4, 3);
        funnel.Bars[2].StepConversion.Should().Be(4.0 / 3.0);
    }

    [Fact]
    public async Task FunnelAsync_Implied_LaterStagesImplyEarlierOnesExceptForLostDeals()
    {
        var funnel = await ReportScenario.Standard().Reports.FunnelAsync(Window, FunnelMode.Implied);

        // d2's won implies meeting; d4 (reopened, open) reached proposal; d5 ended lost: only where it was.
        funnel.Bars.Select(b => b.Count).Should().Equal(5, 4, 4, 3);
    }

    [Fact]
    public async Task FunnelAsync_WindowBeforeEveryStart_IsEmpty()
    {
        var funnel = await ReportScenario.Standard().Reports.FunnelAsync(ReportScenario.Request(-20, -6), FunnelMode.Touched);

        funnel.Deals.Should().Be(0);
        funnel.Bars.Should().OnlyContain(b => b.Count == 0 && b.StepConversion == null && b.CumulativeConversion == null);
    }

    [Fact]
    public async Task TimeInStageAsync_Main_LatestAndCumulativeStaysWithReentriesCounted()
    {
        var report = await ReportScenario.Standard().Reports.TimeInStageAsync(Window);

        report.AsOf.Should().Be(ReportScenario.DayAt(40));
        report.Stages.Select(s => s.StageId).Should().Equal("lead", "meeting", "proposal");
        var (lead, meeting, proposal) = (report.Stages[0], report.Stages[1], report.Stages[2]);

        // lead: entered by d1, d2 (day 0), d3 (1), d4 (2), d5 (3); stays 1, 2, 1, 1, 2 days (d7's ended on day -2).
        lead.Entries.Should().Be(5);
        lead.Latest.Should().Be(new DurationStats(5, Days(1), Days(1.4), Days(2)));
        lead.Cumulative.Should().Be(lead.Latest);
        lead.Current.Should().Be(DurationStats.Empty);

        // meeting: entered by d1 (1), d3 (2), d4 (3), d3 again (5, backward), d4 again (8, reopen).
        // Stays ending in the window: d1 1→3 = 2; d3 2→4 = 2 and 5→7 = 2; d4 3→4 = 1 and 8→9 = 1; d7 -2→2 = 4.
        // Latest: 2, 2, 1, 4 → sorted 1 2 2 4. Cumulative: 2, 4, 2, 4 → sorted 2 2 4 4.
        meeting.Entries.Should().Be(5);
        meeting.Latest.Should().Be(new DurationStats(4, Days(2), Days(2.25), Days(4)));
        meeting.Cumulative.Should().Be(new DurationStats(4, Days(3), Days(3), Days(4)));

        // proposal: entered by d2, d7 (2), d1 (3), d3 (4), d3 (7), d4 (9), d4 again (20, re-entry) = 7.
        // Stays ending in the window: d2 2→6 = 4; d1 3→5 = 2; d3 4→5 = 1 and 7→10 = 3; d4 9→20 = 11 (d7's ends on day 35).
        // Latest: 4, 2, 3, 11 → 2 3 4 11. Cumulative: 4, 2, 4, 11 → 2 4 4 11. Current: d4 since day 20 → 20 days.
        proposal.Entries.Should().Be(7);
        proposal.Latest.Should().Be(new DurationStats(4, Days(3.5), Days(5), Days(11)));
        proposal.Cumulative.Should().Be(new DurationStats(4, Days(4), Days(5.25), Days(11)));
        proposal.Current.Should().Be(new DurationStats(1, Days(20), Days(20), Days(20)));
    }

    [Fact]
    public async Task FlowAsync_Main_MatrixShowsSkipsBackwardMovesExitsReopensAndReentries()
    {
        var flow = await ReportScenario.Standard().Reports.FlowAsync(Window);

        // Moves in [day 0, day 30): d7's lead → meeting (day -2) and proposal → won (day 35) are outside; d4's call is not a move.
        flow.Moves.Should().Equal(
            new FlowCell("lead", "meeting", 3, FlowDirection.Forward, 0),      // d1, d3, d4
            new FlowCell("lead", "proposal", 1, FlowDirection.Forward, 1),     // d2 skips meeting
            new FlowCell("lead", "lost", 1, FlowDirection.Exit, 0),            // d5
            new FlowCell("meeting", "proposal", 5, FlowDirection.Forward, 0),  // d7, d1, d3 twice, d4
            new FlowCell("meeting", "lost", 1, FlowDirection.Exit, 0),         // d4
            new FlowCell("proposal", "meeting", 1, FlowDirection.Backward, 0), // d3
            new FlowCell("proposal", "proposal", 1, FlowDirection.Reentry, 0), // d4's restart
            new FlowCell("proposal", "won", 3, FlowDirection.Forward, 0),      // d1, d2, d3
            new FlowCell("lost", "meeting", 1, FlowDirection.Reopen, 0));      // d4
        flow.BackwardMoves.Should().Be(1);
        flow.SkippingMoves.Should().Be(1);
    }

    [Fact]
    public async Task OutcomesAsync_Main_CountsDealsByTheirCurrentOutcomeAndCloseTime()
    {
        var outcomes = await ReportScenario.Standard().Reports.OutcomesAsync(Window);

        // Won in the window: d1 (day 5, cycle 5), d2 (6, cycle 6), d3 (10, cycle 9); lost: d5 (5, cycle 2).
        // d4 was lost on day 4 but reopened: open now, not lost. d7 was won on day 35: outside the window.
        outcomes.Won.Should().Be(3);
        outcomes.Lost.Should().Be(1);
        outcomes.Closed.Should().Be(0);
        outcomes.WinRate.Should().Be(0.75);
        outcomes.WonCycle.Should().Be(new DurationStats(3, Days(6), Days(20.0 / 3), Days(9)));
        outcomes.LostCycle.Should().Be(new DurationStats(1, Days(2), Days(2), Days(2)));
        outcomes.ClosedCycle.Median.Should().Be(Days(5.5));
        outcomes.ClosedCycle.Mean.Should().Be(Days(5.5));
        outcomes.WonValue.Should().Be(4500m);
        outcomes.WonWithoutAmount.Should().Be(0);
        outcomes.AverageWonSize.Should().Be(1500m);
        outcomes.OpenDeals.Should().Be(1);

        // 1 open × 1500 × 0.75 ÷ (20/3 days) = 168.75 per day.
        outcomes.SalesVelocity.Should().Be(168.75m);
    }

    [Fact]
    public async Task OutcomesAsync_WindowAfterTheLastClose_HasNoRateAndNoVelocity()
    {
        var outcomes = await ReportScenario.Standard().Reports.OutcomesAsync(ReportScenario.Request(36, 40));

        outcomes.Won.Should().Be(0);
        outcomes.WinRate.Should().BeNull();
        outcomes.AverageWonSize.Should().BeNull();
        outcomes.SalesVelocity.Should().BeNull();
        outcomes.WonCycle.Should().Be(DurationStats.Empty);
    }

    [Fact]
    public async Task BreakdownAsync_ByOwner_TopGroupsByWonValue()
    {
        var breakdown = await ReportScenario.Standard().Reports.BreakdownAsync(Window, DealGrouping.ByOwner, top: 3);

        // alice: d1, d3 won (2500). bob: d2 won (2000), d4 open. carol: d5 lost, started in the window. dave: d7, nothing in it.
        breakdown.Grouping.Should().Be("owner");
        breakdown.Rows.Select(r => r.Key).Should().Equal("alice", "bob", "carol");
        breakdown.OtherGroups.Should().Be(1);
        breakdown.Rows.Select(r => r.Outcomes.WonValue).Should().Equal(2500m, 2000m, 0m);
        breakdown.Rows.Select(r => r.Started).Should().Equal(2, 2, 1);
        breakdown.Rows.Select(r => r.Outcomes.WinRate).Should().Equal(1.0, 1.0, 0.0);
        breakdown.Rows.Select(r => r.Outcomes.OpenDeals).Should().Equal(0, 1, 0);
    }

    [Fact]
    public async Task BreakdownAsync_ByCallerKey_GroupsDealsWithoutAKeyTogetherLast()
    {
        var byRegion = DealGrouping.By("region", d => ((ReportData)d.Data).Region);

        var breakdown = await ReportScenario.Standard().Reports.BreakdownAsync(Window, byRegion, top: 10);

        // north: d1, d3 won (2500), d7 not in the window; south: d2 won (2000), d4 open; no region: d5 lost.
        breakdown.Rows.Select(r => r.Key).Should().Equal("north", "south", null);
        breakdown.Rows.Select(r => (r.Outcomes.Won, r.Outcomes.Lost, r.Started)).Should().Equal((2, 0, 2), (1, 0, 2), (0, 1, 1));
        breakdown.OtherGroups.Should().Be(0);
    }

    [Fact]
    public async Task BreakdownAsync_ByDataPath_SameGroupsAsTheCallersKey()
    {
        var reports = ReportScenario.Standard().Reports;

        var byPath = await reports.BreakdownAsync(Window, DealGrouping.ByData("Region"), top: 10);
        var byKey = await reports.BreakdownAsync(Window, DealGrouping.By("Region", d => ((ReportData)d.Data).Region), top: 10);

        byPath.Rows.Select(r => r.Key).Should().Equal("north", "south", null);
        byPath.Rows.Should().BeEquivalentTo(byKey.Rows, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task IdleAsync_DealsPastTheirThreshold_ExceptThoseWithAFollowUpAhead()
    {
        var s = new ReportScenario();
        s.At(0);
        foreach (var id in new[] { "i1", "i2", "i3", "i4", "i5", "i6" })
        {
            s.Start(id, owner: "alice");
        }

        s.Fire("i3", "meet");
        s.Fire("i4", "meet");
        s.Fire("i5", "propose");
        s.Fire("i6", "lose");
        s.Activity("i5", nextFollowUpAt: ReportScenario.DayAt(8));
        s.At(6).Activity("i3", nextFollowUpAt: ReportScenario.DayAt(9));
        s.At(7).Activity("i1");
        s.Activity("i2", nextFollowUpAt: ReportScenario.DayAt(11));
        s.At(8).Activity("i4");
        s.At(10);

        var report = await s.Reports.IdleAsync(ReportPipeline.Id);

        // i3: meeting (3 days) idle 4 days, its follow-up (day 9) passed; i1: lead (2 days) idle 3 days. i2 has a follow-up
        // on day 11; i4 is idle 2 of 3 days; i5's proposal has no threshold; i6 is lost.
        report.AsOf.Should().Be(ReportScenario.DayAt(10));
        report.Idle.Should().Equal(
            new IdleDeal("i3", "meeting", "alice", ReportScenario.DayAt(6), Days(4), Days(3)),
            new IdleDeal("i1", "lead", "alice", ReportScenario.DayAt(7), Days(3), Days(2)));
        report.Overdue.Should().Equal(
            new OverdueFollowUp("i5", "proposal", "alice", ReportScenario.DayAt(8), Days(2)),
            new OverdueFollowUp("i3", "meeting", "alice", ReportScenario.DayAt(9), Days(1)));
    }

    [Fact]
    public async Task IdleAsync_OverAStore_AsksOnlyForDealsThatCanBeIdleAndEqualsAScanOfEveryDeal()
    {
        var s = new ReportScenario();
        s.At(0);
        for (var i = 0; i < 40; i++)
        {
            s.Start($"d{i:00}", owner: i % 2 == 0 ? "alice" : "bob");
            if (i % 3 == 1)
            {
                s.Fire($"d{i:00}", "meet");
            }

            if (i % 5 == 0)
            {
                s.Activity($"d{i:00}", nextFollowUpAt: ReportScenario.DayAt(i % 10));
            }

            if (i % 7 == 0)
            {
                s.Fire($"d{i:00}", "lose");
            }
        }

        s.At(2.5).Activity("d04");
        s.Activity("d13");
        s.At(6);
        var recording = new QueryRecordingStore(s.Store);
        var registry = new PipelineRegistry(ReportPipeline.V1());

        var queried = await new SalesReports(registry, recording, s.Time).IdleAsync(ReportPipeline.Id);
        var scanned = await new SalesReports(registry, (IDealReportSource)new ScanSource(s.Store), s.Time).IdleAsync(ReportPipeline.Id);

        queried.Should().BeEquivalentTo(scanned, o => o.WithStrictOrdering());
        queried.Idle.Should().NotBeEmpty();
        queried.Overdue.Should().NotBeEmpty();
        recording.Queries.Should().NotBeEmpty().And.OnlyContain(q => q.IdleSince != null || q.FollowUpDueAtOrBefore != null, "no query reads every deal");
    }

    private sealed class ScanSource(InMemoryDealStore store) : IDealReportSource
    {
        public async IAsyncEnumerable<Deal> ReadDealsAsync(string pipelineId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var page = await store.QueryAsync(new DealQuery { PipelineId = pipelineId, Limit = 10_000 }, cancellationToken);
            foreach (var deal in page.Deals)
            {
                yield return deal;
            }
        }

        public IAsyncEnumerable<IReadOnlyList<DealEvent>> ReadEventsAsync(string pipelineId, CancellationToken cancellationToken = default) =>
            AsyncEnumerable.Empty<IReadOnlyList<DealEvent>>();
    }

    private sealed class QueryRecordingStore(InMemoryDealStore inner) : IDealStore, IEventFeedStore
    {
        public List<DealQuery> Queries { get; } = [];

        public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default) => inner.GetAsync(dealId, cancellationToken);

        public ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default) => inner.TrySaveAsync(writes, cancellationToken);

        public ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default) =>
            inner.GetEventsAsync(dealId, afterSequence, limit, cancellationToken);

        public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default)
        {
            Queries.Add(query);
            return inner.QueryAsync(query, cancellationToken);
        }

        public ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default) => inner.ImportAsync(batch, cancellationToken);

        public ValueTask<IReadOnlyList<FeedEvent>> ReadFeedAsync(FeedPosition after, int limit, CancellationToken cancellationToken = default) => inner.ReadFeedAsync(after, limit, cancellationToken);

        public ValueTask<FeedPosition> GetCheckpointAsync(string handler, CancellationToken cancellationToken = default) => inner.GetCheckpointAsync(handler, cancellationToken);

        public ValueTask<bool> TryAcquireLeaseAsync(string handler, string owner, TimeSpan duration, CancellationToken cancellationToken = default) =>
            inner.TryAcquireLeaseAsync(handler, owner, duration, cancellationToken);

        public ValueTask<bool> TrySaveCheckpointAsync(string handler, string owner, FeedPosition position, CancellationToken cancellationToken = default) =>
            inner.TrySaveCheckpointAsync(handler, owner, position, cancellationToken);

        public ValueTask ReleaseLeaseAsync(string handler, string owner, CancellationToken cancellationToken = default) => inner.ReleaseLeaseAsync(handler, owner, cancellationToken);
    }

    // Migrated scenario: m1 lead 0→1, meeting 1→(renamed talks on day 3)→5, proposal 5→6, won 6; m2 lead 0→4 (migrated in
    // place on day 3), lost 4. The report lists version 2's stages.
    [Fact]
    public async Task FunnelAsync_MigratedDeals_ARenamedStageCountsUnderItsNewId()
    {
        var reports = ReportScenario.Migrated().Reports;

        var strict = await reports.FunnelAsync(ReportScenario.Request(0, 30), FunnelMode.Strict);
        var implied = await reports.FunnelAsync(ReportScenario.Request(0, 30), FunnelMode.Implied);

        strict.PipelineVersion.Should().Be(2);
        strict.Bars.Select(b => b.StageId).Should().Equal("lead", "talks", "proposal", "won");
        strict.Bars.Select(b => b.Count).Should().Equal(2, 1, 1, 1);
        implied.Bars.Select(b => b.Count).Should().Equal(2, 1, 1, 1);
    }

    [Fact]
    public async Task TimeInStageAsync_MigratedDeals_AMigrationContinuesTheStay()
    {
        var report = await ReportScenario.Migrated().Reports.TimeInStageAsync(ReportScenario.Request(0, 30));

        // m1's stay from day 1 to day 5 is one stay of 4 days, entered once; m2's lead stay runs 0→4, across its migration.
        var lead = report.Stages.Single(s => s.StageId == "lead");
        var talks = report.Stages.Single(s => s.StageId == "talks");
        talks.Entries.Should().Be(1);
        talks.Latest.Should().Be(new DurationStats(1, Days(4), Days(4), Days(4)));
        lead.Entries.Should().Be(2);
        lead.Latest.Should().Be(new DurationStats(2, Days(2.5), Days(2.5), Days(4)));
    }

    [Fact]
    public async Task FlowAsync_MigratedDeals_AMigrationIsNotAMove()
    {
        var flow = await ReportScenario.Migrated().Reports.FlowAsync(ReportScenario.Request(0, 30));

        // m1's move into meeting keeps the id it was made under (a stage version 2 lacks: unordered, after the known ones).

        flow.Moves.Should().Equal(
            new FlowCell("lead", "lost", 1, FlowDirection.Exit, 0),
            new FlowCell("lead", "meeting", 1, FlowDirection.Unordered, 0),
            new FlowCell("talks", "proposal", 1, FlowDirection.Forward, 0),
            new FlowCell("proposal", "won", 1, FlowDirection.Forward, 0));
    }

    [Fact]
    public async Task OutcomesAsync_MigratedDeals_CycleRunsFromTheFirstStart()
    {
        var outcomes = await ReportScenario.Migrated().Reports.OutcomesAsync(ReportScenario.Request(0, 30));

        outcomes.Won.Should().Be(1);
        outcomes.Lost.Should().Be(1);
        outcomes.WonCycle.Mean.Should().Be(Days(6));
        outcomes.LostCycle.Mean.Should().Be(Days(4));
        outcomes.WonValue.Should().Be(1000m);
    }

    [Fact]
    public async Task FunnelAsync_OlderVersionAsked_ListsThatVersionsStages()
    {
        var funnel = await ReportScenario.Migrated().Reports.FunnelAsync(ReportScenario.Request(0, 30, version: 1), FunnelMode.Touched);

        // m1 entered meeting (under version 1's id) before its migration.
        funnel.Bars.Select(b => (b.StageId, b.Count)).Should().Equal(("lead", 2), ("meeting", 1), ("proposal", 1), ("won", 1));
    }

    [Fact]
    public async Task EngineReports_DocsExample_RunsOnTheSevenStepPipeline()
    {
        // The example at the top of docs/reports.md, on one deal started and lost in March.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero));
        var engine = new SalesFlowEngine(new PipelineRegistry(SalesPipelines.SevenStepB2B()), new InMemoryDealStore(), new SalesFlowEngineOptions { TimeProvider = time });
        await engine.StartAsync(SalesPipelines.SevenStepB2BId, "deal-1", new B2BDeal(), new StartRequest("alice") { Owner = "alice" });
        time.Advance(TimeSpan.FromDays(2));
        (await engine.FireAsync("deal-1", B2BTriggers.Lose, new FireRequest("alice") { Reason = "budget" })).EnsureAccepted();
        var ct = CancellationToken.None;

        // docs/reports:start
        var reports = engine.Reports;                          // or new SalesReports(registry, store, timeProvider)
        var march = new ReportRequest("b2b-seven-step", new ReportWindow(
            new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero)));

        FunnelReport funnel     = await reports.FunnelAsync(march, FunnelMode.Strict, ct);
        TimeInStageReport times = await reports.TimeInStageAsync(march, ct);
        FlowReport flow         = await reports.FlowAsync(march, ct);
        OutcomesReport outcomes = await reports.OutcomesAsync(march, ct);
        BreakdownReport byOwner = await reports.BreakdownAsync(march, DealGrouping.ByOwner, top: 10, ct);
        IdleReport attention    = await reports.IdleAsync("b2b-seven-step", ct);
        // docs/reports:end

        funnel.Bars.Select(b => b.Count).Should().Equal(1, 0, 0, 0, 0, 0, 0);
        times.Stages[0].Latest.Median.Should().Be(Days(2));
        flow.Moves.Should().ContainSingle().Which.Direction.Should().Be(FlowDirection.Exit);
        outcomes.LostCycle.Mean.Should().Be(Days(2));
        byOwner.Rows.Should().ContainSingle().Which.Key.Should().Be("alice");
        attention.Idle.Should().BeEmpty();
    }

    [Fact]
    public void ReportsDoc_ContainsTheExampleVerbatim()
    {
        var root = QuickstartTests.FindRepositoryRoot();
        var source = File.ReadAllText(Path.Combine(root, "tests", "SalesFlow.Tests", "Reports", "SalesReportsTests.cs"));
        var doc = File.ReadAllText(Path.Combine(root, "docs", "reports.md"));
        var start = source.IndexOf("// docs/reports:start", StringComparison.Ordinal);
        var end = source.IndexOf("// docs/reports:end", StringComparison.Ordinal);
        var lines = source[start..end].Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

        lines.Should().HaveCount(9);
        var position = 0;
        foreach (var line in lines)
        {
            var found = doc.IndexOf(line, position, StringComparison.Ordinal);
            found.Should().BeGreaterThanOrEqualTo(0, $"docs/reports.md must match the compiled copy in SalesReportsTests, in order (line: {line})");
            position = found + line.Length;
        }
    }

    [Fact]
    public async Task SalesReports_CustomSource_FoldsWhatTheSourceGives()
    {
        // Only d1's history (day 0 start, day 1 meet, day 3 propose, day 5 win), through a source of the caller's.
        var s = ReportScenario.Standard();
        var source = new SingleDealSource(
            await s.Engine.GetAsync("d1"), await s.Engine.GetHistoryAsync("d1"));
        var reports = new SalesReports(s.Engine.Pipelines, source, s.Time);

        var outcomes = await reports.OutcomesAsync(Window);

        outcomes.Won.Should().Be(1);
        outcomes.WonCycle.Mean.Should().Be(Days(5));
        outcomes.WonValue.Should().Be(1000m);
    }

    [Fact]
    public void SalesReports_StoreWithoutAFeed_ThrowsAndSaysWhatToDo()
    {
        var store = new PlainStore(new InMemoryDealStore());
        var engine = new SalesFlowEngine(new PipelineRegistry(ReportPipeline.V1()), store);

        FluentActions.Invoking(() => new SalesReports(engine.Pipelines, store)).Should().Throw<ArgumentException>().WithMessage("*IEventFeedStore*IDealReportSource*");
        FluentActions.Invoking(() => engine.Reports).Should().Throw<InvalidOperationException>().WithMessage("*IEventFeedStore*");
    }

    private sealed class SingleDealSource(Deal deal, IReadOnlyList<DealEvent> events) : IDealReportSource
    {
        public async IAsyncEnumerable<Deal> ReadDealsAsync(string pipelineId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            yield return deal;
        }

        public async IAsyncEnumerable<IReadOnlyList<DealEvent>> ReadEventsAsync(string pipelineId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            yield return events;
        }
    }

    [Fact]
    public async Task Reports_BadArguments_Throw()
    {
        var reports = ReportScenario.Standard().Reports;

        await reports.Invoking(r => r.FunnelAsync(null!, FunnelMode.Strict).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await reports.Invoking(r => r.FunnelAsync(Window, (FunnelMode)7).AsTask()).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await reports.Invoking(r => r.OutcomesAsync(new ReportRequest { PipelineId = " ", Window = ReportWindow.All }).AsTask()).Should().ThrowAsync<ArgumentException>();
        await reports.Invoking(r => r.FlowAsync(new ReportRequest { PipelineId = ReportPipeline.Id, Window = null! }).AsTask()).Should().ThrowAsync<ArgumentException>();
        await reports.Invoking(r => r.TimeInStageAsync(ReportScenario.Request(0, 1) with { PipelineId = "nope" }).AsTask()).Should().ThrowAsync<PipelineNotFoundException>();
        await reports.Invoking(r => r.BreakdownAsync(Window, DealGrouping.ByOwner, 0).AsTask()).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await reports.Invoking(r => r.BreakdownAsync(Window, null!, 1).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await reports.Invoking(r => r.IdleAsync("").AsTask()).Should().ThrowAsync<ArgumentException>();
        FluentActions.Invoking(() => new SalesReports(null!, new InMemoryDealStore())).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new SalesReports(new PipelineRegistry(), (IDealStore)null!)).Should().Throw<ArgumentNullException>();
    }
}
