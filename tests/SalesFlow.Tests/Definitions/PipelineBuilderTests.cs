using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Definitions;

public class PipelineBuilderTests
{
    private static PipelineBuilder<RenewalData> Minimal(string id = "p") =>
        PipelineBuilder.Create<RenewalData>(id)
            .Stage("open")
            .Stage("won", s => s.Won())
            .Stage("lost", s => s.Lost())
            .Transition("win", "open", "won")
            .Transition("lose", "open", "lost");

    private static IReadOnlyList<string> Problems(Func<PipelineDefinition> build) =>
        build.Should().Throw<PipelineDefinitionException>().Which.Problems;

    [Fact]
    public void Build_ValidDefinition_ExposesStagesTransitionsAndDefaults()
    {
        var pipeline = RenewalPipeline.Build();

        pipeline.Id.Should().Be("renewals");
        pipeline.Version.Should().Be(1);
        pipeline.InitialStage.Should().Be("open");
        pipeline.DataType.Should().Be<RenewalData>();
        pipeline.Stages.Select(s => s.Id).Should().Equal("open", "negotiation", "won", "lost");
        pipeline.Stages.Select(s => s.Order).Should().Equal(1, 2, 3, 4);
        pipeline.GetStage("open").Checklist.Should().ContainSingle().Which.Should().Be(new ChecklistItem("call-logged", "Call logged", true));
        pipeline.GetStage("open").Guidance.Should().Be("Call the customer.");
        pipeline.GetStage("won").WinProbability.Should().Be(1.0);
        pipeline.GetStage("lost").WinProbability.Should().Be(0.0);
        pipeline.Triggers.Should().Equal("advance", "sign", "lose", "reopen", "ping");
        pipeline.Transitions.Where(t => t.Trigger == "lose").Select(t => t.From).Should().Equal("open", "negotiation");
    }

    [Fact]
    public void Build_RequiredChecklistItem_GuardsForwardMovesOnly()
    {
        var pipeline = RenewalPipeline.Build();

        var advance = pipeline.Transitions.Single(t => t.Trigger == "advance");
        advance.Guards.Select(g => g.Code).Should().Equal("budget.confirmed", "decision-maker.known", "checklist.call-logged");
        advance.Guards.Last().IsChecklistGuard.Should().BeTrue();
        var loseFromOpen = pipeline.Transitions.Single(t => t.Trigger == "lose" && t.From == "open");
        loseFromOpen.Guards.Select(g => g.Code).Should().Equal("lost.reason");
    }

