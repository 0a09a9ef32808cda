namespace SalesFlow.Testing;

/// <summary>
/// An alternative that must be refused for a <see cref="TestPathStep"/> to take its own transition: the engine tries the
/// alternatives of one trigger in declaration order and takes the first whose guards are all met.
/// </summary>
public sealed class TestPathAlternative
{
    internal TestPathAlternative(TransitionDefinition transition, IReadOnlyList<GuardDefinition> guardsToLeaveUnmet)
    {
        Transition = transition;
        GuardsToLeaveUnmet = guardsToLeaveUnmet;
    }

    /// <summary>Gets the alternative declared before the step's transition.</summary>
    public TransitionDefinition Transition { get; }

    /// <summary>
    /// Gets the alternative's guards that the step's transition does not have: at least one of them must be unmet when the
    /// step fires. Never empty (an alternative without such a guard would always win; the generator reports the step's
    /// transition as unreachable instead).
    /// </summary>
    public IReadOnlyList<GuardDefinition> GuardsToLeaveUnmet { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Transition} (leave one unmet: {string.Join(", ", GuardsToLeaveUnmet.Select(g => g.Code))})";
}
