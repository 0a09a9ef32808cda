namespace SalesFlow.Pipelines.Showroom;

/// <summary>The triggers of the ten-step showroom pipeline.</summary>
public static class ShowroomTriggers
{
    /// <summary>Reception → Project introduction. Needs the visit history asked.</summary>
    public const string Introduce = "Introduce";

    /// <summary>Project introduction → Site tour. Needs the sand-table introduction done and the customer's needs asked.</summary>
    public const string TourSite = "TourSite";

    /// <summary>Site tour → Negotiation. Needs the unit layouts' advantages presented.</summary>
    public const string Negotiate = "Negotiate";

    /// <summary>Negotiation → Subscription. Needs purchase desire above 70%.</summary>
    public const string Subscribe = "Subscribe";

    /// <summary>Negotiation → No deal yet: the customer leaves without buying.</summary>
    public const string NoDeal = "NoDeal";

    /// <summary>No deal yet → Customer record. Needs materials handed over, contacts exchanged and the next appointment set.</summary>
    public const string RecordCustomer = "RecordCustomer";

    /// <summary>Customer record → Tracking. Needs the data sheet and a grade; schedules the first return visit by grade.</summary>
    public const string StartTracking = "StartTracking";

    /// <summary>An internal action of Tracking: a return visit was paid. Needs a detailed note; schedules the next one by grade.</summary>
    public const string LogReturnVisit = "LogReturnVisit";

    /// <summary>Tracking → Negotiation: the customer comes back to negotiate.</summary>
    public const string ResumeNegotiation = "ResumeNegotiation";

    /// <summary>Subscription → Contract. Needs the product and agreement explained and the agreement filled in.</summary>
    public const string SignContract = "SignContract";

    /// <summary>Contract → Completed (won). Needs the contract complete, signing articles prepared and no dispute over terms.</summary>
    public const string Complete = "Complete";

    /// <summary>Contract → Check-out: the customer asks to withdraw. Needs the customer's reason.</summary>
    public const string RequestCheckOut = "RequestCheckOut";

    /// <summary>Check-out → Cancelled. Needs the customer decided eligible against the check-out conditions.</summary>
    public const string ApproveCheckOut = "ApproveCheckOut";

    /// <summary>Check-out → Contract. Needs the customer decided not eligible against the check-out conditions.</summary>
    public const string RejectCheckOut = "RejectCheckOut";

    /// <summary>An open stage before the contract → Lost. Needs a reason.</summary>
    public const string Lose = "Lose";

    /// <summary>Lost → the stage the deal was lost from.</summary>
    public const string Reopen = "Reopen";
}
