namespace SalesFlow;

/// <summary>What a stage means for the outcome of a deal.</summary>
public enum StageKind
{
    /// <summary>The deal is still being worked on.</summary>
    Open = 0,

    /// <summary>The deal was won (terminal unless a transition leads out of it).</summary>
    Won = 1,

    /// <summary>The deal was lost.</summary>
    Lost = 2,

    /// <summary>The deal ended without being won or lost (for example cancelled or withdrawn).</summary>
    Closed = 3,
}
