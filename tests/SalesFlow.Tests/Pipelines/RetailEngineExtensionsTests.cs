using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Retail;
using static SalesFlow.Tests.Pipelines.PipelineHarness;

namespace SalesFlow.Tests.Pipelines;

public class RetailEngineExtensionsTests
{
    private readonly PipelineHarness _h = new();

    private SalesFlowEngine Engine => _h.Engine;

    [Fact]
    public async Task RecordTryOnAsync_Piece_AddsItAndRecordsActivity()
    {
        await StartAsync("r1");

        var deal = await Engine.RecordTryOnAsync("r1", "bracelet-7", Seller);

        deal.DataAs<RetailDeal>().PiecesTriedOn.Should().Equal("bracelet-7");
        var e = await _h.LastEventAsync("r1");
        e.Activity.Should().Be(RetailActivities.TriedOn);
        e.Properties[RetailEngineExtensions.PieceProperty].Should().Be("bracelet-7");
    }

    [Fact]
    public async Task ShowBrochureAndRecommendSimilar_RecordTheirActivities()
    {
        await StartAsync("r1");

        await Engine.ShowBrochureAsync("r1", "spring-collection", Seller);
        var deal = await Engine.RecommendSimilarStyleAsync("r1", "ring-043", Seller);

        deal.DataAs<RetailDeal>().BrochuresShown.Should().Equal("spring-collection");
        deal.DataAs<RetailDeal>().SimilarStylesRecommended.Should().Equal("ring-043");
        (await Engine.GetHistoryAsync("r1")).Select(e => e.Activity).Should().ContainInOrder(RetailActivities.BrochureShown, RetailActivities.SimilarStyleRecommended);
    }

    [Fact]
    public async Task NoticesPieceAsync_AfterBrowsing_IsNotPermitted()
    {
        await StartAsync("r1");
        await _h.AcceptAsync("r1", RetailTriggers.ShowsCuriosity);

        (await Engine.NoticesPieceAsync("r1", "ring-1", Seller)).Status.Should().Be(FireStatus.NotPermitted);
    }

    [Fact]
    public async Task QuotePriceAsync_KeepsCallerProperties()
    {
        await StartAsync("r1");

        var result = await Engine.QuotePriceAsync("r1", 10m, new FireRequest(Manager) { OverrideJustification = "Asked twice", Properties = new Dictionary<string, string> { ["piece"] = "ring-1" } });

        result.Event!.Properties.Should().Contain("piece", "ring-1").And.Contain(RetailEngineExtensions.PriceProperty, "10");
    }

    [Fact]
    public async Task Operations_InvalidArguments_Throw()
    {
        SalesFlowEngine? none = null;
        await StartAsync("r1");

        await FluentActions.Awaiting(async () => await none!.RecordTryOnAsync("r1", "p", Seller)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await Engine.RecordTryOnAsync("r1", " ", Seller)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await Engine.QuotePriceAsync("r1", -1m, new FireRequest(Seller))).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(async () => await Engine.QuotePriceAsync("r1", 1m, null!)).Should().ThrowAsync<ArgumentNullException>();
    }

    private Task StartAsync(string id) => Engine.StartAsync(SalesPipelines.RetailFloorId, id, new RetailDeal(), Seller).AsTask();
}
