namespace SalesFlow;

/// <summary>The kind of a <see cref="DealEvent"/>.</summary>
public enum DealEventKind
{
    /// <summary>The deal was started in its pipeline's initial stage.</summary>
    Started = 0,

    /// <summary>A trigger was fired: a move between stages or an internal action.</summary>
    Transition = 1,

    /// <summary>Something was done without a trigger: a checklist item, a data change, a note.</summary>
    Activity = 2,
}
