using Microsoft.Extensions.DependencyInjection;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Pipelines.Showroom;

namespace SalesFlow.Extensions.Tests;

public class SalesFlowBuiltInPipelinesExtensionsTests
{
    [Fact]
    public void Methods_NullBuilder_Throw()
    {
        ISalesFlowBuilder none = null!;

        FluentActions.Invoking(() => none.AddBuiltInPipelines()).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => none.AddSevenStepB2B()).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => none.AddShowroom()).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => none.AddRetailFloor()).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void AddBuiltInPipelines_TwiceAndOneByOne_RegistersEachPipelineOnce()
    {
        var services = new ServiceCollection();
        services.AddSalesFlow().AddBuiltInPipelines().AddSevenStepB2B().AddShowroom().AddRetailFloor().UseInMemoryStore();
        services.AddSalesFlow().AddBuiltInPipelines();
        using var provider = services.BuildServiceProvider();

        _ = provider.GetRequiredService<SalesFlowEngine>();

        provider.GetRequiredService<PipelineRegistry>().All.Select(p => p.Id).Should().BeEquivalentTo(
            SalesPipelines.SevenStepB2BId, SalesPipelines.ShowroomId, SalesPipelines.RetailFloorId);
    }

    [Fact]
    public void AddSevenStepB2B_Alone_RegistersOnlyIt()
    {
        var services = new ServiceCollection();
        services.AddSalesFlow().AddSevenStepB2B();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<PipelineRegistry>().All.Should().ContainSingle().Which.Should().BeSameAs(SalesPipelines.SevenStepB2B());
    }

    [Fact]
    public async Task AddSevenStepB2B_Resolved_StartsADealInProspecting()
    {
        var services = new ServiceCollection();
        services.AddSalesFlow().AddSevenStepB2B().UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<SalesFlowEngine>();

        var deal = await engine.StartAsync(SalesPipelines.SevenStepB2BId, "b1", new B2BDeal(), "alice");
        var moves = await engine.GetAvailableMovesAsync("b1");

        deal.StageId.Should().Be(SalesPipelines.SevenStepB2B().InitialStage);
        moves.Select(m => m.Trigger).Should().Contain(B2BTriggers.Lose);
    }

    [Fact]
    public void AddShowroom_CadenceInOptions_BuildsTheShowroomWithIt()
    {
        var services = new ServiceCollection();
        services.AddSalesFlow().AddShowroom();
        services.Configure<ShowroomFollowUpOptions>(o => o.GradeA = TimeSpan.FromDays(1));
        using var provider = services.BuildServiceProvider();

        var showroom = provider.GetRequiredService<PipelineRegistry>().Get(SalesPipelines.ShowroomId);

        var expected = new FollowUpCadence(TimeSpan.FromDays(1), FollowUpCadence.Default.GradeB, FollowUpCadence.Default.GradeC);
        showroom.Should().BeSameAs(SalesPipelines.Showroom(expected));
        showroom.Should().NotBeSameAs(SalesPipelines.Showroom());
    }

    [Fact]
    public void AddShowroom_NoCadenceInOptions_UsesTheDefaultCadence()
    {
        var services = new ServiceCollection();
        services.AddSalesFlow().AddShowroom();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<PipelineRegistry>().Get(SalesPipelines.ShowroomId).Should().BeSameAs(SalesPipelines.Showroom());
    }
}
