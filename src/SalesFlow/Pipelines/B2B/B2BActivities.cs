namespace SalesFlow.Pipelines.B2B;

/// <summary>The activity types (<see cref="DealEvent.Activity"/>) that the B2B domain operations record.</summary>
public static class B2BActivities
{
    /// <summary>The lead source was recorded.</summary>
    public const string LeadSourceRecorded = "lead.source-recorded";

    /// <summary>The first contact with the lead was recorded.</summary>
    public const string FirstContactRecorded = "contact.first-contact";

    /// <summary>BANT answers were updated.</summary>
    public const string BantUpdated = "bant.updated";

    /// <summary>A needs-assessment question was added.</summary>
    public const string QuestionAdded = "needs.question-added";

    /// <summary>A needs-assessment question was answered.</summary>
    public const string QuestionAnswered = "needs.question-answered";

    /// <summary>The seller repeated back what was heard and the prospect confirmed it.</summary>
    public const string UnderstandingConfirmed = "needs.understanding-confirmed";

    /// <summary>A decision maker was identified.</summary>
    public const string DecisionMakerIdentified = "presentation.decision-maker-identified";

    /// <summary>The presentation's time, agenda and end time were set.</summary>
    public const string PresentationScheduled = "presentation.scheduled";

    /// <summary>A date to submit the proposal was agreed.</summary>
    public const string ProposalDateAgreed = "proposal.date-agreed";

    /// <summary>An objection was raised.</summary>
    public const string ObjectionRaised = "objection.raised";

    /// <summary>An objection was answered.</summary>
    public const string ObjectionAnswered = "objection.answered";

    /// <summary>An objection that could not be answered now was carried to the next meeting.</summary>
    public const string ObjectionCarriedOver = "objection.carried-over";

    /// <summary>An objection was resolved.</summary>
    public const string ObjectionResolved = "objection.resolved";

    /// <summary>The closing technique was recorded.</summary>
    public const string ClosingTechniqueRecorded = "close.technique-recorded";

    /// <summary>Terms and price were finalised.</summary>
    public const string TermsFinalized = "close.terms-finalised";

    /// <summary>Delivery details were finalised.</summary>
    public const string DeliveryFinalized = "close.delivery-finalised";

    /// <summary>The customer file was updated.</summary>
    public const string CustomerFileUpdated = "customer.file-updated";

    /// <summary>A repeat purchase was recorded.</summary>
    public const string RepeatPurchase = "customer.repeat-purchase";

    /// <summary>A deal this customer referred was linked to the customer's deal data.</summary>
    public const string ReferralLinked = "referral.linked";
}
