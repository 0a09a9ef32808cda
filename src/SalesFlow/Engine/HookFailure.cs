namespace SalesFlow;

/// <summary>A hook that threw.</summary>
/// <param name="HookName">The hook's name.</param>
/// <param name="Phase">When it ran.</param>
/// <param name="Exception">What it threw.</param>
public sealed record HookFailure(string HookName, HookPhase Phase, Exception Exception);
