using Microsoft.Extensions.Time.Testing;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Showroom;

namespace SalesFlow.Tests.Pipelines;

/// <summary>An engine with the three built-in pipelines over an in-memory store and a fake clock.</summary>
public sealed class PipelineHarness
{
    public const string Seller = "seller-1";
    public const string Manager = "manager-1";

    public PipelineHarness(FollowUpCadence? cadence = null)
    {
        Registry = new PipelineRegistry(SalesPipelines.SevenStepB2B(), SalesPipelines.Showroom(cadence), SalesPipelines.RetailFloor());
        Engine = new SalesFlowEngine(Registry, Store, new SalesFlowEngineOptions
        {
            TimeProvider = Time,
            OverrideActors = { Manager },
        });
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    public InMemoryDealStore Store { get; } = new();

    public PipelineRegistry Registry { get; }

    public SalesFlowEngine Engine { get; }

    public ValueTask<FireResult> FireAsync(string dealId, string trigger, string? reason = null, string actor = Seller) =>
        Engine.FireAsync(dealId, trigger, new FireRequest(actor) { Reason = reason });

    public async Task<FireResult> AcceptAsync(string dealId, string trigger, string? reason = null)
    {
        var result = await FireAsync(dealId, trigger, reason);
        result.EnsureAccepted();
        return result;
    }

    public async Task<DealEvent> LastEventAsync(string dealId) => (await Engine.GetHistoryAsync(dealId))[^1];
}

internal static class FireResultAssertions
{
    public static void ShouldBeRejectedWith(this FireResult result, params string[] codes)
    {
        result.Status.Should().Be(FireStatus.Rejected);
        result.UnmetGuards.Select(g => g.Code).Should().BeEquivalentTo(codes);
        result.UnmetGuards.Should().OnlyContain(g => !string.IsNullOrWhiteSpace(g.Reason));
    }
}
