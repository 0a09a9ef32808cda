namespace SalesFlow.Pipelines.B2B;

/// <summary>The stable codes of the seven-step B2B pipeline's guards, as reported in <see cref="UnmetGuard.Code"/>.</summary>
public static class B2BGuards
{
    /// <summary>On <see cref="B2BTriggers.Contact"/>: the lead source is recorded.</summary>
    public const string LeadSource = "lead.source";

    /// <summary>On <see cref="B2BTriggers.Qualify"/>: the first contact channel is recorded.</summary>
    public const string ContactChannel = "contact.channel";

    /// <summary>On <see cref="B2BTriggers.Qualify"/>: the budget is confirmed.</summary>
    public const string Budget = "bant.budget";

    /// <summary>On <see cref="B2BTriggers.Qualify"/>: the decision maker (authority) is confirmed.</summary>
    public const string Authority = "bant.authority";

    /// <summary>On <see cref="B2BTriggers.Qualify"/>: the need is confirmed.</summary>
    public const string Need = "bant.need";

    /// <summary>On <see cref="B2BTriggers.Qualify"/>: the timeline is confirmed.</summary>
    public const string Timeline = "bant.timeline";

    /// <summary>On <see cref="B2BTriggers.Present"/>: every required needs-assessment question is answered.</summary>
    public const string QuestionsAnswered = "needs.questions-answered";

    /// <summary>On <see cref="B2BTriggers.Present"/>: the seller repeated back what was heard and the prospect confirmed it.</summary>
    public const string UnderstandingConfirmed = "needs.understanding-confirmed";

    /// <summary>On <see cref="B2BTriggers.Propose"/> and on <see cref="B2BTriggers.Close"/> from Presentation: a real decision maker is identified.</summary>
    public const string DecisionMaker = "presentation.decision-maker";

    /// <summary>On <see cref="B2BTriggers.Propose"/>: a date to submit the proposal is agreed.</summary>
    public const string ProposalDate = "presentation.proposal-date";

    /// <summary>On <see cref="B2BTriggers.Close"/> from Presentation: the product needs no separate proposal.</summary>
    public const string ProposalNotRequired = "proposal.not-required";

    /// <summary>On <see cref="B2BTriggers.Close"/>: no objection is still open.</summary>
    public const string NoOpenObjection = "objections.none-open";

    /// <summary>On <see cref="B2BTriggers.Win"/>: terms and price are finalised.</summary>
    public const string TermsFinalized = "close.terms-finalised";

    /// <summary>On <see cref="B2BTriggers.Win"/>: delivery details are finalised.</summary>
    public const string DeliveryFinalized = "close.delivery-finalised";

    /// <summary>On <see cref="B2BTriggers.Win"/>: the closing technique is recorded.</summary>
    public const string ClosingTechnique = "close.technique";

    /// <summary>On <see cref="B2BTriggers.Lose"/> and <see cref="B2BTriggers.Disqualify"/>: a reason is given.</summary>
    public const string LostReason = "lost.reason";

    /// <summary>On <see cref="B2BTriggers.Refer"/>: the move carries the id of the referred deal.</summary>
    public const string ReferredDeal = "refer.referred-deal";
}
