namespace SalesFlow.Pipelines.Showroom;

/// <summary>The activity types (<see cref="DealEvent.Activity"/>) that the showroom domain operations record.</summary>
public static class ShowroomActivities
{
    /// <summary>Whether the customer visited or phoned before was recorded.</summary>
    public const string VisitHistoryRecorded = "reception.visit-history";

    /// <summary>The customer's needs were recorded.</summary>
    public const string NeedsRecorded = "introduction.needs-recorded";

    /// <summary>The customer's purchase desire was assessed.</summary>
    public const string PurchaseDesireAssessed = "negotiation.purchase-desire";

    /// <summary>The next negotiation was appointed.</summary>
    public const string AppointmentSet = "appointment.set";

    /// <summary>The customer was graded, or the grade changed.</summary>
    public const string Graded = "customer.graded";

    /// <summary>Contract preparation was updated (contents, signing articles, disputes).</summary>
    public const string ContractUpdated = "contract.updated";

    /// <summary>Check-out eligibility was decided against the check-out conditions.</summary>
    public const string CheckOutDecided = "checkout.eligibility-decided";
}
