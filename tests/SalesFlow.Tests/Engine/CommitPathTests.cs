using System.Collections.Concurrent;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Tests.Pipelines;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Engine;

/// <summary>Starts, moves and activities share one commit path: hooks, scopes, conflicts and errors behave alike.</summary>
public class CommitPathTests
{
    [Fact]
    public async Task RaiseObjection_ActivityHook_SeesTheActivityBeforeAndAfterTheSave()
    {
        var seen = new ConcurrentQueue<string>();
        var h = new PipelineHarness();
        var pipeline = PipelineBuilderFor(seen);
        var engine = new SalesFlowEngine(new PipelineRegistry(pipeline), h.Store);
        await engine.StartAsync(pipeline.Id, "b1", new B2BDeal(), "alice");

        await engine.RaiseObjectionAsync("b1", "Too expensive", "alice", category: "price");

        seen.Should().Equal("before:objection.raised:Activity:1", "after:objection.raised:Activity:1");
    }

    [Fact]
    public async Task UpdateAsync_BeforeSaveHookThrows_AbortsWithTypedErrorAndSavesNothing()
    {
        var pipeline = RenewalPipeline.Builder()
            .OnTransitioning(HookScope.Activity("data.updated"), _ => throw new InvalidOperationException("locked by finance"), "finance-lock")
            .Build();
        var t = new TestEngine(pipeline);
        await t.StartAsync();

        var act = async () => await t.Engine.UpdateAsync<RenewalData>("deal-1", d => d with { Counter = 9 }, "alice");

        var error = (await act.Should().ThrowAsync<HookAbortedException>()).Which;
        error.Message.Should().Contain("finance-lock").And.NotContain("locked by finance");
        (await t.Engine.GetAsync("deal-1")).DataAs<RenewalData>().Counter.Should().Be(0);
        (await t.Engine.GetHistoryAsync("deal-1")).Should().ContainSingle();
    }

    [Fact]
    public async Task StartAsync_HooksSeeTheStartWithNoBeforeState()
    {
        TransitionContext? seen = null;
        var pipeline = RenewalPipeline.Builder().OnTransitioned(HookScope.Entering("open"), c => seen = c).Build();
        var t = new TestEngine(pipeline);

        await t.StartAsync();

        seen.Should().NotBeNull();
        seen!.Kind.Should().Be(DealEventKind.Started);
        seen.Before.Should().BeNull();
        seen.FromStage.Should().BeNull();
        seen.ToStage.Should().Be("open");
        seen.ChangesStage.Should().BeTrue();
    }

    [Fact]
    public async Task FireAsync_ConflictRetry_GetsAFreshHookScopePerAttempt()
    {
        var inner = new InMemoryDealStore();
        var rivalEngine = new SalesFlowEngine(new PipelineRegistry(RenewalPipeline.Build()), inner);
        var rivalSaves = 0;
        var store = new BeforeSaveStore(inner, async writes =>
        {
            if (writes[0].ExpectedVersion > 0 && rivalSaves-- > 0)
            {
                await rivalEngine.RecordActivityAsync(writes[0].Deal.Id, new ActivityRequest("rival"));
            }
        });
        var scopes = new ScopeFactory();
        var t = new TestEngine(configure: o => o.HookScopeFactory = scopes, store: store);
        await t.StartReadyAsync();
        scopes.Created.Clear();
        rivalSaves = 1;

        var result = await t.FireAsync("advance");

        result.Accepted.Should().BeTrue();
        result.ConflictRetries.Should().Be(1);
        scopes.Created.Should().HaveCount(2, "one scope per attempt");
        scopes.Created.Should().OnlyContain(s => s.Disposed);
        scopes.Created[0].Calls.Should().Equal("before:0");
        scopes.Created[1].Calls.Should().Equal("before:1", "after:1");
    }

