using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;

namespace SalesFlow.Tests.Reports;

public sealed class FlowCellTests
{
    private static readonly PipelineDefinition B2B = SalesPipelines.SevenStepB2B();

    private static FlowCell Classify(string from, string to) =>
        FlowCell.Classify(from, to, 3, B2B.Stages.FirstOrDefault(s => s.Id == from), B2B.Stages.FirstOrDefault(s => s.Id == to), B2B.Stages.Where(s => s.Kind is StageKind.Open or StageKind.Won));

    [Theory]
    [InlineData(B2BStages.Presentation, B2BStages.Close, FlowDirection.Forward, 1)]
    [InlineData(B2BStages.Prospecting, B2BStages.Qualification, FlowDirection.Forward, 0)]
    [InlineData(B2BStages.Close, B2BStages.Proposal, FlowDirection.Backward, 0)]
    [InlineData(B2BStages.Close, B2BStages.Close, FlowDirection.Reentry, 0)]
    [InlineData(B2BStages.Proposal, B2BStages.Lost, FlowDirection.Exit, 0)]
    [InlineData(B2BStages.Lost, B2BStages.Proposal, FlowDirection.Reopen, 0)]
    [InlineData(B2BStages.Proposal, "renamed-stage", FlowDirection.Unordered, 0)]
    public void Classify_Move_GivesItsDirectionAndSkippedBars(string from, string to, FlowDirection direction, int skipped)
    {
        var cell = Classify(from, to);

        cell.Should().Be(new FlowCell(from, to, 3, direction, skipped));
    }

    [Fact]
    public void Classify_NullBars_Throws() =>
        FluentActions.Invoking(() => FlowCell.Classify("a", "b", 1, null, null, null!)).Should().Throw<ArgumentNullException>();
}
