namespace SalesFlow.Testing;

/// <summary>
/// One move of a <see cref="TestPath"/>: the trigger to fire, the stage the deal is in and the stage it must land in,
/// and the guards to satisfy first.
/// </summary>
public sealed class TestPathStep
{
    internal TestPathStep(
        int number,
        int transitionIndex,
        TransitionDefinition transition,
        string from,
        string? previousStage,
        string to,
        IReadOnlyList<TestPathAlternative> precedingAlternatives,
        bool coversTransition)
    {
        Number = number;
        TransitionIndex = transitionIndex;
        Transition = transition;
        From = from;
        PreviousStage = previousStage;
        To = to;
        PrecedingAlternatives = precedingAlternatives;
        CoversTransition = coversTransition;
    }

    /// <summary>Gets the step's position in its path, from 1.</summary>
    public int Number { get; }

    /// <summary>Gets the transition the step fires.</summary>
    public TransitionDefinition Transition { get; }

    /// <summary>Gets the index of <see cref="Transition"/> in the pipeline's <see cref="PipelineDefinition.Transitions"/>.</summary>
    public int TransitionIndex { get; }

    /// <summary>Gets the trigger to fire.</summary>
    public string Trigger => Transition.Trigger;

    /// <summary>Gets how the trigger moves the deal (a move, an internal action or a return).</summary>
    public TransitionKind Kind => Transition.Kind;

    /// <summary>Gets the stage the deal is in before the step.</summary>
    public string From { get; }

    /// <summary>
    /// Gets the deal's previous stage before the step (<see cref="Deal.PreviousStageId"/>): where a return transition
    /// leads. <see langword="null"/> for a deal that has not left its first stage yet.
    /// </summary>
    public string? PreviousStage { get; }

    /// <summary>Gets the stage the deal must be in after the step (for a return transition, <see cref="PreviousStage"/>).</summary>
    public string To { get; }

    /// <summary>
    /// Gets the guards to satisfy before firing: every guard of <see cref="Transition"/>, including the implicit
    /// <c>checklist.&lt;item id&gt;</c> guards of required checklist items (<see cref="GuardDefinition.IsChecklistGuard"/>).
    /// </summary>
    public IReadOnlyList<GuardDefinition> Guards => Transition.Guards;

    /// <summary>
    /// Gets the alternatives of the same trigger from the same stage that the engine tries before <see cref="Transition"/>
    /// (it takes the first, in declaration order, whose guards are all met): each must be refused, so at least one of its
    /// <see cref="TestPathAlternative.GuardsToLeaveUnmet"/> must stay unmet. Empty for a trigger with one transition.
    /// </summary>
    public IReadOnlyList<TestPathAlternative> PrecedingAlternatives { get; }

    /// <summary>Gets a value indicating whether this step is the first in the plan to fire <see cref="Transition"/>.</summary>
    public bool CoversTransition { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        Guards.Count == 0
            ? $"{Trigger}: {From} -> {To}"
            : $"{Trigger}: {From} -> {To} [{string.Join(", ", Guards.Select(g => g.Code))}]";
}
