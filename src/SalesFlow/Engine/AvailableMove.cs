namespace SalesFlow;

/// <summary>One trigger that can be fired from a deal's current stage, and whether its guards allow it now.</summary>
/// <param name="Trigger">The trigger.</param>
/// <param name="ToStage">The stage the move would lead to (the deal's own stage for an internal action).</param>
/// <param name="Kind">How the trigger moves the deal.</param>
/// <param name="UnmetGuards">The guards that currently refuse the move; empty when it is allowed.</param>
public sealed record AvailableMove(string Trigger, string ToStage, TransitionKind Kind, IReadOnlyList<UnmetGuard> UnmetGuards)
{
    /// <summary>Gets a value indicating whether firing the trigger now would be accepted.</summary>
    public bool Allowed => UnmetGuards.Count == 0;
}
