namespace SalesFlow;

internal sealed record HookRegistration(
    string Name,
    HookPhase Phase,
    HookScope Scope,
    Func<TransitionContext, CancellationToken, ValueTask> Invoke)
{
    // Where the hook is in the definition's JSON form, for diagnostics.
    public string Pointer { get; init; } = "";
}
