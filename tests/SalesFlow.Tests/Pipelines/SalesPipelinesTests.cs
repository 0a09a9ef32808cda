using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Showroom;

namespace SalesFlow.Tests.Pipelines;

public class SalesPipelinesTests
{
    [Fact]
    public void Definitions_CalledTwice_ReturnTheSameInstance()
    {
        SalesPipelines.SevenStepB2B().Should().BeSameAs(SalesPipelines.SevenStepB2B());
        SalesPipelines.Showroom().Should().BeSameAs(SalesPipelines.Showroom());
        SalesPipelines.RetailFloor().Should().BeSameAs(SalesPipelines.RetailFloor());
    }

    [Fact]
    public void Showroom_DefaultOrEqualCadence_ReturnsTheDefaultInstance()
    {
        var equal = new FollowUpCadence(TimeSpan.FromDays(2), TimeSpan.FromDays(7), TimeSpan.FromDays(14));

        SalesPipelines.Showroom(FollowUpCadence.Default).Should().BeSameAs(SalesPipelines.Showroom());
        SalesPipelines.Showroom(equal).Should().BeSameAs(SalesPipelines.Showroom());
    }

    [Fact]
    public void Showroom_OtherCadence_ReturnsAnotherDefinitionWithTheSameId()
    {
        var custom = SalesPipelines.Showroom(new FollowUpCadence(TimeSpan.FromDays(1), TimeSpan.FromDays(5), TimeSpan.FromDays(10)));

        custom.Should().NotBeSameAs(SalesPipelines.Showroom());
        custom.Id.Should().Be(SalesPipelines.ShowroomId);
    }

    [Fact]
    public void Showroom_NonPositiveInterval_ThrowsListingIt()
    {
        var act = () => SalesPipelines.Showroom(new FollowUpCadence(TimeSpan.FromDays(1), TimeSpan.Zero, TimeSpan.FromDays(1)));

        act.Should().Throw<ArgumentException>().WithMessage("*GradeB*");
    }

    [Fact]
    public void All_ListsTheThreePipelinesAtVersion1()
    {
        SalesPipelines.All.Select(p => (p.Id, p.Version)).Should().Equal(
            ("b2b-seven-step", 1), ("showroom-ten-step", 1), ("retail-four-stage", 1));
    }

    [Fact]
    public void All_EveryOpenStage_HasNameGuidanceAndChecklistOrGate()
    {
        foreach (var pipeline in SalesPipelines.All)
        {
            foreach (var stage in pipeline.Stages.Where(s => s.IsOpen))
            {
                stage.Name.Should().NotBe(stage.Id, $"{pipeline.Id}/{stage.Id} has a display name");
                stage.Guidance.Should().NotBeNullOrWhiteSpace($"{pipeline.Id}/{stage.Id} has guidance from the seed");
            }

            pipeline.Stages.Should().Contain(s => s.Kind == StageKind.Won);
            pipeline.Stages.Should().Contain(s => s.Kind == StageKind.Lost);
        }
    }

    [Fact]
    public void SevenStepB2B_Stages_FollowTheSevenStepsInOrder()
    {
        SalesPipelines.SevenStepB2B().Stages.Where(s => s.Kind != StageKind.Lost).Select(s => s.Id).Should().Equal(
            "prospecting", "qualification", "needs-assessment", "presentation", "proposal", "close", "follow-up");
    }

    [Fact]
    public void Showroom_Stages_FollowTheTenStepsInOrder()
    {
        SalesPipelines.Showroom().Stages.Where(s => s.IsOpen).Select(s => s.Id).Should().Equal(
            "reception", "project-introduction", "site-tour", "negotiation", "no-deal-yet", "customer-record", "tracking",
            "subscription", "contract", "check-out");
    }

    [Fact]
    public void Registry_WithAllThree_RegistersWithoutConflict()
    {
        var registry = new PipelineRegistry(SalesPipelines.All);
        registry.Add(SalesPipelines.Showroom());

        registry.All.Should().HaveCount(3);
    }
}
