using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Pipelines.Showroom;
using static SalesFlow.Tests.Pipelines.PipelineHarness;

namespace SalesFlow.Tests.Pipelines;

public class FollowUpQueryExtensionsTests
{
    [Fact]
    public async Task GetFollowUpsDueAsync_MoreDealsThanAPage_ReadsEveryPage()
    {
        var h = new PipelineHarness();
        for (var i = 0; i < 105; i++)
        {
            await ShowroomPipelineTests.ToStageAsync(h, $"s{i:D3}", ShowroomStages.Tracking, CustomerGrade.A);
        }

        var due = await h.Engine.GetFollowUpsDueAsync(SalesPipelines.ShowroomId, h.Time.GetUtcNow().AddDays(2));

        due.Should().HaveCount(105);
        due.Select(d => d.Id).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task GetFollowUpsDueAsync_OtherPipeline_IsNotListed()
    {
        var h = new PipelineHarness();
        await h.Engine.StartAsync(SalesPipelines.SevenStepB2BId, "b1", new B2BDeal(), Seller);
        await h.Engine.RecordActivityAsync("b1", new ActivityRequest(Seller) { NextFollowUpAt = h.Time.GetUtcNow() });
        await ShowroomPipelineTests.ToStageAsync(h, "s1", ShowroomStages.Tracking, CustomerGrade.A);

        var due = await h.Engine.GetFollowUpsDueAsync(SalesPipelines.ShowroomId, h.Time.GetUtcNow().AddDays(30));

        due.Select(d => d.Id).Should().Equal("s1");
    }

    [Fact]
    public async Task GetFollowUpsDueAsync_BlankPipeline_Throws()
    {
        var h = new PipelineHarness();

        var act = async () => await h.Engine.GetFollowUpsDueAsync(" ", h.Time.GetUtcNow());

        await act.Should().ThrowAsync<ArgumentException>();
    }
}
