namespace SalesFlow;

/// <summary>A guard that refused a move: its stable code and the reason to show.</summary>
/// <param name="Code">The guard's code, for example <c>bant.budget</c>.</param>
/// <param name="Reason">Why the move is refused, in plain words.</param>
public sealed record UnmetGuard(string Code, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Code}: {Reason}";
}
