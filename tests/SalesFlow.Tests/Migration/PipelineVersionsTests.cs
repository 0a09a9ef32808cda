using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Migration;

/// <summary>Versions 1 and 2 of one pipeline registered side by side: each deal runs on the version it is pinned to.</summary>
public class PipelineVersionsTests
{
    private static async Task<SalesFlowEngine> ArrangeAsync()
    {
        var engine = new SalesFlowEngine(new PipelineRegistry(RenewalVersions.V1()), new InMemoryDealStore());
        await engine.StartAsync(RenewalPipeline.Id, "old", new RenewalData { BudgetConfirmed = true }, "alice");
        engine.Pipelines.Add(RenewalVersions.V2());
        await engine.StartAsync(RenewalPipeline.Id, "new", new RenewalData { BudgetConfirmed = true }, "alice");
        await engine.StartAsync(RenewalPipeline.Id, "pinned", new RenewalData { BudgetConfirmed = true }, new StartRequest("alice") { PipelineVersion = 1 });
        foreach (var id in new[] { "old", "new", "pinned" })
        {
            await engine.CompleteChecklistItemAsync(id, "call-logged", "alice");
        }

        return engine;
    }

    [Fact]
    public async Task StartAsync_WithoutVersion_TakesTheLatest_WithVersion_TakesThatOne()
    {
        var engine = await ArrangeAsync();

        (await engine.GetAsync("old")).PipelineVersion.Should().Be(1);
        (await engine.GetAsync("new")).PipelineVersion.Should().Be(2);
        (await engine.GetAsync("pinned")).PipelineVersion.Should().Be(1);
    }

    [Fact]
    public async Task FireAsync_DealsOnEachVersion_KeepTheirVersionsGuards()
    {
        var engine = await ArrangeAsync();

        var v1 = await engine.FireAsync("old", "advance", new FireRequest("alice"));
        var pinned = await engine.FireAsync("pinned", "advance", new FireRequest("alice"));
        var v2 = await engine.FireAsync("new", "advance", new FireRequest("alice"));

        v1.Status.Should().Be(FireStatus.Rejected);
        v1.UnmetGuards.Select(g => g.Code).Should().Equal("decision-maker.known");
        pinned.Status.Should().Be(FireStatus.Rejected);
        v2.EnsureAccepted().Deal.StageId.Should().Be("qualified", "version 2 asks for the decision maker one stage later");
    }

    [Fact]
    public async Task GetAvailableMoves_DealsOnEachVersion_ListTheirVersionsStages()
    {
        var engine = await ArrangeAsync();
        await engine.UpdateAsync<RenewalData>("old", d => d with { DecisionMakerKnown = true }, "alice");
        (await engine.FireAsync("old", "advance", new FireRequest("alice"))).EnsureAccepted();

        var oldMoves = await engine.GetAvailableMovesAsync("old");
        var newMoves = await engine.GetAvailableMovesAsync("new");

        (await engine.GetAsync("old")).StageId.Should().Be("negotiation", "a stage version 2 no longer has");
        oldMoves.Select(m => m.Trigger).Should().BeEquivalentTo(["sign", "lose", "ping"]);
        newMoves.Single(m => m.Trigger == "advance").ToStage.Should().Be("qualified");
    }
}
