using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Showroom;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Definitions;

public sealed class PipelineComponentsTests
{
    private const string Json = """
        { "format": 1, "id": "renewals", "version": 2, "dataType": "renewal",
          "stages": [ { "id": "open", "guidance": "g", "winProbability": 0.3 }, { "id": "won", "kind": "won" }, { "id": "lost", "kind": "lost" } ],
          "transitions": [
            { "trigger": "sign", "from": "open", "to": "won", "guards": [ { "use": "contract.signed" } ], "followUp": "in-a-week" },
            { "trigger": "lose", "from": "open", "to": "lost", "guards": [ { "use": "lost.reason", "reason": "Say why" } ] } ],
          "hooks": [ { "use": "audit", "phase": "after-save", "on": { "trigger": "sign" } } ] }
        """;

    [Fact]
    public async Task Load_RegisteredGuardsHooksAndRules_AreWiredIntoTheEngine()
    {
        var audited = new List<string>();
        var components = new PipelineComponents()
            .AddDataType<RenewalData>("renewal")
            .AddGuard<RenewalData>("contract.signed", d => d.Signed, "Contract not signed")
            .AddGuard<RenewalData>("lost.reason", (_, ctx) => ctx.Reason is not null, "A reason is required")
            .AddFollowUp<RenewalData>("in-a-week", (_, now) => now.AddDays(7))
            .AddHook("audit", ctx => audited.Add(ctx.After.Id));
        var definition = PipelineJson.Parse(Json, components);
        var engine = new TestEngine(definition);
        await engine.Engine.StartAsync("renewals", "d1", new RenewalData(), "alice");

        var refused = await engine.FireAsync("lose", "d1");
        refused.UnmetGuards.Should().ContainSingle().Which.Reason.Should().Be("Say why", "the file's reason overrides the registered one");
        (await engine.FireAsync("sign", "d1")).UnmetGuards.Single().Reason.Should().Be("Contract not signed");

        await engine.Engine.UpdateAsync<RenewalData>("d1", d => d with { Signed = true }, "alice");
        var signed = await engine.FireAsync("sign", "d1");

        signed.Accepted.Should().BeTrue();
        signed.Deal!.NextFollowUpAt.Should().Be(engine.Time.GetUtcNow().AddDays(7));
        audited.Should().Equal("d1");
    }

    [Fact]
    public void AddGuard_SameCodeTwiceForOneType_Throws()
    {
        var components = new PipelineComponents().AddGuard<RenewalData>("x", _ => true, "r");

        FluentActions.Invoking(() => components.AddGuard<RenewalData>("x", _ => true, "r")).Should().Throw<ArgumentException>().WithMessage("*already registered*");
        FluentActions.Invoking(() => components.AddGuard<JsonDealData>("x", _ => true, "r")).Should().NotThrow("codes are per data type");
    }

    [Fact]
    public void Add_BadArguments_Throw()
    {
        var components = new PipelineComponents();
        FluentActions.Invoking(() => components.AddGuard<RenewalData>(" ", _ => true, "r")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => components.AddGuard<RenewalData>("x", (Func<RenewalData, bool>)null!, "r")).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => components.AddHook("h", (Action<TransitionContext>)null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => components.AddDataType<RenewalData>("")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => components.AddFollowUp<RenewalData>("f", null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => components.Add(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => PipelineComponents.From(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void BuiltIn_KnowsTheShowroomFollowUpRuleAndDataTypes()
    {
        var components = PipelineComponents.BuiltIn;

        components.DataTypes.Keys.Should().BeEquivalentTo("b2b-deal", "showroom-deal", "retail-deal");
        components.FollowUps.Keys.Should().Contain(("showroom.return-visit-by-grade", typeof(ShowroomDeal)));
        SalesPipelines.Showroom().Transitions.Single(t => t.Trigger == ShowroomTriggers.StartTracking).FollowUpRule.Should().Be("showroom.return-visit-by-grade");
    }

    [Fact]
    public void LoadedShowroom_SchedulesReturnVisitsByGrade()
    {
        var loaded = PipelineJson.Parse(File.ReadAllText(Serialization.PipelineJsonTests.RepoFile("pipelines", "showroom-ten-step.json")));
        var tracking = loaded.Transitions.Single(t => t.Trigger == ShowroomTriggers.StartTracking);
        var deal = new Deal
        {
            Id = "d", PipelineId = loaded.Id, PipelineVersion = 1, StageId = ShowroomStages.Tracking, Version = 1, LastSequence = 1,
            Data = new ShowroomDeal { Grade = CustomerGrade.A }, CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch,
            StageEnteredAt = DateTimeOffset.UnixEpoch, LastActivityAt = DateTimeOffset.UnixEpoch,
        };

        var next = tracking.FollowUp!(new DealFollowUpContext(deal, DateTimeOffset.UnixEpoch));

        next.Should().Be(DateTimeOffset.UnixEpoch + FollowUpCadence.Default.For(CustomerGrade.A));
    }
}
