namespace SalesFlow.Pipelines.B2B;

/// <summary>The stage ids of the seven-step B2B pipeline (<see cref="SalesPipelines.SevenStepB2B"/>), in process order.</summary>
public static class B2BStages
{
    /// <summary>Step 1, lead mining: the lead's source is recorded and its fit judged.</summary>
    public const string Prospecting = "prospecting";

    /// <summary>Step 2, first contact and lead qualification (BANT).</summary>
    public const string Qualification = "qualification";

    /// <summary>Step 3, needs assessment: open questions, listening, understanding confirmed.</summary>
    public const string NeedsAssessment = "needs-assessment";

    /// <summary>Step 4, presentation or product demonstration to the real decision makers.</summary>
    public const string Presentation = "presentation";

    /// <summary>Step 5, the tailored proposal and the objections it raises.</summary>
    public const string Proposal = "proposal";

    /// <summary>Step 6, the close: the prospect commits to buy or stops.</summary>
    public const string Close = "close";

    /// <summary>Step 7, follow-up of the won customer: customer file, repeat purchases, referrals. A won stage.</summary>
    public const string FollowUp = "follow-up";

    /// <summary>The lost stage: disqualified or lost deals. <see cref="B2BTriggers.Reopen"/> returns them.</summary>
    public const string Lost = "lost";
}
