namespace SalesFlow.Extensions.Tests.Support;

/// <summary>A scoped service: one instance per move when the hook scope is per move.</summary>
public sealed class MoveUnitOfWork : IDisposable
{
    public Guid Id { get; } = Guid.NewGuid();

    public bool Disposed { get; private set; }

    public void Dispose() => Disposed = true;
}

/// <summary>A singleton that records what hooks saw.</summary>
public sealed class HookRecorder
{
    private readonly List<(string Phase, string Trigger, MoveUnitOfWork UnitOfWork)> _calls = [];

    public IReadOnlyList<(string Phase, string Trigger, MoveUnitOfWork UnitOfWork)> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public void Record(string phase, string trigger, MoveUnitOfWork unitOfWork)
    {
        lock (_calls)
        {
            _calls.Add((phase, trigger, unitOfWork));
        }
    }
}

/// <summary>A hook that depends on a scoped service, like a DbContext.</summary>
public sealed class UnitOfWorkHook(MoveUnitOfWork unitOfWork, HookRecorder recorder) : IDealHook
{
    // Records moves only: starts and activities reach hooks too, and these tests are about moves.
    public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken)
    {
        if (context.Trigger is { } trigger)
        {
            recorder.Record("transitioning", trigger, unitOfWork);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken)
    {
        if (context.Trigger is { } trigger)
        {
            recorder.Record("transitioned", trigger, unitOfWork);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>A hook that fails after the save; its message holds no personal data.</summary>
public sealed class FailingAfterSaveHook : IDealHook
{
    public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken) =>
        context.Kind == DealEventKind.Transition ? throw new InvalidOperationException("notification service down") : ValueTask.CompletedTask;
}

/// <summary>A hook that aborts every move (not starts or activities) before the save.</summary>
public sealed class VetoHook : IDealHook
{
    public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken) =>
        context.Kind == DealEventKind.Transition ? throw new InvalidOperationException("vetoed") : ValueTask.CompletedTask;

    public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>A hook instance that counts the moves it saw.</summary>
public sealed class CountingHook : IDealHook
{
    private int _transitioned;

    public int Transitioned => _transitioned;

    public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken)
    {
        if (context.Kind == DealEventKind.Transition)
        {
            Interlocked.Increment(ref _transitioned);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>A store the host registers itself.</summary>
public sealed class HostDealStore : IDealStore
{
    private readonly InMemoryDealStore _inner = new();

    public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default) => _inner.GetAsync(dealId, cancellationToken);

    public ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default) =>
        _inner.TrySaveAsync(writes, cancellationToken);

    public ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default) =>
        _inner.GetEventsAsync(dealId, afterSequence, limit, cancellationToken);

    public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default) => _inner.QueryAsync(query, cancellationToken);

    public ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default) => _inner.ImportAsync(batch, cancellationToken);
}

/// <summary>A store that always reports a conflict on update, to exercise conflict logging and metrics.</summary>
public sealed class AlwaysConflictingStore : IDealStore
{
    private readonly InMemoryDealStore _inner = new();

    public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default) => _inner.GetAsync(dealId, cancellationToken);

    public ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default) =>
        writes[0].ExpectedVersion == 0 ? _inner.TrySaveAsync(writes, cancellationToken) : ValueTask.FromResult(false);

    public ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default) =>
        _inner.GetEventsAsync(dealId, afterSequence, limit, cancellationToken);

    public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default) => _inner.QueryAsync(query, cancellationToken);

    public ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default) => _inner.ImportAsync(batch, cancellationToken);
}
