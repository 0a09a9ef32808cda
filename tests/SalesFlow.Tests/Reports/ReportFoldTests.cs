using SalesFlow.Testing.Reports;
using CsCheck;

namespace SalesFlow.Tests.Reports;

/// <summary>The fold's memory bound, and properties of the reports that hold for any history.</summary>
public class ReportFoldTests
{
    private static readonly string[] Triggers = ["meet", "propose", "revisit", "restart", "win", "lose", "reopen", "call"];
    private static readonly string[] Cycle = ["meeting", "proposal", "meeting", "proposal", "proposal"];

    [Fact]
    public void Add_ManyEventsOnFewDeals_AllocatesNothingOnceTheDealsAreKnown()
    {
        const int deals = 10;
        var v1 = ReportPipeline.V1();
        using var fold = new ReportFold(new ReportStages(v1, [v1]), ReportWindow.All, ReportScenario.DayAt(100));
        var warmup = Events(deals, 2_000, offset: 0);
        var measured = Events(deals, 200_000, offset: 2_000);
        foreach (var e in warmup)
        {
            fold.Add(e);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var e in measured)
        {
            fold.Add(e);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // 200,000 events (moves, a re-entry, internal actions) on the same 10 deals: the state stays what it was. Anything
        // allocated per event would be at least 24 B each (4.8 MB here); the runtime's own JIT tier-up during the loop
        // accounts for a few KB (5,040 B seen once in CI), so the bound is under one byte per event.
        allocated.Should().BeLessThan(200_000);
        fold.DealCount.Should().Be(deals);
        fold.Flow().Moves.Sum(m => m.Count).Should().Be(warmup.Concat(measured).Count(e => e.Kind == DealEventKind.Transition && e.Trigger != "call"));
    }

    [Fact]
    public void Reports_PipelineOfSeventyStages_KeepTheStagesBeyondTheSixtyFourthApart()
    {
        // The fold keeps the bits of the first 64 stages in the deal's state and the others in its array.
        var pipeline = SeventyStages();
        using var fold = new ReportFold(new ReportStages(pipeline, [pipeline]), ReportWindow.All, ReportScenario.DayAt(200));
        fold.Add(new DealEvent { DealId = "walker", Sequence = 1, Kind = DealEventKind.Started, Timestamp = ReportScenario.DayAt(1), Actor = "t", ToStage = "s0" });
        for (var i = 1; i < 70; i++)
        {
            // Stage s(i-1) lasts i hours, so every stay differs.
            var at = ReportScenario.DayAt(1).AddHours(i * (i + 1) / 2);
            fold.Add(new DealEvent { DealId = "walker", Sequence = i + 1, Kind = DealEventKind.Transition, Timestamp = at, Actor = "t", Trigger = $"next{i - 1}", FromStage = $"s{i - 1}", ToStage = $"s{i}" });
        }

        fold.Add(new DealEvent { DealId = "stopper", Sequence = 1, Kind = DealEventKind.Started, Timestamp = ReportScenario.DayAt(1), Actor = "t", ToStage = "s0" });

        var stages = fold.TimeInStage().Stages;
        stages.Should().HaveCount(70);
        for (var i = 0; i < 69; i++)
        {
            stages[i].Latest.Count.Should().Be(1, $"stage s{i} had one stay that ended");
            stages[i].Latest.Median.Should().Be(TimeSpan.FromHours(i + 1), $"stage s{i} lasted {i + 1} hours");
        }

        stages[69].Latest.Count.Should().Be(0, "the walker is still in the last stage");
        stages[69].Current.Count.Should().Be(1);
        var touched = fold.Funnel(FunnelMode.Touched).Bars;
        touched.Select(b => b.Count).Should().Equal([2, .. Enumerable.Repeat(1, 69), 0], "both deals touched s0, only the walker every later stage, nobody won");
    }

    [Fact]
    public void Reports_SeventyStagesOverSeveralSmallerChunks_TwiceInARow_AgreeWithTheHistory()
    {
        // A deal's row of stays on 70 stages is 142 longs: chunks hold fewer deals, so that one stays under 4 MB.
        var pipeline = SeventyStages();
        const int deals = 5_000;
        for (var run = 0; run < 2; run++)
        {
            using var fold = new ReportFold(new ReportStages(pipeline, [pipeline]), ReportWindow.All, ReportScenario.DayAt(100));
            fold.DealsPerChunk.Should().BeLessThan(ReportFold.ChunkSize).And.BeLessThan(deals / 2, "the deals span three chunks or more");
            for (var d = 0; d < deals; d++)
            {
                var start = ReportScenario.DayAt(1).AddMinutes(d);
                var id = $"deal-{d}";
                fold.Add(new DealEvent { DealId = id, Sequence = 1, Kind = DealEventKind.Started, Timestamp = start, Actor = "t", ToStage = "s0" });
                fold.Add(new DealEvent { DealId = id, Sequence = 2, Kind = DealEventKind.Transition, Timestamp = start.AddHours(1 + (d % 5)), Actor = "t", Trigger = "next0", FromStage = "s0", ToStage = "s1" });
                fold.Add(new DealEvent { DealId = id, Sequence = 3, Kind = DealEventKind.Transition, Timestamp = start.AddHours(1 + (d % 5) + 2 + (d % 3)), Actor = "t", Trigger = "lose", FromStage = "s1", ToStage = "lost" });
            }

            var stages = fold.TimeInStage().Stages;
            stages[0].Cumulative.Mean.Should().Be(TimeSpan.FromHours(Enumerable.Range(0, deals).Average(d => 1 + (d % 5))), $"run {run}: each deal stayed once in s0");
            stages[1].Cumulative.Mean.Should().Be(TimeSpan.FromHours(Enumerable.Range(0, deals).Average(d => 2 + (d % 3))), $"run {run}: each deal stayed once in s1");
            stages.Skip(2).Should().OnlyContain(st => st.Entries == 0 && st.Cumulative.Count == 0, $"run {run}: nobody went further");
            fold.Outcomes().Lost.Should().Be(deals);
        }
    }

    [Fact]
    public void Reports_MoreDealsThanOneChunk_TwiceInARow_AgreeWithTheHistory()
    {
        // The fold keeps deals in chunks rented from the shared pool: these deals span three chunks, and a second fold
        // after the first is disposed gets chunks back from the pool (its stays must start from zero).
        var deals = (2 * ReportFold.ChunkSize) + 1_000;
        var v1 = ReportPipeline.V1();
        var events = new List<DealEvent>(3 * deals);
        for (var round = 0; round < 3; round++)
        {
            // Interleaved, as a store commits them: every deal's first event, then every deal's second, then its third.
            for (var d = 0; d < deals; d++)
            {
                var id = $"deal-{d}";
                var start = ReportScenario.DayAt(1).AddMinutes(d);
                events.Add(round switch
                {
                    0 => new DealEvent { DealId = id, Sequence = 1, Kind = DealEventKind.Started, Timestamp = start, Actor = "t", ToStage = "lead" },
                    1 => new DealEvent { DealId = id, Sequence = 2, Kind = DealEventKind.Transition, Timestamp = start.AddHours(1 + (d % 7)), Actor = "t", Trigger = "meet", FromStage = "lead", ToStage = "meeting" },
                    _ => new DealEvent { DealId = id, Sequence = 3, Kind = DealEventKind.Transition, Timestamp = start.AddHours(1 + (d % 7) + 2 + (d % 3)), Actor = "t", Trigger = d % 2 == 0 ? "win" : "lose", FromStage = "meeting", ToStage = d % 2 == 0 ? "won" : "lost" },
                });
            }
        }

        for (var run = 0; run < 2; run++)
        {
            using var fold = new ReportFold(new ReportStages(v1, [v1]), ReportWindow.All, ReportScenario.DayAt(100));
            foreach (var e in events)
            {
                fold.Add(e);
            }

            fold.DealCount.Should().Be(deals);
            var stages = fold.TimeInStage().Stages;
            var lead = stages.Single(s => s.StageId == "lead");
            var meeting = stages.Single(s => s.StageId == "meeting");
            lead.Entries.Should().Be(deals, $"run {run}");
            lead.Cumulative.Count.Should().Be(deals);
            lead.Cumulative.Mean.Should().Be(TimeSpan.FromHours(Enumerable.Range(0, deals).Average(d => 1 + (d % 7))), $"run {run}: each deal stayed once in lead");
            meeting.Cumulative.Mean.Should().Be(TimeSpan.FromHours(Enumerable.Range(0, deals).Average(d => 2 + (d % 3))), $"run {run}: each deal stayed once in meeting");
            var outcomes = fold.Outcomes();
            outcomes.Won.Should().Be(deals / 2);
            outcomes.Lost.Should().Be(deals / 2);
            fold.Funnel(FunnelMode.Touched).Bars.Select(b => b.Count).Should().Equal(deals, deals, 0, deals / 2);
        }
    }

    [Fact]
    public void TimeInStage_HistoryBeginningWithMigrations_CountsNoEntryForThem()
    {
        // Before the fix a second migration moved an entry the deal never made: meeting went to -1, proposal to 1.
        var v1 = ReportPipeline.V1();
        using var fold = new ReportFold(new ReportStages(v1, [v1]), ReportWindow.All, ReportScenario.DayAt(10));
        fold.Add(new DealEvent { DealId = "h", Sequence = 1, Kind = DealEventKind.Migrated, Timestamp = ReportScenario.DayAt(1), Actor = "t", FromStage = "lead", ToStage = "meeting" });
        fold.Add(new DealEvent { DealId = "h", Sequence = 2, Kind = DealEventKind.Migrated, Timestamp = ReportScenario.DayAt(2), Actor = "t", FromStage = "meeting", ToStage = "proposal" });

        fold.TimeInStage().Stages.Select(s => (s.StageId, s.Entries)).Should().Equal(("lead", 0), ("meeting", 0), ("proposal", 0));
    }

    [Fact]
    public void Outcomes_HistoryWithoutItsStart_CountsTheDealWithoutACycleTime()
    {
        var v1 = ReportPipeline.V1();
        using var fold = new ReportFold(new ReportStages(v1, [v1]), ReportWindow.All, ReportScenario.DayAt(10));
        fold.Add(new DealEvent { DealId = "x", Sequence = 2, Kind = DealEventKind.Transition, Timestamp = ReportScenario.DayAt(1), Actor = "t", Trigger = "win", FromStage = "proposal", ToStage = "won" });

        var outcomes = fold.Outcomes();

        outcomes.Won.Should().Be(1);
        outcomes.WonCycle.Should().Be(DurationStats.Empty);
        fold.Funnel(FunnelMode.Touched).Deals.Should().Be(0, "a deal whose start is not in the history is in no cohort");
    }

    [Fact]
    public void Reports_AnyHistory_FunnelModesAndCountsAgreeWithTheHistory()
    {
        var steps = Gen.Select(Gen.Int[0, 3], Gen.Int[0, Triggers.Length - 1], Gen.Int[1, 48], (d, t, h) => (Deal: d, Trigger: Triggers[t], Hours: h));
        Gen.Select(Gen.Int[1, 4], steps.Array[0, 30]).Sample((dealCount, moves) =>
        {
            var s = new ReportScenario();
            s.At(0);
            for (var i = 0; i < dealCount; i++)
            {
                s.Start($"p{i}");
            }

            foreach (var (deal, trigger, hours) in moves)
            {
                s.Time.Advance(TimeSpan.FromHours(hours));
                if (deal < dealCount)
                {
                    s.Engine.FireAsync($"p{deal}", trigger, new FireRequest("prop")).AsTask().GetAwaiter().GetResult();
                }
            }

            var request = new ReportRequest(ReportPipeline.Id, ReportWindow.All);
            var reports = s.Reports;
            var strict = reports.FunnelAsync(request, FunnelMode.Strict).AsTask().GetAwaiter().GetResult().Bars.Select(b => b.Count).ToArray();
            var touched = reports.FunnelAsync(request, FunnelMode.Touched).AsTask().GetAwaiter().GetResult().Bars.Select(b => b.Count).ToArray();
            var implied = reports.FunnelAsync(request, FunnelMode.Implied).AsTask().GetAwaiter().GetResult().Bars.Select(b => b.Count).ToArray();
            var flow = reports.FlowAsync(request).AsTask().GetAwaiter().GetResult();
            var outcomes = reports.OutcomesAsync(request).AsTask().GetAwaiter().GetResult();
            var times = reports.TimeInStageAsync(request).AsTask().GetAwaiter().GetResult();

            var histories = Enumerable.Range(0, dealCount).Select(i => s.Engine.GetHistoryAsync($"p{i}").AsTask().GetAwaiter().GetResult()).ToList();
            var current = Enumerable.Range(0, dealCount).Select(i => s.Engine.GetAsync($"p{i}").AsTask().GetAwaiter().GetResult()).ToList();
            var moveEvents = histories.SelectMany(h => h).Where(e => e.Kind == DealEventKind.Transition && (e.FromStage != e.ToStage || e.Trigger == "restart")).ToList();

            strict[0].Should().Be(dealCount);
            touched[0].Should().Be(dealCount);
            for (var i = 0; i < strict.Length; i++)
            {
                strict[i].Should().BeLessThanOrEqualTo(touched[i], "a deal strict counts has entered the stage");
                implied[i].Should().BeGreaterThanOrEqualTo(touched[i], "implied adds stages; a lost deal keeps only its own");
                if (i > 0)
                {
                    strict[i].Should().BeLessThanOrEqualTo(strict[i - 1], "strict only drops deals");
                }
            }

            // Per bar, touched counts the deals whose history entered the stage.
            var bars = new[] { "lead", "meeting", "proposal", "won" };
            touched.Should().Equal(bars.Select(b => histories.Count(h => h.Any(e => e.ToStage == b && e.Kind != DealEventKind.Activity))));

            flow.Moves.Sum(m => m.Count).Should().Be(moveEvents.Count);
            flow.BackwardMoves.Should().Be(moveEvents.Count(e => e.FromStage == "proposal" && e.ToStage == "meeting"));
            outcomes.Won.Should().Be(current.Count(d => d.Outcome == StageKind.Won));
            outcomes.Lost.Should().Be(current.Count(d => d.Outcome == StageKind.Lost));
            outcomes.OpenDeals.Should().Be(current.Count(d => d.Outcome == StageKind.Open));
            times.Stages.Sum(t => t.Entries).Should().Be(dealCount + moveEvents.Count(e => e.ToStage is "lead" or "meeting" or "proposal"), "a reopen may return to lead");
            times.Stages.Sum(t => t.Current.Count).Should().Be(current.Count(d => d.Outcome == StageKind.Open));
        }, iter: 60);
    }

    [Fact]
    public async Task Reports_EventsDealByDealInsteadOfCommitOrder_SameFigures()
    {
        // Only each deal's own order matters: a source that reads deal after deal (as a SQL query ordered by deal and
        // sequence would) gives the figures of the commit-ordered feed.
        var s = ReportScenario.Standard();
        var ids = new[] { "d1", "d2", "d3", "d4", "d5", "d7" };
        var deals = new List<Deal>();
        var events = new List<DealEvent>();
        foreach (var id in ids.Reverse())
        {
            deals.Add(await s.Engine.GetAsync(id));
            events.AddRange(await s.Engine.GetHistoryAsync(id));
        }

        var byDeal = new SalesReports(s.Engine.Pipelines, new ListSource(deals, events), s.Time);
        var window = ReportScenario.Request(0, 30);

        foreach (var mode in new[] { FunnelMode.Strict, FunnelMode.Touched, FunnelMode.Implied })
        {
            (await byDeal.FunnelAsync(window, mode)).Should().BeEquivalentTo(await s.Reports.FunnelAsync(window, mode));
        }

        (await byDeal.TimeInStageAsync(window)).Should().BeEquivalentTo(await s.Reports.TimeInStageAsync(window));
        (await byDeal.FlowAsync(window)).Should().BeEquivalentTo(await s.Reports.FlowAsync(window), o => o.WithStrictOrdering());
        (await byDeal.OutcomesAsync(window)).Should().BeEquivalentTo(await s.Reports.OutcomesAsync(window));
        (await byDeal.OutcomesAsync(window)).Won.Should().Be(3);
    }

    private sealed class ListSource(IReadOnlyList<Deal> deals, IReadOnlyList<DealEvent> events) : IDealReportSource
    {
        public async IAsyncEnumerable<Deal> ReadDealsAsync(string pipelineId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            foreach (var deal in deals)
            {
                yield return deal;
            }
        }

        public async IAsyncEnumerable<IReadOnlyList<DealEvent>> ReadEventsAsync(string pipelineId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            yield return events;
        }
    }

    // Deals d0..d(n-1) started, then moves cycling meeting ⇄ proposal (with a re-entry) and an internal action every fifth event.
    private static DealEvent[] Events(int deals, int count, int offset)
    {
        var events = new DealEvent[count];
        var stages = new string[deals];
        for (var i = 0; i < count; i++)
        {
            var index = offset + i;
            var deal = index % deals;
            var id = DealIds[deal];
            var at = ReportScenario.Day0.AddMinutes(index);
            if (index < deals)
            {
                stages[deal] = "lead";
                events[i] = new DealEvent { DealId = id, Sequence = 1, Kind = DealEventKind.Started, Timestamp = at, Actor = "t", ToStage = "lead" };
                continue;
            }

            var step = (index / deals) % Cycle.Length;
            var from = stages[deal] ?? (step == 0 ? "proposal" : Cycle[step - 1]);
            var isInternal = (index - deals) % 5 == 4;
            var to = isInternal ? from : Cycle[step];
            events[i] = new DealEvent
            {
                DealId = id, Sequence = index, Kind = DealEventKind.Transition, Timestamp = at, Actor = "t",
                Trigger = isInternal ? "call" : to == from ? "restart" : "move", FromStage = from, ToStage = to,
            };
            stages[deal] = to;
        }

        return events;
    }

    private static readonly string[] DealIds = [.. Enumerable.Range(0, 100).Select(i => $"d{i}")];

    // 70 open stages in a row (s0 → s1 → … → s69), won from the last, lost from any.
    private static PipelineDefinition SeventyStages()
    {
        var builder = PipelineBuilder.Create<ReportData>("long", 1);
        for (var i = 0; i < 70; i++)
        {
            var order = i + 1;
            builder.Stage($"s{i}", s => s.Name($"Step {order}").Order(order));
        }

        builder.Stage("won", s => s.Name("Won").Order(71).Won()).Stage("lost", s => s.Name("Lost").Order(72).Lost());
        for (var i = 0; i < 69; i++)
        {
            builder.Transition($"next{i}", from: $"s{i}", to: $"s{i + 1}");
        }

        string[] open = [.. Enumerable.Range(0, 70).Select(i => $"s{i}")];
        return builder.Transition("win", from: "s69", to: "won").Transition("lose", from: open, to: "lost").Build();
    }
}
