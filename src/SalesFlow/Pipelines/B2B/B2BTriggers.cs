namespace SalesFlow.Pipelines.B2B;

/// <summary>The triggers of the seven-step B2B pipeline.</summary>
public static class B2BTriggers
{
    /// <summary>Prospecting → Qualification: the lead is contacted for the first time. Needs the lead source.</summary>
    public const string Contact = "Contact";

    /// <summary>Qualification → Needs assessment. Needs the first contact channel and all four BANT answers.</summary>
    public const string Qualify = "Qualify";

    /// <summary>Qualification → Lost: the lead does not fit. Needs a reason.</summary>
    public const string Disqualify = "Disqualify";

    /// <summary>Needs assessment → Presentation. Needs the required questions answered and the understanding confirmed.</summary>
    public const string Present = "Present";

    /// <summary>Presentation → Proposal. Needs a decision maker and an agreed proposal date.</summary>
    public const string Propose = "Propose";

    /// <summary>
    /// Proposal → Close (no open objection), or Presentation → Close for a product that needs no separate
    /// proposal.
    /// </summary>
    public const string Close = "Close";

    /// <summary>Close → Follow-up (won). Needs terms and delivery finalised and the closing technique recorded.</summary>
    public const string Win = "Win";

    /// <summary>Any open stage → Lost. Needs a lost reason (<see cref="B2BLostReasons"/> or free text).</summary>
    public const string Lose = "Lose";

    /// <summary>Lost → the stage the deal was lost from.</summary>
    public const string Reopen = "Reopen";

    /// <summary>
    /// An internal action of Follow-up: the customer refers a new lead. Fire it through
    /// <see cref="B2BEngineExtensions.ReferAsync"/>, which starts the referred deal and links both.
    /// </summary>
    public const string Refer = "Refer";
}
