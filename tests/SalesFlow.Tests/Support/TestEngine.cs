using Microsoft.Extensions.Time.Testing;

namespace SalesFlow.Tests.Support;

/// <summary>An engine over a real in-memory store and a fake clock, with the renewal pipeline registered.</summary>
public sealed class TestEngine
{
    public TestEngine(PipelineDefinition? pipeline = null, Action<SalesFlowEngineOptions>? configure = null, IDealStore? store = null)
    {
        Pipeline = pipeline ?? RenewalPipeline.Build();
        Store = store ?? new InMemoryDealStore();
        Options = new SalesFlowEngineOptions { TimeProvider = Time };
        configure?.Invoke(Options);
        Engine = new SalesFlowEngine(new PipelineRegistry(Pipeline), Store, Options);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    public PipelineDefinition Pipeline { get; }

    public IDealStore Store { get; }

    public SalesFlowEngineOptions Options { get; }

    public SalesFlowEngine Engine { get; }

    public ValueTask<Deal> StartAsync(string dealId = "deal-1", RenewalData? data = null) =>
        Engine.StartAsync(Pipeline.Id, dealId, data ?? new RenewalData(), "alice");

    /// <summary>Starts a renewal deal that meets every guard of 'advance'.</summary>
    public async ValueTask<Deal> StartReadyAsync(string dealId = "deal-1")
    {
        await StartAsync(dealId, new RenewalData { BudgetConfirmed = true, DecisionMakerKnown = true });
        return await Engine.CompleteChecklistItemAsync(dealId, "call-logged", "alice");
    }

    public ValueTask<FireResult> FireAsync(string trigger, string dealId = "deal-1", string actor = "alice", string? reason = null) =>
        Engine.FireAsync(dealId, trigger, new FireRequest(actor) { Reason = reason });
}
