using SalesFlow.Export;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Export;

public class PipelineGraphTests
{
    [Fact]
    public void Of_EveryBuiltIn_HasOneEdgePerTransitionInDeclarationOrder()
    {
        foreach (var pipeline in SalesPipelines.All)
        {
            var graph = PipelineGraph.Of(pipeline);

            graph.Edges.Select(e => (e.Trigger, e.Kind, From: pipeline.Stages[e.From].Id, To: e.To < 0 ? null : pipeline.Stages[e.To].Id))
                .Should().Equal(pipeline.Transitions.Select(t => (t.Trigger, t.Kind, t.From, t.To)), "every transition of {0} is read back from Stateless", pipeline.Id);
            graph.Edges.Select(e => e.GuardReasons).Should().BeEquivalentTo(pipeline.Transitions.Select(t => t.Guards.Select(g => g.Reason)), o => o.WithStrictOrdering());
        }
    }

    [Fact]
    public void Of_InitialStageDeclaredLater_MarksThatStage()
    {
        var pipeline = PipelineBuilder.Create<HostileData>("later-start")
            .Stage("lost", s => s.Name("Lost").Lost())
            .Stage("open", s => s.Name("Open"))
            .Stage("won", s => s.Name("Won").Won())
            .InitialStage("open")
            .Transition("win", from: "open", to: "won")
            .Transition("lose", from: "open", to: "lost")
            .Build();

        var graph = PipelineGraph.Of(pipeline);

        graph.InitialIndex.Should().Be(1);
        graph.Stages.Where(s => s.IsInitial).Select(s => s.Name).Should().Equal("Open");
        pipeline.ToMermaid().Should().Contain("    i0 --> s1\n");
    }

    [Fact]
    public void Of_SevenStepB2B_ReturnTargetsAreTheStagesADealCanBeLostFrom()
    {
        var pipeline = SalesPipelines.SevenStepB2B();

        var reopen = PipelineGraph.Of(pipeline).Edges.Single(e => e.Kind == TransitionKind.Return);

        reopen.ReturnTargets.Select(t => pipeline.Stages[t.Stage].Id).Should().BeEquivalentTo(
            pipeline.Transitions.Where(t => t.To == B2BStages.Lost).Select(t => t.From).Distinct());
        reopen.To.Should().Be(-1);
    }

    [Fact]
    public void Of_ReturnIntoAStageReachedByAReturn_FollowsTheChain()
    {
        // b can only be reached from a; c from b; a return from c goes to b, and a return from b goes back to a or c.
        var pipeline = PipelineBuilder.Create<HostileData>("chain")
            .Stage("a", s => s.Name("A"))
            .Stage("b", s => s.Name("B"))
            .Stage("c", s => s.Name("C").Lost())
            .Stage("w", s => s.Name("W").Won())
            .Transition("next", from: "a", to: "b")
            .Transition("lose", from: "b", to: "c")
            .Transition("win", from: ["a", "b"], to: "w")
            .ReturnTransition("back", "b", "c")
            .Build();

        var returns = PipelineGraph.Of(pipeline).Edges.Where(e => e.Kind == TransitionKind.Return).ToDictionary(e => pipeline.Stages[e.From].Id);

        returns["c"].ReturnTargets.Select(t => pipeline.Stages[t.Stage].Id).Should().Equal("b");
        returns["b"].ReturnTargets.Select(t => pipeline.Stages[t.Stage].Id).Should().BeEquivalentTo(["a", "c"]);
    }