    [Fact]
    public void Build_Twice_Throws()
    {
        var builder = Minimal();
        builder.Build();

        builder.Invoking(b => b.Build()).Should().Throw<InvalidOperationException>().WithMessage("*already built*");
        builder.Invoking(b => b.Stage("x")).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Build_DuplicateStageIds_ReportsProblem()
    {
        Problems(() => Minimal().Stage("open").Build()).Should().Contain("Stage id 'open' is declared more than once: give each stage its own id.");
    }

    [Fact]
    public void Build_UnknownStagesInTransitions_ReportsEach()
    {
        var problems = Problems(() => Minimal().Transition("jump", "nowhere", "won").Transition("fly", "open", "moon").Build());

        problems.Should().Contain("Trigger 'jump' starts from unknown stage 'nowhere'.");
        problems.Should().Contain("Trigger 'fly' from 'open' leads to unknown stage 'moon'.");
    }

    [Fact]
    public void Build_NoStages_ReportsNoInitialStageAndNothingElseMisleading()
    {
        var problems = Problems(() => PipelineBuilder.Create<RenewalData>("empty").Build());

        problems.Should().Contain(p => p.Contains("no initial stage"));
        problems.Should().ContainSingle("with no stage at all, won/lost/reachability problems would only repeat it");
    }

    [Fact]
    public void Build_UnknownOrClosedInitialStage_ReportsProblem()
    {
        Problems(() => Minimal().InitialStage("missing").Build()).Should().Contain("The initial stage 'missing' is not a declared stage.");
        Problems(() => Minimal().InitialStage("won").Build()).Should().Contain(p => p.Contains("'won' is Won"));
    }

    [Fact]
    public void Build_UnreachableStage_ReportsProblem()
    {
        Problems(() => Minimal().Stage("island", s => s.Closed()).Build())
            .Should().Contain("Stage 'island' is unreachable from the initial stage 'open': add a transition into it or remove it.");
    }

    [Fact]
    public void Build_OpenStageWithoutWayOut_ReportsProblem()
    {
        var problems = Problems(() => Minimal().Stage("limbo").Transition("park", "open", "limbo").InternalAction("wait", "limbo").Build());

        problems.Should().Contain(p => p.StartsWith("Open stage 'limbo' has no way out", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_NoWonAndNoLostStage_ReportsBoth()
    {
        var problems = Problems(() => PipelineBuilder.Create<RenewalData>("p")
            .Stage("a").Stage("b", s => s.Closed()).Transition("go", "a", "b").Build());

        problems.Should().Contain("The pipeline has no won stage: mark one stage with Won().");
        problems.Should().Contain("The pipeline has no lost stage: mark one stage with Lost().");
    }

    [Fact]
    public void Build_SameTriggerToTwoTargetsWithoutGuards_ReportsAmbiguity()
    {
        var problems = Problems(() => Minimal().Transition("win", "open", "lost").Build());

        problems.Should().Contain("Trigger 'win' from stage 'open' leads to 'won' and to 'lost' without guards that tell them apart.");
    }

    [Fact]
    public void Build_SameTriggerWithDistinguishingGuards_IsValid()
    {
        var pipeline = Minimal()
            .Stage("review")
            .Transition("check", "open", "review").When("eligible", d => d.Signed, "Not eligible")
            .Transition("check", "open", "lost").When("not-eligible", d => !d.Signed, "Eligible")
            .Transition("done", "review", "won")
            .Transition("drop", "review", "lost")
            .Build();

        pipeline.Transitions.Count(t => t.Trigger == "check").Should().Be(2);
    }

    [Fact]
    public void Build_SameTriggerWithIdenticalGuardSets_ReportsAmbiguity()
    {
        Problems(() => Minimal()
                .Transition("check", "open", "won").When("g", d => d.Signed, "r")
                .Transition("check", "open", "lost").When("g", d => d.Signed, "r")
                .Build())
            .Should().Contain(p => p.Contains("without guards that tell them apart"));
    }

    [Fact]
    public void Build_EmptyNamesAndIds_ReportsEach()
    {
        var problems = Problems(() => PipelineBuilder.Create<RenewalData>(" ", version: 0)
            .Stage("open", s => s.Name(" "))
            .Stage("", s => s.Won())
            .Stage("lost", s => s.Lost().Checklist("", "Do it").Checklist("x", " "))
            .Transition("", "open", "lost")
            .Transition("win", "open", "")
            .Build());

        problems.Should().Contain("The pipeline id is empty: give the pipeline an id such as 'renewals'.");
        problems.Should().Contain("The pipeline version is 0; versions start at 1.");
        problems.Should().Contain("Stage 'open' has an empty name.");
        problems.Should().Contain("Stage #2 has an empty id.");
        problems.Should().Contain("Stage 'lost' has a checklist item with an empty id.");
        problems.Should().Contain("Checklist item 'x' of stage 'lost' has an empty text.");
        problems.Should().Contain("A transition from 'open' has an empty trigger name.");
    }

    [Fact]
    public void Build_EmptyGuardCodeOrReason_ReportsProblem()
    {
        var problems = Problems(() => Minimal().Transition("go", "open", "won").When("", d => true, "reason").When("code", d => true, "").Build());

        problems.Should().Contain("Trigger 'go' from 'open' has a guard with an empty code.");
        problems.Should().Contain("Guard 'code' of trigger 'go' has an empty reason.");
    }

    [Fact]
    public void Build_InvalidProbabilityIdleThresholdAndDuplicateChecklist_ReportsEach()
    {
        var problems = Problems(() => Minimal()
            .Stage("x", s => s.Probability(1.5).IdleAfter(TimeSpan.Zero).Checklist("dup", "A"))
            .Stage("y", s => s.Checklist("dup", "B"))
            .Transition("tox", "open", "x").Transition("toy", "x", "y").Transition("win", "y", "won").Transition("l", "x", "lost")
            .Build());

        problems.Should().Contain("Stage 'x' has win probability 1.5; it must be between 0 and 1.");
        problems.Should().Contain(p => p.StartsWith("Stage 'x' has idle threshold", StringComparison.Ordinal));
        problems.Should().Contain("Checklist item id 'dup' is used more than once in the pipeline.");
    }

    [Fact]
    public void Build_HookOnUnknownTriggerOrStage_ReportsProblem()
    {
        var problems = Problems(() => Minimal()
            .OnTransitioning(HookScope.Trigger("nope"), _ => { }, "t")
            .OnTransitioned(HookScope.Entering("mars"), _ => { }, "e")
            .Build());

        problems.Should().Contain("Hook 't' is attached to unknown trigger 'nope'.");
        problems.Should().Contain("Hook 'e' is attached to unknown stage 'mars'.");
    }

    [Fact]
    public void Build_ManyProblems_ListsEveryOneInTheMessage()
    {
        var ex = FluentActions.Invoking(() => PipelineBuilder.Create<RenewalData>("broken")
                .Stage("a").Stage("a").Transition("go", "a", "nowhere").Build())
            .Should().Throw<PipelineDefinitionException>().Which;

        ex.PipelineId.Should().Be("broken");
        ex.Problems.Should().HaveCountGreaterThanOrEqualTo(4);
        foreach (var problem in ex.Problems)
        {
            ex.Message.Should().Contain(problem);
        }
    }

    [Fact]
    public void When_WithoutTransition_Throws()
    {
        PipelineBuilder.Create<RenewalData>("p").Stage("a")
            .Invoking(b => b.When("g", d => true, "r"))
            .Should().Throw<InvalidOperationException>().WithMessage("*declare a Transition*");
    }

    [Fact]
    public void PublicEntryPoints_NullArguments_Throw()
    {
        var b = PipelineBuilder.Create<RenewalData>("p").Stage("a").Transition("t", "a", "a");
        FluentActions.Invoking(() => PipelineBuilder.Create<RenewalData>(null!)).Should().Throw<ArgumentNullException>();
        b.Invoking(x => x.Stage(null!)).Should().Throw<ArgumentNullException>();
        b.Invoking(x => x.InitialStage(null!)).Should().Throw<ArgumentNullException>();
        b.Invoking(x => x.Transition(null!, "a", "a")).Should().Throw<ArgumentNullException>();
        b.Invoking(x => x.Transition("t", (string)null!, "a")).Should().Throw<ArgumentNullException>();
        b.Invoking(x => x.Transition("t", "a", null!)).Should().Throw<ArgumentNullException>();
        b.Invoking(x => x.When(null!, d => true, "r")).Should().Throw<ArgumentNullException>();
        b.Invoking(x => x.When("g", (Func<RenewalData, bool>)null!, "r")).Should().Throw<ArgumentNullException>();
        b.Invoking(x => x.When("g", d => true, null!)).Should().Throw<ArgumentNullException>();
        b.Invoking(x => x.SchedulesFollowUp(null!)).Should().Throw<ArgumentNullException>();
        b.Invoking(x => x.OnTransitioning((Action<TransitionContext>)null!)).Should().Throw<ArgumentNullException>();
        b.Invoking(x => x.OnTransitioned((Func<TransitionContext, CancellationToken, ValueTask>)null!)).Should().Throw<ArgumentNullException>();
        b.Invoking(x => x.SerializeDataWith(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => HookScope.Trigger(" ")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new StageBuilderProbe().Run()).Should().Throw<ArgumentNullException>();
    }

    private sealed class StageBuilderProbe
    {
        public void Run() => PipelineBuilder.Create<RenewalData>("p").Stage("a", s => s.Checklist(null!, "x"));
    }

    [Fact]
    public void Definition_SerializeData_RoundTrips()
    {
        var pipeline = RenewalPipeline.Build();

        var json = pipeline.SerializeData(new RenewalData { Signed = true, Counter = 7 });
        var back = (RenewalData)pipeline.DeserializeData(json);

        back.Signed.Should().BeTrue();
        back.Counter.Should().Be(7);
        pipeline.Invoking(p => p.GetStage("missing")).Should().Throw<KeyNotFoundException>().WithMessage("*no stage 'missing'*");
    }
}
