namespace SalesFlow;

/// <summary>When a hook runs relative to the save of a move.</summary>
public enum HookPhase
{
    /// <summary>Before the save. A hook that throws aborts the move: nothing is saved.</summary>
    Transitioning = 0,

    /// <summary>After the save. A hook that throws is reported and logged; the committed move stays.</summary>
    Transitioned = 1,
}
