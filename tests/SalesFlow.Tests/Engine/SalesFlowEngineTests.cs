using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Engine;

public class SalesFlowEngineTests
{
    [Fact]
    public async Task StartAsync_NewDeal_IsInInitialStageWithStartedEvent()
    {
        var t = new TestEngine();

        var deal = await t.Engine.StartAsync(RenewalPipeline.Id, "deal-1", new RenewalData(), new StartRequest("alice") { Owner = "owner-7", Amount = 1200m, Note = "from web form" });

        deal.StageId.Should().Be("open");
        deal.Version.Should().Be(1);
        deal.LastSequence.Should().Be(1);
        deal.Owner.Should().Be("owner-7");
        deal.Amount.Should().Be(1200m);
        deal.Outcome.Should().Be(StageKind.Open);
        deal.CreatedAt.Should().Be(t.Time.GetUtcNow());
        var history = await t.Engine.GetHistoryAsync("deal-1");
        history.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Sequence = 1L, Kind = DealEventKind.Started, ToStage = "open", Actor = "alice", Note = "from web form" });
    }

    [Fact]
    public async Task StartAsync_ExistingId_ThrowsAndKeepsOriginal()
    {
        var t = new TestEngine();
        await t.StartAsync(data: new RenewalData { Counter = 1 });

        await t.Invoking(x => x.StartAsync(data: new RenewalData { Counter = 2 }).AsTask())
            .Should().ThrowAsync<DealAlreadyExistsException>().Where(e => e.DealId == "deal-1");
        (await t.Engine.GetAsync("deal-1")).DataAs<RenewalData>().Counter.Should().Be(1);
    }

    [Fact]
    public async Task StartAsync_WrongDataType_Throws()
    {
        var t = new TestEngine();

        await t.Engine.Invoking(e => e.StartAsync(RenewalPipeline.Id, "d", "not renewal data", "alice").AsTask())
            .Should().ThrowAsync<ArgumentException>().WithMessage("*RenewalData*");
    }

    [Fact]
    public async Task FireAsync_AllGuardsMet_IsAcceptedAndSaved()
    {
        var t = new TestEngine();
        await t.StartReadyAsync();
        t.Time.Advance(TimeSpan.FromHours(1));

        var result = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("bob") { Note = "good call" });

        result.Status.Should().Be(FireStatus.Accepted);
        result.Accepted.Should().BeTrue();
        result.Deal.StageId.Should().Be("negotiation");
        result.Deal.PreviousStageId.Should().Be("open");
        result.Deal.StageEnteredAt.Should().Be(t.Time.GetUtcNow());
        result.Event!.Should().BeEquivalentTo(new { Kind = DealEventKind.Transition, Trigger = "advance", FromStage = "open", ToStage = "negotiation", Actor = "bob", Note = "good call" });
        (await t.Engine.GetAsync("deal-1")).Should().Be(result.Deal);
        result.EnsureAccepted().Should().BeSameAs(result);
    }

    [Fact]
    public async Task FireAsync_GuardsUnmet_RejectsWithEveryUnmetGuardAndSavesNothing()
    {
        var t = new TestEngine();
        await t.StartAsync(data: new RenewalData { BudgetConfirmed = true });

        var result = await t.FireAsync("advance");

        result.Status.Should().Be(FireStatus.Rejected);
        result.UnmetGuards.Should().Equal(
            new UnmetGuard("decision-maker.known", "Decision maker not identified"),
            new UnmetGuard("checklist.call-logged", "Checklist item not done: Call logged"));
        result.Deal.Version.Should().Be(1);
        (await t.Engine.GetHistoryAsync("deal-1")).Should().HaveCount(1);
        var ex = result.Invoking(r => r.EnsureAccepted()).Should().Throw<MoveRejectedException>().Which;
        ex.UnmetGuards.Should().Equal(result.UnmetGuards);
        ex.Message.Should().Contain("decision-maker.known").And.Contain("checklist.call-logged");
    }

    [Fact]
    public async Task FireAsync_GuardReadsReason_RefusesWithoutAndAcceptsWith()
    {
        var t = new TestEngine();
        await t.StartAsync();

        (await t.FireAsync("lose")).UnmetGuards.Should().ContainSingle(g => g.Code == "lost.reason");
        var lost = await t.FireAsync("lose", reason: "went with a competitor");

        lost.Deal.Outcome.Should().Be(StageKind.Lost);
        lost.Deal.OutcomeReason.Should().Be("went with a competitor");
        lost.Event!.Reason.Should().Be("went with a competitor");
    }

    [Fact]
    public async Task FireAsync_TriggerNotFromThisStage_IsNotPermittedAndListsMoves()
    {
        var t = new TestEngine();
        await t.StartAsync();

        var result = await t.FireAsync("sign");

        result.Status.Should().Be(FireStatus.NotPermitted);
        result.PermittedTriggers.Should().BeEquivalentTo("advance", "lose", "ping");
        result.Invoking(r => r.EnsureAccepted()).Should().Throw<MoveNotPermittedException>()
            .Which.Message.Should().Contain("advance").And.Contain("'sign' is not a move from stage 'open'");
    }

    [Fact]
    public async Task FireAsync_UnknownTrigger_IsNotPermitted()
    {
        var t = new TestEngine();
        await t.StartAsync();

        (await t.FireAsync("teleport")).Status.Should().Be(FireStatus.NotPermitted);
    }

    [Fact]
    public async Task FireAsync_UnknownDeal_Throws()
    {
        var t = new TestEngine();

        await t.Invoking(x => x.FireAsync("advance", dealId: "ghost").AsTask())
            .Should().ThrowAsync<DealNotFoundException>().Where(e => e.DealId == "ghost");
    }

    [Fact]
    public async Task FireAsync_InternalAction_StaysInStageAndIsRecorded()
    {
        var t = new TestEngine();
        var started = await t.StartAsync();
        t.Time.Advance(TimeSpan.FromMinutes(5));

        var result = await t.FireAsync("ping");

        result.Deal.StageId.Should().Be("open");
        result.Deal.PreviousStageId.Should().BeNull();
        result.Deal.StageEnteredAt.Should().Be(started.StageEnteredAt);
        result.Deal.LastActivityAt.Should().Be(t.Time.GetUtcNow());
        result.Event!.FromStage.Should().Be("open");
        result.Event.ToStage.Should().Be("open");
        result.Event.Trigger.Should().Be("ping");
    }

    [Fact]
    public async Task FireAsync_ReturnTransition_GoesBackToTheStageLostFrom()
    {
        var t = new TestEngine();
        await t.StartReadyAsync();
        await t.FireAsync("advance");
        await t.FireAsync("lose", reason: "budget cut");

        var reopened = await t.FireAsync("reopen");

        reopened.Status.Should().Be(FireStatus.Accepted);
        reopened.Deal.StageId.Should().Be("negotiation");
        reopened.Deal.Outcome.Should().Be(StageKind.Open);
        reopened.Deal.OutcomeReason.Should().BeNull();
        reopened.Event!.FromStage.Should().Be("lost");
    }

    [Fact]
    public async Task FireAsync_ReturnWithoutPreviousStage_IsRejected()
    {
        var pipeline = PipelineBuilder.Create<RenewalData>("back")
            .Stage("open").Stage("won", s => s.Won()).Stage("lost", s => s.Lost())
            .Transition("win", "open", "won").Transition("lose", "open", "lost")
            .ReturnTransition("back", "open")
            .Build();
        var t = new TestEngine(pipeline);
        await t.Engine.StartAsync("back", "d", new RenewalData(), "alice");

        var result = await t.Engine.FireAsync("d", "back", new FireRequest("alice"));

        result.Status.Should().Be(FireStatus.Rejected);
        result.UnmetGuards.Should().ContainSingle().Which.Code.Should().Be("return.previous-stage");
    }

    [Fact]
    public async Task FireAsync_GuardedAlternatives_TakeTheOneWhoseGuardsHold()
    {
        var pipeline = PipelineBuilder.Create<RenewalData>("alt")
            .Stage("open").Stage("won", s => s.Won()).Stage("lost", s => s.Lost())
            .Transition("decide", "open", "won").When("signed", d => d.Signed, "Not signed")
            .Transition("decide", "open", "lost").When("unsigned", d => !d.Signed, "Signed")
            .Build();
        var t = new TestEngine(pipeline);
        await t.Engine.StartAsync("alt", "yes", new RenewalData { Signed = true }, "alice");
        await t.Engine.StartAsync("alt", "no", new RenewalData(), "alice");

        (await t.Engine.FireAsync("yes", "decide", new FireRequest("alice"))).Deal.StageId.Should().Be("won");
        (await t.Engine.FireAsync("no", "decide", new FireRequest("alice"))).Deal.StageId.Should().Be("lost");
    }

    [Fact]
    public async Task GetAvailableMovesAsync_ListsEveryMoveWithItsUnmetGuards()
    {
        var t = new TestEngine();
        await t.StartAsync(data: new RenewalData { DecisionMakerKnown = true });

        var moves = await t.Engine.GetAvailableMovesAsync("deal-1");

        moves.Select(m => (m.Trigger, m.ToStage, m.Allowed)).Should().Equal(("advance", "negotiation", false), ("lose", "lost", false), ("ping", "open", true));
        moves[0].UnmetGuards.Select(g => g.Code).Should().Equal("budget.confirmed", "checklist.call-logged");
        moves[1].UnmetGuards.Select(g => g.Code).Should().Equal("lost.reason");
        moves[2].Kind.Should().Be(TransitionKind.Internal);
    }

    [Fact]
    public async Task UpdateAsync_ChangesACopy_RecordsActivityAndBumpsVersion()
    {
        var t = new TestEngine();
        var before = await t.StartAsync();

        var after = await t.Engine.UpdateAsync<RenewalData>("deal-1", d => d with { Counter = 5 }, new ActivityRequest("bob") { Note = "n" });

        before.DataAs<RenewalData>().Counter.Should().Be(0, "an earlier snapshot never changes");
        after.DataAs<RenewalData>().Counter.Should().Be(5);
        after.Version.Should().Be(2);
        var last = (await t.Engine.GetHistoryAsync("deal-1"))[^1];
        last.Should().BeEquivalentTo(new { Sequence = 2L, Kind = DealEventKind.Activity, Activity = "data.updated", Actor = "bob", Note = "n", ToStage = "open" });
    }

    [Fact]
    public async Task UpdateAsync_ActionThrows_NothingSaved()
    {
        var t = new TestEngine();
        await t.StartAsync();

        await t.Engine.Invoking(e => e.UpdateAsync<RenewalData>("deal-1", _ => throw new InvalidOperationException("boom"), "bob").AsTask())
            .Should().ThrowAsync<InvalidOperationException>();

        (await t.Engine.GetAsync("deal-1")).Version.Should().Be(1);
        (await t.Engine.GetHistoryAsync("deal-1")).Should().HaveCount(1);
    }

    [Fact]
    public async Task CompleteChecklistItemAsync_RecordsOnceAndUnknownItemThrows()
    {
        var t = new TestEngine();
        await t.StartAsync();

        var done = await t.Engine.CompleteChecklistItemAsync("deal-1", "call-logged", "bob");
        var again = await t.Engine.CompleteChecklistItemAsync("deal-1", "call-logged", "bob");

        done.CompletedChecklistItems.Should().Contain("call-logged");
        again.Version.Should().Be(done.Version);
        var history = await t.Engine.GetHistoryAsync("deal-1");
        history.Should().HaveCount(2);
        history[1].Activity.Should().Be("checklist.completed");
        history[1].Properties.Should().Contain("item", "call-logged");
        await t.Engine.Invoking(e => e.CompleteChecklistItemAsync("deal-1", "nope", "bob").AsTask())
            .Should().ThrowAsync<ArgumentException>().WithMessage("*no checklist item 'nope'*");
    }

    [Fact]
    public async Task RecordActivityAsync_CustomActivityAndFollowUp_AreSaved()
    {
        var t = new TestEngine();
        await t.StartAsync();
        var due = t.Time.GetUtcNow().AddDays(3);

        var deal = await t.Engine.RecordActivityAsync("deal-1", new ActivityRequest("bob") { Activity = "call", Note = "left a message", NextFollowUpAt = due, Properties = new Dictionary<string, string> { ["channel"] = "phone" } });

        deal.NextFollowUpAt.Should().Be(due);
        var last = (await t.Engine.GetHistoryAsync("deal-1"))[^1];
        last.Activity.Should().Be("call");
        last.Properties.Should().Contain("channel", "phone");
    }

    [Fact]
    public async Task SchedulesFollowUp_SetsNextFollowUpAndTerminalStageClearsIt()
    {
        var pipeline = PipelineBuilder.Create<RenewalData>("fu")
            .Stage("open").Stage("won", s => s.Won()).Stage("lost", s => s.Lost())
            .InternalAction("visit", "open").SchedulesFollowUp((d, now) => now.AddDays(d.Counter))
            .Transition("win", "open", "won").Transition("lose", "open", "lost")
            .Build();
        var t = new TestEngine(pipeline);
        await t.Engine.StartAsync("fu", "d", new RenewalData { Counter = 7 }, "alice");

        var visited = await t.Engine.FireAsync("d", "visit", new FireRequest("alice"));
        visited.Deal.NextFollowUpAt.Should().Be(t.Time.GetUtcNow().AddDays(7));
        var won = await t.Engine.FireAsync("d", "win", new FireRequest("alice"));
        won.Deal.NextFollowUpAt.Should().BeNull();
    }

    [Fact]
    public async Task FireAsync_Cancelled_ThrowsAndSavesNothing()
    {
        var t = new TestEngine();
        await t.StartReadyAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await t.Engine.Invoking(e => e.FireAsync("deal-1", "advance", new FireRequest("alice"), cts.Token).AsTask())
            .Should().ThrowAsync<OperationCanceledException>();
        await t.Engine.Invoking(e => e.UpdateAsync<RenewalData>("deal-1", d => d with { Counter = d.Counter + 1 }, new ActivityRequest("alice"), cts.Token).AsTask())
            .Should().ThrowAsync<OperationCanceledException>();
        await t.Engine.Invoking(e => e.StartAsync(RenewalPipeline.Id, "d2", new RenewalData(), new StartRequest("alice"), cts.Token).AsTask())
            .Should().ThrowAsync<OperationCanceledException>();

        (await t.Engine.GetAsync("deal-1")).StageId.Should().Be("open");
        (await t.Store.GetAsync("d2")).Should().BeNull();
    }

    [Fact]
    public async Task FireAsync_CancelledInTransitioningHook_SavesNothing()
    {
        using var cts = new CancellationTokenSource();
        var pipeline = RenewalPipeline.Builder().OnTransitioning(async (_, ct) =>
        {
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }).Build();
        var t = new TestEngine(pipeline);
        await t.StartReadyAsync();

        await t.Engine.Invoking(e => e.FireAsync("deal-1", "advance", new FireRequest("alice"), cts.Token).AsTask())
            .Should().ThrowAsync<OperationCanceledException>();

        (await t.Engine.GetAsync("deal-1")).StageId.Should().Be("open");
    }

    [Fact]
    public async Task PublicEntryPoints_BadArguments_ThrowArgumentExceptions()
    {
        var t = new TestEngine();
        await t.StartAsync();
        var e = t.Engine;
        var registry = new PipelineRegistry();
        var store = new InMemoryDealStore();

        FluentActions.Invoking(() => new SalesFlowEngine(null!, store)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new SalesFlowEngine(registry, null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new SalesFlowEngine(registry, store, new SalesFlowEngineOptions { ConflictRetryCount = -1, AfterSaveHookTimeout = TimeSpan.Zero })).Should().Throw<ArgumentException>()
            .WithMessage("*ConflictRetryCount is -1*").WithMessage("*AfterSaveHookTimeout*");
        FluentActions.Invoking(() => new SalesFlowEngine(registry, store, new SalesFlowEngineOptions { TimeProvider = null! })).Should().Throw<ArgumentException>();

        await e.Invoking(x => x.StartAsync<RenewalData>(null!, "d", new(), "a").AsTask()).Should().ThrowAsync<ArgumentException>();
        await e.Invoking(x => x.StartAsync<RenewalData>("renewals", " ", new(), "a").AsTask()).Should().ThrowAsync<ArgumentException>();
        await e.Invoking(x => x.StartAsync<RenewalData>("renewals", "d", null!, "a").AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await e.Invoking(x => x.StartAsync<RenewalData>("renewals", "d", new(), " ").AsTask()).Should().ThrowAsync<ArgumentException>().WithMessage("*actor*");
        await e.Invoking(x => x.StartAsync<RenewalData>("renewals", "d", new(), (StartRequest)null!).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await e.Invoking(x => x.StartAsync<RenewalData>("nope", "d", new(), "a").AsTask()).Should().ThrowAsync<PipelineNotFoundException>();

        await e.Invoking(x => x.FireAsync(null!, "advance", new FireRequest("a")).AsTask()).Should().ThrowAsync<ArgumentException>();
        await e.Invoking(x => x.FireAsync("deal-1", "", new FireRequest("a")).AsTask()).Should().ThrowAsync<ArgumentException>();
        await e.Invoking(x => x.FireAsync("deal-1", "advance", null!).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await e.Invoking(x => x.FireAsync("deal-1", "advance", new FireRequest(" ")).AsTask()).Should().ThrowAsync<ArgumentException>().WithMessage("*actor*");
        await e.Invoking(x => x.FireAsync("deal-1", "advance", new FireRequest("a") { OverrideJustification = " " }).AsTask()).Should().ThrowAsync<ArgumentException>().WithMessage("*justification*");

        await e.Invoking(x => x.GetAsync(" ").AsTask()).Should().ThrowAsync<ArgumentException>();
        await e.Invoking(x => x.GetHistoryAsync(null!).AsTask()).Should().ThrowAsync<ArgumentException>();
        await e.Invoking(x => x.GetAvailableMovesAsync("").AsTask()).Should().ThrowAsync<ArgumentException>();
        e.Invoking(x => x.GetAvailableMoves(null!)).Should().Throw<ArgumentNullException>();
        await e.Invoking(x => x.UpdateAsync<RenewalData>("deal-1", null!, "a").AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await e.Invoking(x => x.UpdateAsync<RenewalData>("deal-1", d => d, (ActivityRequest)null!).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await e.Invoking(x => x.UpdateAsync<RenewalData>("deal-1", d => d, "").AsTask()).Should().ThrowAsync<ArgumentException>();
        await e.Invoking(x => x.UpdateAsync<string>("deal-1", d => d, "a").AsTask()).Should().ThrowAsync<ArgumentException>().WithMessage("*RenewalData*");
        await e.Invoking(x => x.CompleteChecklistItemAsync("deal-1", " ", "a").AsTask()).Should().ThrowAsync<ArgumentException>();
        await e.Invoking(x => x.CompleteChecklistItemAsync("deal-1", "call-logged", (ActivityRequest)null!).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await e.Invoking(x => x.RecordActivityAsync("deal-1", null!).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await e.Invoking(x => x.RecordActivityAsync("deal-1", new ActivityRequest("")).AsTask()).Should().ThrowAsync<ArgumentException>();

        (await e.GetHistoryAsync("deal-1")).Should().HaveCount(1, "no bad call wrote anything");
    }
}
