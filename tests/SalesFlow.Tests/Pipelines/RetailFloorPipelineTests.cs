using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Retail;
using static SalesFlow.Tests.Pipelines.PipelineHarness;

namespace SalesFlow.Tests.Pipelines;

public class RetailFloorPipelineTests
{
    private readonly PipelineHarness _h = new();

    private SalesFlowEngine Engine => _h.Engine;

    [Fact]
    public async Task HappyPath_SignalsThroughDesireToPurchase_Works()
    {
        await StartAsync("r1");
        (await Engine.NoticesPieceAsync("r1", "ring-042", Seller)).Deal.StageId.Should().Be(RetailStages.Browsing);
        await _h.AcceptAsync("r1", RetailTriggers.ShowsCuriosity);
        await Engine.RecordTryOnAsync("r1", "ring-042", Seller);
        await _h.AcceptAsync("r1", RetailTriggers.SharesPersonalContext);
        await _h.AcceptAsync("r1", RetailTriggers.AsksPriceCarefully);
        (await Engine.QuotePriceAsync("r1", 1299m, new FireRequest(Seller))).EnsureAccepted();

        var result = await _h.FireAsync("r1", RetailTriggers.Purchase);

        result.Deal.StageId.Should().Be(RetailStages.Purchased);
        result.Deal.Outcome.Should().Be(StageKind.Won);
        (await Engine.GetHistoryAsync("r1")).Where(e => e.Kind == DealEventKind.Transition).Select(e => e.Trigger).Should().Equal(
            RetailTriggers.NoticesPiece, RetailTriggers.ShowsCuriosity, RetailTriggers.SharesPersonalContext, RetailTriggers.AsksPriceCarefully,
            RetailTriggers.QuotePrice, RetailTriggers.Purchase);
    }

    [Theory]
    [InlineData(RetailStages.Browsing)]
    [InlineData(RetailStages.Curious)]
    [InlineData(RetailStages.Interested)]
    public async Task QuotePrice_BeforeDesire_IsRefusedWithTheSeedReason(string stage)
    {
        await ToStageAsync("r1", stage);

        var result = await Engine.QuotePriceAsync("r1", 1299m, new FireRequest(Seller));

        result.ShouldBeRejectedWith(RetailGuards.PriceBeforeDesire);
        result.UnmetGuards[0].Reason.Should().Contain("too expensive").And.Contain("99%");
        result.Deal.StageId.Should().Be(stage);
    }

    [Fact]
    public async Task QuotePrice_InDesire_IsAcceptedAndRecordsThePrice()
    {
        await ToStageAsync("r1", RetailStages.Desire);

        var result = await Engine.QuotePriceAsync("r1", 1299.50m, new FireRequest(Seller));

        result.Accepted.Should().BeTrue();
        result.Deal.StageId.Should().Be(RetailStages.Desire);
        result.Event!.Properties[RetailEngineExtensions.PriceProperty].Should().Be("1299.50");
        result.Event.IsOverride.Should().BeFalse();
    }

    [Fact]
    public async Task QuotePrice_BeforeDesireWithAllowedOverride_IsAcceptedAndRecordsOverride()
    {
        await ToStageAsync("r1", RetailStages.Curious);

        var result = await Engine.QuotePriceAsync("r1", 1299m, new FireRequest(Manager) { OverrideJustification = "Regular customer asked for the price list" });

        result.Accepted.Should().BeTrue();
        result.Event!.OverriddenGuards.Should().Equal(RetailGuards.PriceBeforeDesire);
        result.Event.OverrideJustification.Should().Be("Regular customer asked for the price list");
        result.Event.Properties[RetailEngineExtensions.PriceProperty].Should().Be("1299");
        (await _h.LastEventAsync("r1")).IsOverride.Should().BeTrue();
    }

    [Fact]
    public async Task QuotePrice_BeforeDesireWithOverrideByActorNotAllowed_IsRefused()
    {
        await ToStageAsync("r1", RetailStages.Curious);

        var result = await Engine.QuotePriceAsync("r1", 1299m, new FireRequest(Seller) { OverrideJustification = "Customer insisted" });

        result.Status.Should().Be(FireStatus.Forbidden);
        result.ForbiddenAction.Should().Be(DealAction.Override);
        result.UnmetGuards.Select(g => g.Code).Should().Equal(RetailGuards.PriceBeforeDesire);
    }

    [Theory]
    [InlineData(RetailStages.Browsing, RetailTriggers.Purchase, RetailStages.Purchased)]
    [InlineData(RetailStages.Curious, RetailTriggers.Purchase, RetailStages.Purchased)]
    [InlineData(RetailStages.Interested, RetailTriggers.WalkAway, RetailStages.WalkedAway)]
    [InlineData(RetailStages.Desire, RetailTriggers.WalkAway, RetailStages.WalkedAway)]
    public async Task Outcome_FromAnyStage_IsAccepted(string stage, string trigger, string expected)
    {
        await ToStageAsync("r1", stage);

        (await _h.FireAsync("r1", trigger)).Deal.StageId.Should().Be(expected);
    }

    [Fact]
    public async Task AsksPriceCarefully_FromCurious_IsNotPermitted()
    {
        await ToStageAsync("r1", RetailStages.Curious);

        var result = await _h.FireAsync("r1", RetailTriggers.AsksPriceCarefully);

        result.Status.Should().Be(FireStatus.NotPermitted);
    }

    private Task StartAsync(string id) => Engine.StartAsync(SalesPipelines.RetailFloorId, id, new RetailDeal(), Seller).AsTask();

    private async Task ToStageAsync(string id, string stage)
    {
        await StartAsync(id);
        string[] signals = [RetailTriggers.ShowsCuriosity, RetailTriggers.SharesPersonalContext, RetailTriggers.AsksPriceCarefully];
        string[] stages = [RetailStages.Browsing, RetailStages.Curious, RetailStages.Interested, RetailStages.Desire];
        for (var i = 0; i < Array.IndexOf(stages, stage); i++)
        {
            await _h.AcceptAsync(id, signals[i]);
        }
    }
}
