using SalesFlow.Tests.Support;

namespace SalesFlow.Tests;

public class SmokeTests
{
    [Fact]
    public async Task Move_ThroughRenewal_Works()
    {
        var store = new InMemoryDealStore();
        var engine = new SalesFlowEngine(new PipelineRegistry(RenewalPipeline.Build()), store);
        await engine.StartAsync(RenewalPipeline.Id, "d1", new RenewalData(), "alice");
        var refused = await engine.FireAsync("d1", "advance", new FireRequest("alice"));
        refused.Status.Should().Be(FireStatus.Rejected);
        refused.UnmetGuards.Select(g => g.Code).Should().BeEquivalentTo("budget.confirmed", "decision-maker.known", "checklist.call-logged");
        await engine.UpdateAsync<RenewalData>("d1", d => d with { BudgetConfirmed = true, DecisionMakerKnown = true }, "alice");
        await engine.CompleteChecklistItemAsync("d1", "call-logged", "alice");
        var ok = await engine.FireAsync("d1", "advance", new FireRequest("alice"));
        ok.Status.Should().Be(FireStatus.Accepted);
        ok.Deal.StageId.Should().Be("negotiation");
        (await engine.FireAsync("d1", "lose", new FireRequest("alice") { Reason = "price" })).EnsureAccepted();
        (await engine.FireAsync("d1", "reopen", new FireRequest("alice"))).EnsureAccepted().Deal.StageId.Should().Be("negotiation");
        var history = await engine.GetHistoryAsync("d1");
        history.Select(e => e.Sequence).Should().Equal(1, 2, 3, 4, 5, 6);
    }
}
