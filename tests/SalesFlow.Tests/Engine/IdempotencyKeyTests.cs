using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Engine;

/// <summary>Issue 13 §5: idempotency keys on start, move and activity — a repeat returns the first accepted outcome, refusals are not remembered.</summary>
public sealed class IdempotencyKeyTests
{
    [Fact]
    public async Task FireAsync_RepeatedAfterLaterWrites_ReturnsTheFirstEventAndTheDealAsStoredNow()
    {
        var t = new TestEngine();
        await t.StartReadyAsync();
        var first = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("alice") { IdempotencyKey = "adv-1" });
        await t.Engine.RecordActivityAsync("deal-1", new ActivityRequest("bob") { Note = "later" });

        var repeat = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("alice") { IdempotencyKey = "adv-1" });

        (first.Accepted, first.Repeated).Should().Be((true, false));
        (repeat.Status, repeat.Repeated, repeat.Trigger).Should().Be((FireStatus.Accepted, true, "advance"));
        repeat.Event.Should().Be(first.Event);
        repeat.Deal.Should().Be(await t.Engine.GetAsync("deal-1"), "the deal as stored now, after the later activity");
        repeat.EnsureAccepted().Should().BeSameAs(repeat);
        (await t.Engine.GetHistoryAsync("deal-1")).Count(e => e.Trigger == "advance").Should().Be(1);
    }

    [Fact]
    public async Task FireAsync_RefusedThenRepeatedWithTheSameKey_DecidesAgainBecauseRefusalsAreNotRemembered()
    {
        var t = new TestEngine();
        await t.StartAsync();
        await t.Engine.CompleteChecklistItemAsync("deal-1", "call-logged", "alice");

        var refused = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("alice") { IdempotencyKey = "adv" });
        await t.Engine.UpdateAsync<RenewalData>("deal-1", d => d with { BudgetConfirmed = true, DecisionMakerKnown = true }, "alice");
        var accepted = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("alice") { IdempotencyKey = "adv" });

        refused.Status.Should().Be(FireStatus.Rejected);
        (accepted.Status, accepted.Repeated).Should().Be((FireStatus.Accepted, false));
        accepted.Event!.IdempotencyKey.Should().Be("adv");
    }

    [Fact]
    public async Task FireAsync_AbortedByAHookThenRepeated_IsWrittenByTheRepeat()
    {
        var abort = false;
        var t = new TestEngine(configure: o => o.Hooks.Add(new DelegateHook(() => abort)));
        await t.StartReadyAsync();
        abort = true;

        var aborted = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("alice") { IdempotencyKey = "k" });
        abort = false;
        var retried = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("alice") { IdempotencyKey = "k" });

        aborted.Status.Should().Be(FireStatus.Aborted);
        (retried.Status, retried.Repeated).Should().Be((FireStatus.Accepted, false));
    }

    [Fact]
    public async Task StartAsync_RepeatedWithItsKey_ReturnsTheDealAndAnotherKeyStillConflicts()
    {
        var t = new TestEngine();
        var started = await t.Engine.StartAsync(RenewalPipeline.Id, "deal-1", new RenewalData(), new StartRequest("alice") { IdempotencyKey = "s-1" });

        var repeated = await t.Engine.StartAsync(RenewalPipeline.Id, "deal-1", new RenewalData(), new StartRequest("alice") { IdempotencyKey = "s-1" });
        var otherKey = () => t.Engine.StartAsync(RenewalPipeline.Id, "deal-1", new RenewalData(), new StartRequest("alice") { IdempotencyKey = "s-2" }).AsTask();
        var noKey = () => t.Engine.StartAsync(RenewalPipeline.Id, "deal-1", new RenewalData(), "alice").AsTask();

        repeated.Should().Be(started);
        await otherKey.Should().ThrowAsync<DealAlreadyExistsException>();
        await noKey.Should().ThrowAsync<DealAlreadyExistsException>();
        (await t.Engine.GetHistoryAsync("deal-1")).Should().ContainSingle().Which.IdempotencyKey.Should().Be("s-1");
    }

    [Fact]
    public async Task RecordActivityAsync_SameKeyOnAnotherDeal_IsAnotherRequest()
    {
        var t = new TestEngine();
        await t.StartAsync("deal-1");
        await t.StartAsync("deal-2");

        await t.Engine.RecordActivityAsync("deal-1", new ActivityRequest("alice") { IdempotencyKey = "call-1" });
        await t.Engine.RecordActivityAsync("deal-2", new ActivityRequest("alice") { IdempotencyKey = "call-1" });
        await t.Engine.RecordActivityAsync("deal-1", new ActivityRequest("alice") { IdempotencyKey = "call-1" });

        (await t.Engine.GetHistoryAsync("deal-1")).Should().HaveCount(2);
        (await t.Engine.GetHistoryAsync("deal-2")).Should().HaveCount(2);
    }

    [Fact]
    public async Task Engine_StoreWithoutItsOwnLookup_UsesTheInterfaceDefaultThatReadsTheHistory()
    {
        var t = new TestEngine(store: new PlainStore(new InMemoryDealStore()));
        await t.StartReadyAsync();

        await t.Engine.FireAsync("deal-1", "advance", new FireRequest("alice") { IdempotencyKey = "k" });
        var repeat = await t.Engine.FireAsync("deal-1", "advance", new FireRequest("alice") { IdempotencyKey = "k" });

        repeat.Repeated.Should().BeTrue();
        (await t.Engine.GetHistoryAsync("deal-1")).Count(e => e.Trigger == "advance").Should().Be(1);
    }

    [Fact]
    public async Task EveryWriteEntryPoint_BadIdempotencyKey_DealInputExceptionNamingIt()
    {
        var t = new TestEngine();
        await t.StartAsync();

        var start = () => t.Engine.StartAsync(RenewalPipeline.Id, "deal-2", new RenewalData(), new StartRequest("alice") { IdempotencyKey = " k" }).AsTask();
        var fire = () => t.Engine.FireAsync("deal-1", "advance", new FireRequest("alice") { IdempotencyKey = "k\n" }).AsTask();
        var note = () => t.Engine.RecordActivityAsync("deal-1", new ActivityRequest("alice") { IdempotencyKey = new string('k', 201) }).AsTask();

        (await start.Should().ThrowAsync<DealInputException>()).Which.Problems.Select(p => p.Input).Should().NotBeEmpty().And.OnlyContain(i => i == "StartRequest.IdempotencyKey");
        (await fire.Should().ThrowAsync<DealInputException>()).Which.Problems.Select(p => p.Input).Should().NotBeEmpty().And.OnlyContain(i => i == "FireRequest.IdempotencyKey");
        (await note.Should().ThrowAsync<DealInputException>()).Which.Problems.Select(p => p.Input).Should().NotBeEmpty().And.OnlyContain(i => i == "ActivityRequest.IdempotencyKey");
        (await t.Engine.GetHistoryAsync("deal-1")).Should().ContainSingle();
    }

    // Throws in the before-save phase while told to: the move is aborted.
    private sealed class DelegateHook(Func<bool> abort) : IDealHook
    {
        public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken) =>
            abort() ? throw new InvalidOperationException("refused by the test") : ValueTask.CompletedTask;

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
