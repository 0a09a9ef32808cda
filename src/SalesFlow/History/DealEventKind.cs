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

    /// <summary>
    /// The deal was moved to another version of its pipeline (a <see cref="PipelineMigration"/>): <see cref="DealEvent.FromStage"/>
    /// and <see cref="DealEvent.ToStage"/> are its stage before and after; the properties <c>fromVersion</c>, <c>toVersion</c>,
    /// <c>fromStage</c> and <c>toStage</c> repeat both, and <c>unmetGuards</c> lists the codes of guards it did not meet in its new stage, if any.
    /// </summary>
    Migrated = 3,
}