    [Fact]
    public async Task Of_DealLostAndReopenedTwice_CountsEveryMoveOnItsTransition()
    {
        var (deal, history) = await GraphSamples.B2BWithBackEdgesAsync();
        var pipeline = SalesPipelines.SevenStepB2B();

        var graph = PipelineGraph.Of(pipeline, deal, history);

        graph.CurrentIndex.Should().Be(pipeline.Stages.ToList().FindIndex(s => s.Id == B2BStages.Qualification));
        var taken = graph.Edges.Where(e => e.Taken > 0).Select(e => (e.Trigger, pipeline.Stages[e.From].Id, e.Taken));
        taken.Should().BeEquivalentTo(
        [
            (B2BTriggers.Contact, B2BStages.Prospecting, 1),
            (B2BTriggers.Lose, B2BStages.Prospecting, 1),
            (B2BTriggers.Lose, B2BStages.Qualification, 1),
            (B2BTriggers.Reopen, B2BStages.Lost, 2),
        ]);
        graph.Edges.Single(e => e.Kind == TransitionKind.Return).ReturnTargets.Where(t => t.Taken > 0)
            .Select(t => (pipeline.Stages[t.Stage].Id, t.Taken)).Should().BeEquivalentTo([(B2BStages.Prospecting, 1), (B2BStages.Qualification, 1)]);
        history.Count(e => e.Kind == DealEventKind.Transition).Should().Be(graph.Edges.Sum(e => e.Taken), "every recorded move is counted once");
    }

    [Fact]
    public async Task Of_HistoryWithAMoveThisVersionDoesNotHave_LeavesItOut()
    {
        var (deal, history) = await GraphSamples.B2BWithBackEdgesAsync();
        var pipeline = SalesPipelines.SevenStepB2B();
        var foreign = history[^1] with { Sequence = history[^1].Sequence + 1, Trigger = "RemovedInThisVersion" };

        var graph = PipelineGraph.Of(pipeline, deal, [.. history, foreign]);

        graph.Edges.Sum(e => e.Taken).Should().Be(history.Count(e => e.Kind == DealEventKind.Transition));
    }

    [Fact]
    public async Task Of_DealOfAnotherVersion_ThrowsSayingWhichDefinitionToUse()
    {
        var (deal, history) = await GraphSamples.B2BWithBackEdgesAsync();

        var act = () => PipelineGraph.Of(SalesPipelines.SevenStepB2B(), deal with { PipelineVersion = 2 }, history);

        act.Should().Throw<ArgumentException>().WithParameterName("deal")
            .WithMessage("Deal 'b1' runs on pipeline 'b2b-seven-step' v2, not on 'b2b-seven-step' v1*PipelineRegistry.Get*");
    }

    [Fact]
    public async Task Of_DealInAnUnknownStage_Throws()
    {
        var (deal, history) = await GraphSamples.B2BWithBackEdgesAsync();

        var act = () => PipelineGraph.Of(SalesPipelines.SevenStepB2B(), deal with { StageId = "gone" }, history);

        act.Should().Throw<ArgumentException>().WithParameterName("deal").WithMessage("*stage 'gone'*");
    }

    [Fact]
    public async Task Of_HistoryOfAnotherDeal_Throws()
    {
        var (deal, history) = await GraphSamples.B2BWithBackEdgesAsync();

        var act = () => PipelineGraph.Of(SalesPipelines.SevenStepB2B(), deal, [history[0], history[1] with { DealId = "other" }]);

        act.Should().Throw<ArgumentException>().WithParameterName("history").WithMessage("History entry 1 (sequence 2) belongs to deal 'other', not to deal 'b1'.*");
    }

    [Fact]
    public async Task Of_NullHistoryEntry_Throws()
    {
        var (deal, history) = await GraphSamples.B2BWithBackEdgesAsync();

        var act = () => PipelineGraph.Of(SalesPipelines.SevenStepB2B(), deal, [history[0], null!]);

        act.Should().Throw<ArgumentException>().WithParameterName("history").WithMessage("History entry 1 is null.*");
    }

    [Fact]
    public void Of_NullDefinition_Throws()
    {
        var act = () => PipelineGraph.Of(null!, null!, []);

        act.Should().Throw<ArgumentNullException>().WithParameterName("definition");
    }
}
