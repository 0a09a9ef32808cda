using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Engine;

public class OverrideTests
{
    [Fact]
    public async Task FireAsync_OverrideByDefault_IsDenied()
    {
        var t = new TestEngine();
        await t.StartAsync();

        var result = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("alice") { OverrideJustification = "VIP customer" });

        result.Status.Should().Be(FireStatus.Rejected);
        result.OverrideDenied.Should().BeTrue();
        result.UnmetGuards.Should().HaveCount(3);
        (await t.Engine.GetAsync("deal-1")).StageId.Should().Be("open");
        result.Invoking(r => r.EnsureAccepted()).Should().Throw<MoveRejectedException>().Which.OverrideDenied.Should().BeTrue();
    }

    [Fact]
    public async Task FireAsync_OverrideByAllowedActor_ForcesAndRecordsBypassedGuards()
    {
        var t = new TestEngine(configure: o => o.OverridePolicy = OverridePolicy.AllowActors(["manager"]));
        await t.StartAsync(data: new RenewalData { BudgetConfirmed = true });

        var result = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("manager") { OverrideJustification = "Signed off by the director" });

        result.Status.Should().Be(FireStatus.Accepted);
        result.Deal.StageId.Should().Be("negotiation");
        result.UnmetGuards.Select(g => g.Code).Should().Equal("decision-maker.known", "checklist.call-logged");
        result.Event!.IsOverride.Should().BeTrue();
        result.Event.OverriddenGuards.Should().Equal("decision-maker.known", "checklist.call-logged");
        result.Event.OverrideJustification.Should().Be("Signed off by the director");
        var stored = (await t.Engine.GetHistoryAsync("deal-1"))[^1];
        stored.OverriddenGuards.Should().Equal("decision-maker.known", "checklist.call-logged");
    }

    [Fact]
    public async Task FireAsync_OverrideByOtherActor_IsDenied()
    {
        var t = new TestEngine(configure: o => o.OverridePolicy = OverridePolicy.AllowActors(["manager"]));
        await t.StartAsync();

        var result = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("intern") { OverrideJustification = "please" });

        result.OverrideDenied.Should().BeTrue();
        result.Status.Should().Be(FireStatus.Rejected);
    }

    [Fact]
    public async Task FireAsync_OverrideWhenGuardsAreMet_IsANormalMove()
    {
        var t = new TestEngine(configure: o => o.OverridePolicy = OverridePolicy.AllowActors(["manager"]));
        await t.StartReadyAsync();

        var result = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("manager") { OverrideJustification = "not needed" });

        result.Event!.IsOverride.Should().BeFalse();
        result.Event.OverriddenGuards.Should().BeEmpty();
    }

    [Fact]
    public async Task OverridePolicy_From_SeesTheRequest()
    {
        OverrideRequest? seen = null;
        var t = new TestEngine(configure: o => o.OverridePolicy = OverridePolicy.From(r => { seen = r; return r.UnmetGuards.Count == 1; }));
        await t.StartAsync();

        var refused = await t.Engine.FireAsync("deal-1", "lose", new FireRequest("x") { OverrideJustification = "j" });

        refused.Accepted.Should().BeTrue("one unmet guard is within this policy");
        seen!.Trigger.Should().Be("lose");
        seen.Deal.Id.Should().Be("deal-1");
        FluentActions.Invoking(() => OverridePolicy.From(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => OverridePolicy.AllowActors(null!)).Should().Throw<ArgumentNullException>();
    }
}
