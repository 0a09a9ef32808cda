namespace SalesFlow;

/// <summary>One move a trigger can make from one stage. Immutable.</summary>
public sealed class TransitionDefinition
{
    internal TransitionDefinition(
        string trigger,
        string from,
        string? to,
        TransitionKind kind,
        IReadOnlyList<GuardDefinition> guards,
        Func<DealFollowUpContext, DateTimeOffset?>? followUp,
        string? followUpName)
    {
        Trigger = trigger;
        From = from;
        To = to;
        Kind = kind;
        Guards = guards;
        FollowUp = followUp;
        FollowUpRule = followUpName;
    }

    /// <summary>Gets the trigger's name.</summary>
    public string Trigger { get; }

    /// <summary>Gets the stage the move starts from.</summary>
    public string From { get; }

    /// <summary>
    /// Gets the stage the move leads to: the same as <see cref="From"/> for an internal action, and
    /// <see langword="null"/> for a return transition (the target is the deal's previous stage).
    /// </summary>
    public string? To { get; }

    /// <summary>Gets how the trigger moves the deal.</summary>
    public TransitionKind Kind { get; }

    /// <summary>
    /// Gets every guard of the move, including the implicit guards of required checklist items of
    /// <see cref="From"/> when the move goes forward.
    /// </summary>
    public IReadOnlyList<GuardDefinition> Guards { get; }

    /// <summary>Gets the name of the rule that schedules the deal's next follow-up when the move is accepted; <see langword="null"/> when none.</summary>
    public string? FollowUpRule { get; }

    internal Func<DealFollowUpContext, DateTimeOffset?>? FollowUp { get; }

    // Which declaration (builder call or JSON transition) the move comes from, and where that is in the JSON form.
    internal int Declaration { get; init; }

    internal string Pointer { get; init; } = "";

    /// <inheritdoc/>
    public override string ToString() => $"{Trigger}: {From} -> {To ?? "(previous stage)"}";
}
