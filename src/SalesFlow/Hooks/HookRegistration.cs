namespace SalesFlow;

internal sealed record HookRegistration(
    string Name,
    HookPhase Phase,
    HookScope Scope,
    Func<TransitionContext, CancellationToken, ValueTask> Invoke);
