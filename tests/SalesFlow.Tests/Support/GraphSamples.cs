using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Tests.Pipelines;

namespace SalesFlow.Tests.Support;

/// <summary>Deals with a real history, made by the engine, for the graph tests.</summary>
public static class GraphSamples
{
    public static readonly string LostReason = B2BLostReasons.Competitor;

    /// <summary>
    /// A seven-step B2B deal lost and reopened twice: Lose (Prospecting), Reopen, Contact, Lose (Qualification), Reopen;
    /// it ends in Qualification.
    /// </summary>
    public static async Task<(Deal Deal, IReadOnlyList<DealEvent> History)> B2BWithBackEdgesAsync()
    {
        var h = new PipelineHarness();
        await h.Engine.StartAsync(B2BPipelineId, "b1", new B2BDeal(), PipelineHarness.Seller);
        await h.AcceptAsync("b1", B2BTriggers.Lose, LostReason);
        await h.AcceptAsync("b1", B2BTriggers.Reopen);
        await h.Engine.RecordLeadSourceAsync("b1", LeadSource.WhitePaper, PipelineHarness.Seller);
        await h.AcceptAsync("b1", B2BTriggers.Contact);
        await h.AcceptAsync("b1", B2BTriggers.Lose, LostReason);
        await h.AcceptAsync("b1", B2BTriggers.Reopen);
        return (await h.Engine.GetAsync("b1"), await h.Engine.GetHistoryAsync("b1"));
    }

    /// <summary>A retail deal that noticed two pieces (an internal action, twice) and became curious.</summary>
    public static async Task<(Deal Deal, IReadOnlyList<DealEvent> History)> RetailWithInternalActionsAsync()
    {
        var h = new PipelineHarness();
        await h.Engine.StartAsync(SalesPipelines.RetailFloor().Id, "r1", new RetailDeal(), PipelineHarness.Seller);
        (await h.Engine.NoticesPieceAsync("r1", "ring-1", PipelineHarness.Seller)).EnsureAccepted();
        (await h.Engine.NoticesPieceAsync("r1", "ring-2", PipelineHarness.Seller)).EnsureAccepted();
        await h.AcceptAsync("r1", RetailTriggers.ShowsCuriosity);
        return (await h.Engine.GetAsync("r1"), await h.Engine.GetHistoryAsync("r1"));
    }

    private static string B2BPipelineId => SalesPipelines.SevenStepB2B().Id;
}
