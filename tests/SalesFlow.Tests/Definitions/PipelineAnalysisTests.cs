using SalesFlow.Pipelines;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Definitions;

/// <summary>The static analysis <see cref="PipelineBuilder{TData}.Build"/> and the JSON loader share.</summary>
public sealed class PipelineAnalysisTests
{
    private static PipelineBuilder<RenewalData> Base() =>
        PipelineBuilder.Create<RenewalData>("p")
            .Stage("open", s => s.Guidance("g").Probability(0.2))
            .Stage("won", s => s.Won())
            .Stage("lost", s => s.Lost());

    [Fact]
    public void Build_TrapCycle_ReportsStagesThatCanNeverEnd()
    {
        var act = () => Base()
            .Stage("loop-a", s => s.Guidance("g"))
            .Stage("loop-b", s => s.Guidance("g"))
            .Transition("enter", "open", "loop-a")
            .Transition("round", "loop-a", "loop-b")
            .Transition("back", "loop-b", "loop-a")
            .Transition("win", "open", "won")
            .Transition("lose", "open", "lost")
            .Build();

        var diagnostics = act.Should().Throw<PipelineDefinitionException>().Which.Diagnostics;
        diagnostics.Where(d => d.IsError).Select(d => (d.Code, d.Location!.JsonPointer)).Should().BeEquivalentTo(new[]
        {
            ("SF1028", "/stages/3"), ("SF1029", "/stages/3"), ("SF1028", "/stages/4"), ("SF1029", "/stages/4"),
        });
    }

    [Fact]
    public void Build_ReturnTransition_CountsAsAWayBack()
    {
        // From 'lost' a deal can go back to where it came from, so 'open' still reaches 'won' through it.
        var definition = Base()
            .Transition("lose", "open", "lost")
            .ReturnTransition("reopen", "lost")
            .Transition("win", "open", "won")
            .Build();

        definition.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void Build_OpenStageThatOnlyEndsClosed_IsFine()
    {
        var definition = Base()
            .Stage("contract", s => s.Guidance("g").Probability(0.9))
            .Stage("withdrawn", s => s.Closed())
            .Transition("sign", "open", "contract")
            .Transition("lose", "open", "lost")
            .Transition("complete", "contract", "won")
            .Transition("withdraw", "contract", "withdrawn")
            .Build();

        definition.Stages.Should().HaveCount(5);
    }

    [Fact]
    public void Build_StageWithoutGuidanceAndFallingProbability_AreWarnings()
    {
        var definition = Base()
            .Stage("late", s => s.Probability(0.1))
            .Transition("next", "open", "late")
            .Transition("win", "late", "won")
            .Transition("lose", ["open", "late"], "lost")
            .Build();

        definition.Warnings.Should().SatisfyRespectively(
            noGuidance =>
            {
                noGuidance.Code.Should().Be("SF3001");
                noGuidance.Severity.Should().Be(DiagnosticSeverity.Warning);
                noGuidance.Location!.JsonPointer.Should().Be("/stages/3");
            },
            falls =>
            {
                falls.Code.Should().Be("SF3002");
                falls.Message.Should().Contain("'open' has 0.2").And.Contain("'late' has 0.1");
                falls.Location!.JsonPointer.Should().Be("/stages/3/winProbability");
            });
    }

    [Fact]
    public void Validate_ReturnsEveryDiagnosticWithoutBuilding()
    {
        var builder = Base().Stage("late").Transition("next", "open", "late").Transition("lose", "open", "lost");

        var diagnostics = builder.Validate();

        diagnostics.Select(d => d.Code).Should().Contain(["SF1024", "SF1028", "SF3001"]);
        builder.Transition("win", "late", "won").Transition("drop", "late", "lost").Build().Should().NotBeNull("Validate does not use the builder up");
    }

    [Fact]
    public void BuiltIns_HaveNoWarnings()
    {
        foreach (var pipeline in SalesPipelines.All)
        {
            pipeline.Warnings.Should().BeEmpty(pipeline.Id);
        }
    }

    [Fact]
    public void Build_Problems_CarryCodesAndPointersIntoTheJsonForm()
    {
        var act = () => Base()
            .Stage("open")
            .Transition("", "open", "nowhere")
            .Build();

        var diagnostics = act.Should().Throw<PipelineDefinitionException>().Which.Diagnostics;
        diagnostics.Should().Contain(d => d.Code == "SF1010" && d.Location!.JsonPointer == "/stages/3/id");
        diagnostics.Should().Contain(d => d.Code == "SF1016" && d.Location!.JsonPointer == "/transitions/0/trigger");
        diagnostics.Should().OnlyContain(d => d.Location!.Line == 0, "a builder definition has no file lines");
    }
}
