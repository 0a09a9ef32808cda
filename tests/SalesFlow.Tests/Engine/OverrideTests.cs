using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Engine;

public class OverrideTests
{
    [Fact]
    public async Task FireAsync_OverrideByDefault_IsForbiddenWithTheGuardsItWouldBypass()
    {
        var t = new TestEngine();
        await t.StartAsync();

        var result = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("alice") { OverrideJustification = "VIP customer" });

        result.Status.Should().Be(FireStatus.Forbidden);
        result.ForbiddenAction.Should().Be(DealAction.Override);
        result.ForbiddenReason.Should().Be("no one may override guards here");
        result.UnmetGuards.Should().HaveCount(3);
        (await t.Engine.GetAsync("deal-1")).StageId.Should().Be("open");
        (await t.Engine.GetHistoryAsync("deal-1")).Should().HaveCount(1);
        var thrown = result.Invoking(r => r.EnsureAccepted()).Should().Throw<DealForbiddenException>().Which;
        thrown.Action.Should().Be(DealAction.Override);
        thrown.Trigger.Should().Be("advance");
        thrown.Reason.Should().Be("no one may override guards here");
    }

    [Fact]
    public async Task FireAsync_OverrideByAllowedActor_ForcesAndRecordsBypassedGuards()
    {
        var t = new TestEngine(configure: o => o.OverrideActors.Add("manager"));
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
    public async Task FireAsync_OverrideByOtherActor_IsForbidden()
    {
        var t = new TestEngine(configure: o => o.OverrideActors.Add("manager"));
        await t.StartAsync();

        var result = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("intern") { OverrideJustification = "please" });

        result.Status.Should().Be(FireStatus.Forbidden);
        result.ForbiddenAction.Should().Be(DealAction.Override);
    }

    [Fact]
    public async Task FireAsync_OverrideByARoleOfTheEngineOptions_Forces()
    {
        var t = new TestEngine(configure: o => o.OverrideRoles.Add("director"));
        await t.StartAsync();

        var director = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("dana") { OverrideJustification = "j", User = Users.InRoles("dana", "director") });
        await t.StartAsync("deal-2");
        var seller = await t.Engine.FireAsync("deal-2", "advance", new FireRequest("sam") { OverrideJustification = "j", User = Users.InRoles("sam", "seller") });

        director.Status.Should().Be(FireStatus.Accepted);
        director.Event!.IsOverride.Should().BeTrue();
        seller.Status.Should().Be(FireStatus.Forbidden);
        seller.ForbiddenReason.Should().Be("overriding guards needs the role 'director'");
    }

    [Fact]
    public async Task FireAsync_OverrideWhenGuardsAreMet_IsANormalMove()
    {
        var t = new TestEngine(configure: o => o.OverrideActors.Add("manager"));
        await t.StartReadyAsync();

        var result = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("manager") { OverrideJustification = "not needed" });

        result.Event!.IsOverride.Should().BeFalse();
        result.Event.OverriddenGuards.Should().BeEmpty();
    }

    [Fact]
    public async Task FireAsync_AuthorizerDeniesAnOverrideTheRolesAllow_IsForbiddenAndSeesTheRequest()
    {
        DealAuthorizationContext? seen = null;
        var t = new TestEngine(configure: o =>
        {
            o.OverrideActors.Add("x");
            o.Authorizer = DealAuthorizer.From(c =>
            {
                if (c.Action == DealAction.Override)
                {
                    seen = c;
                    return c.UnmetGuards.Count == 1 ? AuthorizationDecision.Allow : AuthorizationDecision.Deny("only one guard may be bypassed");
                }

                return AuthorizationDecision.Allow;
            });
        });
        await t.StartAsync();
        await t.StartAsync("deal-2");

        var lose = await t.Engine.FireAsync("deal-1", "lose", new FireRequest("x") { OverrideJustification = "j" });
        var advance = await t.Engine.FireAsync("deal-2", "advance", new FireRequest("x") { OverrideJustification = "j" });

        lose.Accepted.Should().BeTrue("one unmet guard is within this authorizer");
        advance.Status.Should().Be(FireStatus.Forbidden);
        advance.ForbiddenReason.Should().Be("only one guard may be bypassed");
        seen!.Trigger.Should().Be("advance");
        seen.Deal.Id.Should().Be("deal-2");
        seen.Actor.Should().Be("x");
        seen.UnmetGuards.Should().HaveCount(3);
    }
}
