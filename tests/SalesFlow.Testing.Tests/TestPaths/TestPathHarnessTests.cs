using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Pipelines.Showroom;
using SalesFlow.Sqlite;
using SalesFlow.Testing.Tests.Support;
using Xunit.Abstractions;

namespace SalesFlow.Testing.Tests.TestPaths;

public class TestPathHarnessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RunAsync_SevenStepB2B_EveryStepAcceptedAndEveryTransitionFired()
    {
        var report = await RunBuiltInAsync(SalesPipelines.SevenStepB2B(), new B2BDeal(), BuiltInSatisfiers.SevenStepB2B());

        var refer = await EventsAsync(report);
        refer.Should().Contain(e => e.Trigger == B2BTriggers.Refer && e.Properties[B2BEngineExtensions.ReferredDealIdProperty] == "referred-by-test-path");
    }

    [Fact]
    public async Task RunAsync_Showroom_EveryStepAcceptedAndEveryTransitionFired()
    {
        var report = await RunBuiltInAsync(SalesPipelines.Showroom(), new ShowroomDeal(), BuiltInSatisfiers.Showroom());

        var events = await EventsAsync(report);
        events.Should().Contain(e => e.Activity == "checklist.completed", "the harness completes required checklist items itself");
    }

    [Fact]
    public async Task RunAsync_RetailFloor_EveryStepAcceptedAndQuotesBeforeDesireAreRecordedOverrides()
    {
        var report = await RunBuiltInAsync(SalesPipelines.RetailFloor(), new RetailDeal(), BuiltInSatisfiers.RetailFloor());

        var quotes = (await EventsAsync(report)).Where(e => e.Trigger == RetailTriggers.QuotePrice).ToList();
        quotes.Where(e => e.FromStage != RetailStages.Desire).Should().HaveCount(3)
            .And.OnlyContain(e => e.OverriddenGuards.SequenceEqual(new[] { RetailGuards.PriceBeforeDesire }) && e.OverrideJustification != null);
        quotes.Where(e => e.FromStage == RetailStages.Desire).Should().ContainSingle().Which.OverriddenGuards.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_NoSatisfiers_ThrowsUpFrontListingEveryGuardCodeAndRunsNothing()
    {
        var pipeline = SalesPipelines.SevenStepB2B();
        var store = new InMemoryDealStore();
        var harness = new TestPathHarness<B2BDeal>(pipeline, new B2BDeal(), new GuardSatisfiers(), new TestPathHarnessOptions { Store = store, DealIdPrefix = "p" });

        var act = async () => await harness.RunAsync();

        var thrown = (await act.Should().ThrowAsync<GuardSatisfiersMissingException>()).Which;
        var expected = pipeline.Transitions.SelectMany(t => t.Guards).Where(g => !g.IsChecklistGuard).Select(g => g.Code).Distinct();
        thrown.Codes.Should().BeEquivalentTo(expected);
        thrown.Missing.Should().OnlyContain(m => !m.ToRefuseAlternative && m.NeededBy.Count > 0);
        var (path, step) = TestPathGenerator.Generate(pipeline).Paths.SelectMany(p => p.Steps.Select(s => (p, s))).First(x => x.s.Trigger == B2BTriggers.Qualify);
        thrown.Message.Should().Contain("bant.budget (Budget not confirmed)").And.Contain($"path {path.Number}, step {step.Number} (Qualify: qualification -> needs-assessment)");
        (await store.GetAsync("p1")).Should().BeNull("nothing runs when a satisfier is missing");
    }

    [Fact]
    public async Task RunAsync_SatisfierThatDoesNotMeetItsGuard_FailsNamingThePathTheStepAndTheUnmetGuard()
    {
        var harness = new TestPathHarness<FlagData>(SmallPipelines.Linear(), new FlagData(), new GuardSatisfiers().AddAlreadyMet("signed"));

        var act = async () => await harness.RunAsync();

        var thrown = (await act.Should().ThrowAsync<TestPathFailedException>()).Which;
        thrown.Step.Trigger.Should().Be("sign");
        thrown.Status.Should().Be(FireStatus.Rejected);
        thrown.UnmetGuards.Should().ContainSingle().Which.Should().Be(new UnmetGuard("signed", "Contract not signed"));
        thrown.Message.Should().Contain($"Test path {thrown.Path.Number}, step {thrown.Step.Number} (sign: open -> won)").And.Contain("signed: Contract not signed");
    }

    [Fact]
    public async Task RunAsync_ReentryInternalActionsAndReturns_LandWhereTheEngineSays()
    {
        var pipeline = SmallPipelines.ReentryAndReturns();
        var plan = TestPathGenerator.Generate(pipeline);

        var report = await new TestPathHarness<FlagData>(pipeline, new FlagData(), new GuardSatisfiers()).RunAsync(plan);

        plan.IsComplete.Should().BeTrue();
        report.FiredTransitions.Should().BeEquivalentTo(pipeline.Transitions);
        report.StepsFired.Should().Be(plan.StepCount);
        var undo = plan.Paths.SelectMany(p => p.Steps).Where(s => s.Trigger == "undo").ToList();
        undo.Should().Contain(s => s.From == "b" && s.PreviousStage == "b", "a re-entry makes the stage its own previous stage");
    }

    [Fact]
    public async Task RunAsync_AlternativesWithViolators_TakesEachAlternative()
    {
        var pipeline = SmallPipelines.Alternatives();
        var satisfiers = new GuardSatisfiers()
            .AddData<FlagData>("yes", d => d.Set("yes"), d => d.Clear("yes"))
            .AddData<FlagData>("no", d => d.Set("no"), d => d.Clear("no"));

        var report = await new TestPathHarness<FlagData>(pipeline, new FlagData(), satisfiers).RunAsync();

        report.FiredTransitions.Should().BeEquivalentTo(pipeline.Transitions);
    }

    [Fact]
    public void FindMissingSatisfiers_AlternativeWithoutAViolator_ReportedUpFront()
    {
        var pipeline = SmallPipelines.Alternatives();
        var harness = new TestPathHarness<FlagData>(pipeline, new FlagData(), new GuardSatisfiers().AddData<FlagData>("yes", d => d.Set("yes")).AddData<FlagData>("no", d => d.Set("no")));

        var missing = harness.FindMissingSatisfiers(TestPathGenerator.Generate(pipeline));

        missing.Should().ContainSingle().Which.ToRefuseAlternative.Should().BeTrue();
        missing[0].Guards.Select(g => g.Code).Should().Equal("yes");
        missing[0].ToString().Should().Contain("unmet");
    }

    [Fact]
    public async Task RunAsync_OverrideThatAlsoBypassesAnUnsatisfiedGuard_Fails()
    {
        var pipeline = PipelineBuilder.Create<FlagData>("override", version: 1)
            .Stage("open", s => s.Name("Open"))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("sign", from: "open", to: "won")
                .When("policy", _ => false, "Never by the book")
                .When("signed", d => d.Has("signed"), "Contract not signed")
            .Transition("lose", from: "open", to: "lost")
            .Build();
        var harness = new TestPathHarness<FlagData>(pipeline, new FlagData(), new GuardSatisfiers().AddOverride("policy", "on purpose").AddAlreadyMet("signed"));

        var act = async () => await harness.RunAsync();

        var thrown = (await act.Should().ThrowAsync<TestPathFailedException>()).Which;
        thrown.UnmetGuards.Select(g => g.Code).Should().Equal("signed");
        thrown.Message.Should().Contain("override");
    }

    [Fact]
    public async Task RunAsync_GivenStore_SavesThePathDealsThere()
    {
        var store = new InMemoryDealStore();
        var options = new TestPathHarnessOptions { Store = store, DealIdPrefix = "mine-", Actor = "qa" };
        var harness = new TestPathHarness<FlagData>(SmallPipelines.Linear(), new FlagData(), new GuardSatisfiers().AddData<FlagData>("signed", d => d.Set("signed")), options);

        var report = await harness.RunAsync();

        report.DealIds.Should().Equal(report.Plan.Paths.Select(p => $"mine-{p.Number}"));
        foreach (var id in report.DealIds)
        {
            (await store.GetAsync(id)).Should().NotBeNull();
            (await store.GetEventsAsync(id, 0, null)).Should().OnlyContain(e => e.Actor == "qa");
        }
    }

    [Fact]
    public async Task RunAsync_SqliteStore_ShowroomPathsRunGreenOnTheDatabase()
    {
        var pipeline = SalesPipelines.Showroom();
        var folder = Directory.CreateTempSubdirectory("salesflow-test-paths-");
        try
        {
            await using var store = new SqliteDealStore(new PipelineRegistry(pipeline), new SqliteDealStoreOptions { DataSource = Path.Combine(folder.FullName, "deals.db") });
            var harness = new TestPathHarness<ShowroomDeal>(pipeline, new ShowroomDeal(), BuiltInSatisfiers.Showroom(), new TestPathHarnessOptions { Store = store });

            var report = await harness.RunAsync();

            report.FiredTransitions.Should().HaveCount(pipeline.Transitions.Count);
            report.Engine.Store.Should().BeSameAs(store);
            foreach (var (id, path) in report.DealIds.Zip(report.Plan.Paths))
            {
                (await store.GetAsync(id))!.StageId.Should().Be(path.FinalStage);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_PlanOfAnotherPipeline_Throws()
    {
        var harness = new TestPathHarness<FlagData>(SmallPipelines.Linear(), new FlagData(), new GuardSatisfiers());

        var act = async () => await harness.RunAsync(TestPathGenerator.Generate(SmallPipelines.Alternatives()));

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*generate it from the harness's pipeline*");
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        var pipeline = SmallPipelines.Linear();

        FluentActions.Invoking(() => new TestPathHarness<FlagData>(null!, new FlagData(), new GuardSatisfiers())).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new TestPathHarness<FlagData>(pipeline, null!, new GuardSatisfiers())).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new TestPathHarness<FlagData>(pipeline, new FlagData(), null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new TestPathHarness<FlagData>(pipeline, new FlagData(), new GuardSatisfiers(), new TestPathHarnessOptions { Actor = " " }))
            .Should().Throw<ArgumentException>().WithMessage("*actor*");
        FluentActions.Invoking(() => new TestPathHarness<FlagData>(pipeline, new FlagData(), new GuardSatisfiers()).FindMissingSatisfiers(null!))
            .Should().Throw<ArgumentNullException>();
    }

    private async Task<TestPathRunReport> RunBuiltInAsync<TData>(PipelineDefinition<TData> pipeline, TData data, GuardSatisfiers satisfiers)
        where TData : class
    {
        var plan = TestPathGenerator.Generate(pipeline);

        var report = await new TestPathHarness<TData>(pipeline, data, satisfiers).RunAsync(plan);

        output.WriteLine($"{plan}; run: {report}");
        report.StepsFired.Should().Be(plan.StepCount);
        report.DealIds.Should().HaveCount(plan.Paths.Count);
        // Independently of the plan: every declared transition shows in the path deals' histories.
        var events = await EventsAsync(report);
        foreach (var transition in pipeline.Transitions)
        {
            events.Should().Contain(
                e => e.Kind == DealEventKind.Transition && e.Trigger == transition.Trigger && e.FromStage == transition.From
                    && (transition.To == null || e.ToStage == transition.To),
                $"transition {transition} is fired by a path");
        }

        return report;
    }

    private static async Task<List<DealEvent>> EventsAsync(TestPathRunReport report)
    {
        var events = new List<DealEvent>();
        foreach (var id in report.DealIds)
        {
            events.AddRange(await report.Engine.GetHistoryAsync(id));
        }

        return events;
    }
}