    [Fact]
    public async Task FireAsync_AfterSaveHookHangs_IsCancelledAtTheTimeoutAndReportedWhileTheMoveStands()
    {
        var pipeline = RenewalPipeline.Builder()
            .OnTransitioned(HookScope.Trigger("advance"), async (_, ct) => await Task.Delay(Timeout.Infinite, ct), "hangs")
            .Build();
        var t = new TestEngine(pipeline, o => o.AfterSaveHookTimeout = TimeSpan.FromMilliseconds(200));
        await t.StartReadyAsync();

        var result = await t.FireAsync("advance").AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        result.Accepted.Should().BeTrue();
        result.HookFailures.Should().ContainSingle().Which.Should().Match<HookFailure>(f => f.HookName == "hangs" && f.Phase == HookPhase.Transitioned && f.Exception is OperationCanceledException);
        (await t.Engine.GetAsync("deal-1")).StageId.Should().Be("negotiation");
    }

    [Fact]
    public async Task GetHistoryAsync_UnknownDeal_ThrowsLikeGetAsync()
    {
        var t = new TestEngine();

        await FluentActions.Awaiting(async () => await t.Engine.GetHistoryAsync("nope")).Should().ThrowAsync<DealNotFoundException>().Where(e => e.DealId == "nope");
        await FluentActions.Awaiting(async () => await t.Engine.GetAsync("nope")).Should().ThrowAsync<DealNotFoundException>();
    }

    [Fact]
    public async Task RecordActivityAsync_AlwaysConflicting_RetriesLikeAMoveThenThrowsTheConflictAMoveReports()
    {
        var inner = new InMemoryDealStore();
        var store = new BeforeSaveStore(inner, _ => ValueTask.CompletedTask, refuseUpdates: true);
        var t = new TestEngine(configure: o => o.ConflictRetryCount = 2, store: store);
        await t.StartAsync();

        var activity = async () => await t.Engine.RecordActivityAsync("deal-1", new ActivityRequest("alice") { Note = "called" });
        var move = await t.FireAsync("ping");

        (await activity.Should().ThrowAsync<DealConflictException>()).Which.Retries.Should().Be(2);
        move.Status.Should().Be(FireStatus.Conflict);
        move.Invoking(m => m.EnsureAccepted()).Should().Throw<DealConflictException>().Which.Retries.Should().Be(2);
        store.Saves.Should().Be(1 + 3 + 3, "the start, then one try and two retries for each write");
    }

    private static PipelineDefinition<B2BDeal> PipelineBuilderFor(ConcurrentQueue<string> seen) =>
        PipelineBuilder.Create<B2BDeal>("b2b-hooked")
            .Stage("open", s => s.Name("Open"))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("win", from: "open", to: "won")
            .Transition("lose", from: "open", to: "lost")
            .OnTransitioning(HookScope.Activity(B2BActivities.ObjectionRaised), c => seen.Enqueue($"before:{c.Activity}:{c.Kind}:{c.DataAs<B2BDeal>().Objections.Length}"))
            .OnTransitioned(HookScope.Activity(B2BActivities.ObjectionRaised), c => seen.Enqueue($"after:{c.Activity}:{c.Kind}:{c.DataAs<B2BDeal>().Objections.Length}"))
            .Build();

    private sealed class BeforeSaveStore(InMemoryDealStore inner, Func<IReadOnlyList<DealWrite>, ValueTask> beforeSave, bool refuseUpdates = false) : IDealStore
    {
        private int _saves;

        public int Saves => _saves;

        public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default) => inner.GetAsync(dealId, cancellationToken);

        public async ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _saves);
            await beforeSave(writes);
            return !(refuseUpdates && writes[0].ExpectedVersion > 0) && await inner.TrySaveAsync(writes, cancellationToken);
        }

        public ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default) =>
            inner.GetEventsAsync(dealId, afterSequence, limit, cancellationToken);

        public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

        public ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default) => inner.ImportAsync(batch, cancellationToken);
    }

    private sealed class ScopeFactory : IDealHookScopeFactory
    {
        public List<Scope> Created { get; } = [];

        public IDealHookScope CreateScope()
        {
            var scope = new Scope();
            Created.Add(scope);
            return scope;
        }
    }

    private sealed class Scope : IDealHookScope, IDealHook
    {
        public List<string> Calls { get; } = [];

        public bool Disposed { get; private set; }

        public IReadOnlyList<IDealHook> Hooks => [this];

        public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken)
        {
            Calls.Add($"before:{context.Attempt}");
            return ValueTask.CompletedTask;
        }

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken)
        {
            Calls.Add($"after:{context.Attempt}");
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
