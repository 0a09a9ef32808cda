namespace SalesFlow;

/// <summary>How a trigger moves a deal.</summary>
public enum TransitionKind
{
    /// <summary>Moves the deal from one stage to another (or to the same stage again).</summary>
    Transition = 0,

    /// <summary>Stays in the stage; only the history records it (for example <c>QuotePrice</c>).</summary>
    Internal = 1,

    /// <summary>Goes back to the stage the deal was in before its current one (for example <c>Reopen</c>).</summary>
    Return = 2,
}
