namespace SalesFlow.Testing;

/// <summary>A transition no trigger sequence from the initial stage can fire, and why.</summary>
public sealed class UnreachableTransition
{
    internal UnreachableTransition(int transitionIndex, TransitionDefinition transition, string reason)
    {
        TransitionIndex = transitionIndex;
        Transition = transition;
        Reason = reason;
    }

    /// <summary>Gets the index of <see cref="Transition"/> in the pipeline's <see cref="PipelineDefinition.Transitions"/>.</summary>
    public int TransitionIndex { get; }

    /// <summary>Gets the transition.</summary>
    public TransitionDefinition Transition { get; }

    /// <summary>Gets why no path can fire it, and what to change.</summary>
    public string Reason { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Transition}: {Reason}";
}
