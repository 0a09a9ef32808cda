using Microsoft.Extensions.Time.Testing;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.PersonalData;

public class PersonalDataErasureTests
{
    private const string Name = "Jane Roe";
    private const string Email = "jane.roe@example.test";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly InMemoryDealStore _store = new();
    private readonly PipelineRegistry _pipelines = new(SalesPipelines.SevenStepB2B());

    [Fact]
    public async Task ErasePersonalDataAsync_B2BDeal_BlanksMembersScrubsEventsAndKeepsTheProcess()
    {
        var engine = Engine();
        await PlantAsync(engine, "deal-1");
        var before = await engine.GetAsync("deal-1");
        var historyBefore = await engine.GetHistoryAsync("deal-1");

        var erasure = await engine.ErasePersonalDataAsync("deal-1", new ErasureRequest("dpo"));

        var after = await engine.GetAsync("deal-1");
        var data = after.DataAs<B2BDeal>();
        data.DecisionMakers.Should().BeEmpty();
        data.CustomerFile.Should().Be(new CustomerFile());
        data.ConfirmedUnderstanding.Should().BeNull();
        data.NeedsQuestions.Should().OnlyContain(q => q.Answer == null);
        data.Source.Should().Be(before.DataAs<B2BDeal>().Source, "members that are not personal stay");
        after.Should().BeEquivalentTo(before, o => o.Excluding(d => d.Data).Excluding(d => d.Version).Excluding(d => d.LastSequence).Excluding(d => d.UpdatedAt).Excluding(d => d.OutcomeReason));
        after.OutcomeReason.Should().Be("[erased] retired");
        after.Version.Should().Be(before.Version + 1);

        var history = await engine.GetHistoryAsync("deal-1");
        history.Should().HaveCount(historyBefore.Count + 1);
        history.SkipLast(1).Should().BeEquivalentTo(historyBefore, o => o.Excluding(e => e.Note).Excluding(e => e.Reason).Excluding(e => e.Properties), "stages, times, actors and triggers stay");
        history.Should().OnlyContain(e => e.Note == null, "notes are removed as a whole by default");
        string.Join("|", history.Select(Text)).Should().NotContainAny(Name, Email, "Jane");
        history[^1].Activity.Should().Be(SalesFlowEngine.ErasureActivity);
        history[^1].Actor.Should().Be("dpo");
        erasure.ErasureEvent.Should().BeEquivalentTo(history[^1]);
        erasure.ErasedPaths.Should().Contain(["DecisionMakers", "CustomerFile", "ConfirmedUnderstanding"]);
        var erasureSequence = history[^1].Sequence;
        erasure.RedactedSequences.Should().NotBeEmpty().And.OnlyContain(s => s < erasureSequence);
        history[^1].Properties.Should().Contain("members", erasure.ErasedPaths.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task ErasePersonalDataAsync_Always_LeavesTheReportsAsTheyWere()
    {
        var engine = Engine();
        await PlantAsync(engine, "deal-1");
        await PlantAsync(engine, "deal-2", lose: false);
        var reports = new SalesReports(_pipelines, _store, _time);
        var request = new ReportRequest(SalesPipelines.SevenStepB2B().Id, ReportWindow.All);
        var outcomes = await reports.OutcomesAsync(request);
        var funnel = await reports.FunnelAsync(request, FunnelMode.Touched);
        var timeInStage = await reports.TimeInStageAsync(request);
        var flow = await reports.FlowAsync(request);

        await engine.ErasePersonalDataAsync("deal-1", new ErasureRequest("dpo"));
        await engine.ErasePersonalDataAsync("deal-2", new ErasureRequest("dpo"));

        outcomes.Lost.Should().Be(1, "the report was taken on a real history");
        (await reports.OutcomesAsync(request)).Should().BeEquivalentTo(outcomes);
        (await reports.FunnelAsync(request, FunnelMode.Touched)).Should().BeEquivalentTo(funnel);
        (await reports.TimeInStageAsync(request)).Should().BeEquivalentTo(timeInStage);
        (await reports.FlowAsync(request)).Should().BeEquivalentTo(flow);
    }

    [Fact]
    public async Task ErasePersonalDataAsync_KeepNotes_ReplacesTheValuesInsideThem()
    {
        var engine = Engine();
        await PlantAsync(engine, "deal-1");

        await engine.ErasePersonalDataAsync("deal-1", new ErasureRequest("dpo") { EraseNotes = false, AdditionalValues = ["Roe family"] });

        var notes = (await engine.GetHistoryAsync("deal-1")).Select(e => e.Note).OfType<string>().ToList();
        notes.Should().Contain("Called [erased] about the renewal").And.Contain("Met the [erased] at the fair");
        string.Join("|", notes).Should().NotContain(Name);
    }

    [Fact]
    public async Task ErasePersonalDataAsync_BeforeSaveHookFails_SavesNothing()
    {
        var hook = new FailingHook();
        var engine = Engine(o => o.Hooks.Add(hook));
        await engine.StartAsync(SalesPipelines.SevenStepB2B().Id, "deal-1", new B2BDeal { DecisionMakers = [Name] }, new StartRequest("alice") { Note = "Met " + Name });
        hook.Armed = true;

        var erase = async () => await engine.ErasePersonalDataAsync("deal-1", new ErasureRequest("dpo"));

        await erase.Should().ThrowAsync<HookAbortedException>();
        (await engine.GetAsync("deal-1")).DataAs<B2BDeal>().DecisionMakers.Should().Equal(Name);
        (await engine.GetHistoryAsync("deal-1")).Should().ContainSingle().Which.Note.Should().Be("Met " + Name);
    }

    [Fact]
    public async Task ErasePersonalDataAsync_StoreWithoutRedaction_ThrowsNotSupportedAndSavesNothing()
    {
        var store = new PlainStore(_store);
        var engine = new SalesFlowEngine(_pipelines, store, new SalesFlowEngineOptions { TimeProvider = _time });
        await engine.StartAsync(SalesPipelines.SevenStepB2B().Id, "deal-1", new B2BDeal { DecisionMakers = [Name] }, "alice");

        var erase = async () => await engine.ErasePersonalDataAsync("deal-1", new ErasureRequest("dpo"));

        await erase.Should().ThrowAsync<NotSupportedException>().WithMessage("*SupportsEventRedaction*");
        (await engine.GetAsync("deal-1")).Version.Should().Be(1);
    }

    [Fact]
    public async Task ErasePersonalDataAsync_JsonDealData_RemovesTheDeclaredMembers()
    {
        var pipeline = PipelineJson.Parse("""
            {
              "format": 1, "id": "contacts", "version": 1,
              "dataMembers": [ { "path": "contacts[].email", "personal": true }, { "path": "owner.name", "personal": true } ],
              "stages": [ { "id": "open" }, { "id": "won", "kind": "won" }, { "id": "lost", "kind": "lost" } ],
              "transitions": [ { "trigger": "win", "from": "open", "to": "won" }, { "trigger": "lose", "from": "open", "to": "lost" } ]
            }
            """);
        var engine = new SalesFlowEngine(new PipelineRegistry(pipeline), new InMemoryDealStore(), new SalesFlowEngineOptions { TimeProvider = _time });
        var data = JsonDealData.Parse($$"""{ "contacts": [ { "email": "{{Email}}", "role": "buyer" } ], "owner": { "name": "{{Name}}" }, "region": "north" }""");
        await engine.StartAsync("contacts", "deal-1", data, new StartRequest("alice") { Properties = new Dictionary<string, string> { ["cc"] = Email } });

        var erasure = await engine.ErasePersonalDataAsync("deal-1", new ErasureRequest("dpo"));

        erasure.ErasedPaths.Should().Equal("contacts[0].email", "owner.name");
        erasure.Deal.DataAs<JsonDealData>().ToString().Should().Be("""{"contacts":[{"role":"buyer"}],"owner":{},"region":"north"}""");
        (await engine.GetHistoryAsync("deal-1"))[0].Properties["cc"].Should().Be("[erased]");
    }

    [Fact]
    public async Task ErasePersonalDataAsync_BadArguments_Throw()
    {
        var engine = Engine();
        await engine.StartAsync(SalesPipelines.SevenStepB2B().Id, "deal-1", new B2BDeal(), "alice");

        await engine.Invoking(e => e.ErasePersonalDataAsync(null!, new ErasureRequest("dpo")).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await engine.Invoking(e => e.ErasePersonalDataAsync("deal-1", null!).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await engine.Invoking(e => e.ErasePersonalDataAsync("deal-1", new ErasureRequest(" ")).AsTask()).Should().ThrowAsync<DealInputException>();
        await engine.Invoking(e => e.ErasePersonalDataAsync("nope", new ErasureRequest("dpo")).AsTask()).Should().ThrowAsync<DealNotFoundException>();
        (await engine.GetAsync("deal-1")).Version.Should().Be(1);
    }

    internal static string Text(DealEvent e) =>
        $"{e.Note}|{e.Reason}|{e.OverrideJustification}|{string.Join(",", e.Properties.Select(p => p.Key + "=" + p.Value))}";

    // A won or lost B2B deal with the person's name and e-mail in its data, notes, properties and lost reason.
    internal static async Task PlantAsync(SalesFlowEngine engine, string dealId, bool lose = true)
    {
        var pipeline = SalesPipelines.SevenStepB2B().Id;
        await engine.StartAsync(pipeline, dealId, new B2BDeal(), new StartRequest("alice") { Owner = "alice", Amount = 5000m, Note = "Met the Roe family at the fair" });
        await engine.RecordLeadSourceAsync(dealId, LeadSource.Exhibition, "alice");
        await engine.IdentifyDecisionMakerAsync(dealId, Name, "alice");
        await engine.ConfirmUnderstandingAsync(dealId, Name + " needs faster delivery", "alice");
        await engine.AnswerNeedsQuestionAsync(dealId, (await engine.GetAsync(dealId)).DataAs<B2BDeal>().NeedsQuestions[0].Id, "Jane says the old supplier was slow", "alice");
        await engine.UpdateCustomerFileAsync(dealId, f => f with { Position = "CFO", Notes = ["Email " + Email] }, "alice");
        await engine.RecordActivityAsync(dealId, new ActivityRequest("alice") { Note = "Called " + Name + " about the renewal", Properties = new Dictionary<string, string> { ["contact"] = Email } });
        (await engine.FireAsync(dealId, B2BTriggers.Contact, new FireRequest("alice") { Note = "First call with " + Name })).EnsureAccepted();
        if (lose)
        {
            (await engine.FireAsync(dealId, B2BTriggers.Lose, new FireRequest("alice") { Reason = Name + " retired" })).EnsureAccepted();
        }
    }

    private SalesFlowEngine Engine(Action<SalesFlowEngineOptions>? configure = null)
    {
        var options = new SalesFlowEngineOptions { TimeProvider = _time };
        configure?.Invoke(options);
        return new SalesFlowEngine(_pipelines, _store, options);
    }

    private sealed class FailingHook : IDealHook
    {
        public bool Armed { get; set; }

        public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken) =>
            Armed ? throw new InvalidOperationException("refused by the test") : ValueTask.CompletedTask;

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
