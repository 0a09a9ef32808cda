using System.Collections.Concurrent;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Hooks;

public class HookTests
{
    private sealed class RecordingHook(ConcurrentQueue<string> log, string name, bool failBefore = false, bool failAfter = false) : IDealHook
    {
        public async ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken)
        {
            await Task.Yield();
            log.Enqueue($"{name}:before:{context.Trigger}");
            if (failBefore && context.Kind == DealEventKind.Transition)
            {
                throw new InvalidOperationException($"{name} refuses");
            }
        }

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken)
        {
            log.Enqueue($"{name}:after:{context.Trigger}");
            return failAfter && context.Kind == DealEventKind.Transition ? throw new InvalidOperationException($"{name} failed") : ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task FireAsync_Hooks_RunInDefinedOrder()
    {
        var log = new ConcurrentQueue<string>();
        var pipeline = RenewalPipeline.Builder()
            .OnTransitioning(HookScope.Entering("negotiation"), c => log.Enqueue("enter:before"))
            .OnTransitioning(HookScope.Exiting("open"), c => log.Enqueue("exit:before"))
            .OnTransitioning(HookScope.Trigger("advance"), async (c, ct) => { await Task.Delay(1, ct); log.Enqueue("trigger:before"); })
            .OnTransitioning(c => log.Enqueue("global:before"))
            .OnTransitioned(HookScope.Entering("negotiation"), c => log.Enqueue("enter:after"))
            .OnTransitioned(HookScope.Exiting("open"), c => log.Enqueue("exit:after"))
            .OnTransitioned(HookScope.Trigger("advance"), c => log.Enqueue("trigger:after"))
            .OnTransitioned(c => log.Enqueue("global1:after"))
            .OnTransitioned(async (c, ct) => { await Task.Yield(); log.Enqueue("global2:after"); })
            .Build();
        var t = new TestEngine(pipeline, o => { o.Hooks.Add(new RecordingHook(log, "engine1")); o.Hooks.Add(new RecordingHook(log, "engine2")); });
        await t.StartReadyAsync();
        log.Clear();

        (await t.FireAsync("advance")).Accepted.Should().BeTrue();

        log.Should().Equal(
            "global:before", "trigger:before", "exit:before", "enter:before", "engine1:before:advance", "engine2:before:advance",
            "global1:after", "global2:after", "trigger:after", "exit:after", "enter:after", "engine1:after:advance", "engine2:after:advance");
    }

    [Fact]
    public async Task FireAsync_InternalAction_DoesNotRunEnterOrExitHooks()
    {
        var log = new ConcurrentQueue<string>();
        var pipeline = RenewalPipeline.Builder()
            .OnTransitioned(HookScope.Exiting("open"), c => log.Enqueue("exit"))
            .OnTransitioned(HookScope.Entering("open"), c => log.Enqueue("enter"))
            .OnTransitioned(c => log.Enqueue($"global:{c.IsInternal}:{c.ChangesStage}"))
            .Build();
        var t = new TestEngine(pipeline);
        await t.StartAsync();
        log.Clear();

        await t.FireAsync("ping");

        log.Should().Equal("global:True:False");
    }

    [Fact]
    public async Task FireAsync_TransitioningHookThrows_AbortsAndSavesNothing()
    {
        var log = new ConcurrentQueue<string>();
        var pipeline = RenewalPipeline.Builder().OnTransitioning(HookScope.Trigger("advance"), _ => throw new InvalidOperationException("credit check failed"), "credit-check").Build();
        var t = new TestEngine(pipeline, o => o.Hooks.Add(new RecordingHook(log, "engine")));
        await t.StartReadyAsync();
        log.Clear();

        var result = await t.FireAsync("advance");

        result.Status.Should().Be(FireStatus.Aborted);
        result.FailedHook!.HookName.Should().Be("credit-check");
        result.FailedHook.Phase.Should().Be(HookPhase.Transitioning);
        result.FailedHook.Exception.Message.Should().Be("credit check failed");
        log.Should().BeEmpty("hooks after the failing one do not run");
        var stored = await t.Engine.GetAsync("deal-1");
        stored.StageId.Should().Be("open");
        (await t.Engine.GetHistoryAsync("deal-1")).Select(e => e.Kind).Should().NotContain(DealEventKind.Transition);
        result.Invoking(r => r.EnsureAccepted()).Should().Throw<HookAbortedException>().Which.HookName.Should().Be("credit-check");
    }

    [Fact]
    public async Task FireAsync_EngineHookThrowsBeforeSave_AbortsWithItsTypeName()
    {
        var log = new ConcurrentQueue<string>();
        var t = new TestEngine(configure: o => o.Hooks.Add(new RecordingHook(log, "engine", failBefore: true)));
        await t.StartReadyAsync();

        var result = await t.FireAsync("advance");

        result.Status.Should().Be(FireStatus.Aborted);
        result.FailedHook!.HookName.Should().Be(nameof(RecordingHook));
        (await t.Engine.GetAsync("deal-1")).StageId.Should().Be("open");
    }

    [Fact]
    public async Task FireAsync_TransitionedHookThrows_MoveStaysAndFailuresAreReported()
    {
        var log = new ConcurrentQueue<string>();
        var pipeline = RenewalPipeline.Builder()
            .OnTransitioned(_ => throw new InvalidOperationException("mail server down"), "notify")
            .OnTransitioned(_ => log.Enqueue("still runs"))
            .Build();
        var t = new TestEngine(pipeline, o => o.Hooks.Add(new RecordingHook(log, "engine", failAfter: true)));
        await t.StartReadyAsync();

        var result = await t.FireAsync("advance");

        result.Status.Should().Be(FireStatus.Accepted);
        result.HookFailures.Select(f => f.HookName).Should().Equal("notify", nameof(RecordingHook));
        result.HookFailures.Should().OnlyContain(f => f.Phase == HookPhase.Transitioned);
        log.Should().Contain("still runs");
        (await t.Engine.GetAsync("deal-1")).StageId.Should().Be("negotiation");
    }

    [Fact]
    public async Task Hooks_SeeBeforeAfterAndEvent()
    {
        TransitionContext? seen = null;
        var pipeline = RenewalPipeline.Builder().OnTransitioning(c => seen = c).Build();
        var t = new TestEngine(pipeline);
        await t.StartReadyAsync();

        await t.Engine.FireAsync("deal-1", "advance", new FireRequest("carol") { Note = "n" });

        seen.Should().NotBeNull();
        seen!.Before!.StageId.Should().Be("open");
        seen.After.StageId.Should().Be("negotiation");
        seen.FromStage.Should().Be("open");
        seen.ToStage.Should().Be("negotiation");
        seen.Actor.Should().Be("carol");
        seen.Event.Sequence.Should().Be(seen.Before.LastSequence + 1);
        seen.Pipeline.Id.Should().Be(RenewalPipeline.Id);
        seen.DataAs<RenewalData>().BudgetConfirmed.Should().BeTrue();
    }
}
