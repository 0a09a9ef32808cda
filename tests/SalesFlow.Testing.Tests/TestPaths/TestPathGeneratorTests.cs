using SalesFlow.Pipelines;
using SalesFlow.Testing.Tests.Support;
using Xunit.Abstractions;

namespace SalesFlow.Testing.Tests.TestPaths;

public class TestPathGeneratorTests(ITestOutputHelper output)
{
    // a -next-> b -win-> won; b -back-> a (a back edge); a, b -lose-> lost -reopen-> (previous stage); ping stays in b.
    private static PipelineDefinition<FlagData> Tiny() =>
        PipelineBuilder.Create<FlagData>("tiny", version: 1)
            .Stage("a", s => s.Name("A").Checklist("a-call", "Call the customer", required: true))
            .Stage("b", s => s.Name("B"))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("next", from: "a", to: "b")
            .Transition("back", from: "b", to: "a")
            .InternalAction("ping", "b")
            .Transition("win", from: "b", to: "won")
                .When("signed", d => d.Has("signed"), "Contract not signed")
            .Transition("lose", from: ["a", "b"], to: "lost")
                .When("lost.reason", (_, ctx) => ctx.Reason is not null, "A reason is required")
            .ReturnTransition("reopen", "lost")
            .Build();

    [Fact]
    public void Generate_NullPipeline_Throws()
    {
        var act = () => TestPathGenerator.Generate(null!);

        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Generate_TinyGraph_CoversEveryTransitionIncludingTheBackEdge()
    {
        var pipeline = Tiny();

        var plan = TestPathGenerator.Generate(pipeline);

        output.WriteLine(plan.Describe());
        plan.Unreachable.Should().BeEmpty();
        plan.Paths.SelectMany(p => p.Steps).Select(s => s.Transition).Distinct().Should().BeEquivalentTo(pipeline.Transitions);
        plan.IsComplete.Should().BeTrue();
        plan.CoveredTransitionCount.Should().Be(pipeline.Transitions.Count);
        plan.StepCount.Should().Be(plan.Paths.Sum(p => p.Steps.Count));
        plan.Paths.SelectMany(p => p.Steps).Should().Contain(s => s.Trigger == "back" && s.From == "b" && s.To == "a");
    }

    [Fact]
    public void Generate_TinyGraph_ReturnLeadsToThePreviousStageAndPathsAreChained()
    {
        var plan = TestPathGenerator.Generate(Tiny());

        foreach (var path in plan.Paths)
        {
            var (stage, previous) = (path.InitialStage, (string?)null);
            foreach (var step in path.Steps)
            {
                step.From.Should().Be(stage);
                step.PreviousStage.Should().Be(previous);
                var to = step.Kind switch
                {
                    TransitionKind.Internal => stage,
                    TransitionKind.Return => previous!,
                    _ => step.Transition.To!,
                };
                step.To.Should().Be(to);
                previous = step.Kind == TransitionKind.Internal ? previous : stage;
                stage = to;
            }
        }

        plan.Paths.SelectMany(p => p.Steps).Where(s => s.Trigger == "reopen").Should().OnlyContain(s => s.To == s.PreviousStage && s.PreviousStage != null);
    }

    [Fact]
    public void Generate_TinyGraph_StepsNameTheirGuardsWithReasonsIncludingChecklistGuards()
    {
        var plan = TestPathGenerator.Generate(Tiny());
        var steps = plan.Paths.SelectMany(p => p.Steps).ToList();

        var win = steps.First(s => s.Trigger == "win");
        win.Guards.Select(g => (g.Code, g.Reason)).Should().Equal(("signed", "Contract not signed"));
        var next = steps.First(s => s.Trigger == "next");
        next.Guards.Should().ContainSingle(g => g.IsChecklistGuard && g.Code == "checklist.a-call" && g.Reason.Contains("Call the customer"));
        steps.First(s => s.Trigger == "lose").Guards.Should().ContainSingle(g => g.Code == "lost.reason");
        plan.Describe().Should().Contain("satisfy signed: Contract not signed").And.Contain("satisfy checklist.a-call");
    }

    [Fact]
    public void Generate_ReturnFromTheInitialStageThatIsNeverReentered_IsReportedUnreachable()
    {
        var pipeline = PipelineBuilder.Create<FlagData>("return-from-start", version: 1)
            .Stage("a", s => s.Name("A"))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("win", from: "a", to: "won")
            .Transition("lose", from: "a", to: "lost")
            .ReturnTransition("undo", "a")
            .Build();

        var plan = TestPathGenerator.Generate(pipeline);

        plan.Unreachable.Should().ContainSingle().Which.Transition.Trigger.Should().Be("undo");
        plan.Unreachable[0].Reason.Should().Contain("never has a previous stage");
        plan.IsComplete.Should().BeFalse();
        plan.CoveredTransitionCount.Should().Be(pipeline.Transitions.Count - 1);
        plan.ToString().Should().Contain("1 unreachable");
    }

    [Fact]
    public void Generate_AlternativeShadowedByAnEarlierOneWithFewerGuards_IsReportedUnreachable()
    {
        var pipeline = PipelineBuilder.Create<FlagData>("shadowed", version: 1)
            .Stage("a", s => s.Name("A"))
            .Stage("b", s => s.Name("B"))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("go", from: "a", to: "won").When("x", d => d.Has("x"), "No x")
            .Transition("go", from: "a", to: "b").When("x", d => d.Has("x"), "No x").When("y", d => d.Has("y"), "No y")
            .Transition("detour", from: "a", to: "b")
            .Transition("lose", from: ["a", "b"], to: "lost")
            .Transition("win", from: "b", to: "won")
            .Build();

        var plan = TestPathGenerator.Generate(pipeline);

        var unreachable = plan.Unreachable.Should().ContainSingle().Subject;
        unreachable.Transition.Should().BeSameAs(pipeline.Transitions[1]);
        unreachable.Reason.Should().Contain("declared before it");
        plan.Paths.SelectMany(p => p.Steps).Should().NotContain(s => s.Transition == pipeline.Transitions[1]);
    }

    [Fact]
    public void Generate_Alternatives_StepNamesTheEarlierAlternativeToRefuse()
    {
        var pipeline = PipelineBuilder.Create<FlagData>("alternatives", version: 1)
            .Stage("a", s => s.Name("A"))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("decide", from: "a", to: "won").When("yes", d => d.Has("yes"), "Not agreed")
            .Transition("decide", from: "a", to: "lost").When("no", d => d.Has("no"), "Not refused")
            .Build();

        var plan = TestPathGenerator.Generate(pipeline);

        plan.IsComplete.Should().BeTrue();
        var toLost = plan.Paths.SelectMany(p => p.Steps).Single(s => s.To == "lost");
        toLost.PrecedingAlternatives.Should().ContainSingle().Which.GuardsToLeaveUnmet.Select(g => g.Code).Should().Equal("yes");
        plan.Paths.SelectMany(p => p.Steps).Single(s => s.To == "won").PrecedingAlternatives.Should().BeEmpty();
    }

    [Theory]
    [InlineData(SalesPipelines.SevenStepB2BId)]
    [InlineData(SalesPipelines.ShowroomId)]
    [InlineData(SalesPipelines.RetailFloorId)]
    public void Generate_BuiltInProcess_CoversEveryTransition(string pipelineId)
    {
        var pipeline = SalesPipelines.All.Single(p => p.Id == pipelineId);

        var plan = TestPathGenerator.Generate(pipeline);

        output.WriteLine(plan.Describe());
        var fired = plan.Paths.SelectMany(p => p.Steps).Select(s => s.Transition).ToHashSet();
        pipeline.Transitions.Where(t => !fired.Contains(t)).Should().BeEmpty("every transition is fired by some path");
        plan.Unreachable.Should().BeEmpty();
        plan.CoveredTransitionCount.Should().Be(pipeline.Transitions.Count);
        plan.Paths.Should().OnlyContain(p => p.Steps.Count > 0);
        plan.Paths.SelectMany(p => p.Steps).Count(s => s.CoversTransition).Should().Be(pipeline.Transitions.Count);
    }
}
