namespace SalesFlow;

/// <summary>How the funnel counts a deal at a stage it did not enter in order.</summary>
public enum FunnelMode
{
    /// <summary>Ordered: a deal counts at a bar only if it entered that stage and every earlier bar's stage; a skipped stage drops it from every later bar.</summary>
    Strict = 0,

    /// <summary>A deal counts at every bar whose stage it ever entered, order ignored.</summary>
    Touched = 1,

    /// <summary>
    /// A deal counts at every bar up to the furthest stage it entered (a later stage implies the earlier ones), except a deal
    /// whose current stage is a lost stage: it counts only where it was (as in <see cref="Touched"/>).
    /// </summary>
    Implied = 2,
}
