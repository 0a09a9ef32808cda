namespace SalesFlow.Pipelines.Showroom;

/// <summary>
/// The stable codes of the showroom pipeline's guards, as reported in <see cref="UnmetGuard.Code"/>. Required
/// checklist items add guards coded <c>checklist.&lt;item id&gt;</c> (see <see cref="ShowroomChecklist"/>).
/// </summary>
public static class ShowroomGuards
{
    /// <summary>On <see cref="ShowroomTriggers.Introduce"/>: asked whether the customer visited and phoned before.</summary>
    public const string VisitHistory = "reception.visit-history";

    /// <summary>On <see cref="ShowroomTriggers.TourSite"/>: the customer's needs are asked and recorded.</summary>
    public const string CustomerNeeds = "introduction.customer-needs";

    /// <summary>On <see cref="ShowroomTriggers.Subscribe"/>: purchase desire is above 70%.</summary>
    public const string PurchaseDesire = "negotiation.purchase-desire";

    /// <summary>On <see cref="ShowroomTriggers.RecordCustomer"/>: the next negotiation is appointed.</summary>
    public const string NextAppointment = "no-deal.next-appointment";

    /// <summary>On <see cref="ShowroomTriggers.StartTracking"/>: the customer is graded A, B or C.</summary>
    public const string Grade = "record.grade";

    /// <summary>On <see cref="ShowroomTriggers.LogReturnVisit"/>: the visit has a detailed note.</summary>
    public const string VisitRecord = "tracking.visit-record";

    /// <summary>On <see cref="ShowroomTriggers.Complete"/>: the contract's contents are complete.</summary>
    public const string ContractComplete = "contract.contents-complete";

    /// <summary>On <see cref="ShowroomTriggers.Complete"/>: the articles needed for signing are prepared.</summary>
    public const string SigningArticles = "contract.articles-prepared";

    /// <summary>On <see cref="ShowroomTriggers.Complete"/>: no dispute over contract terms is open.</summary>
    public const string NoDispute = "contract.no-dispute";

    /// <summary>On <see cref="ShowroomTriggers.RequestCheckOut"/>: the customer's reason is given.</summary>
    public const string CheckOutReason = "checkout.reason";

    /// <summary>On <see cref="ShowroomTriggers.ApproveCheckOut"/>: decided eligible in this check-out.</summary>
    public const string CheckOutEligible = "checkout.eligible";

    /// <summary>On <see cref="ShowroomTriggers.RejectCheckOut"/>: decided not eligible in this check-out.</summary>
    public const string CheckOutNotEligible = "checkout.not-eligible";

    /// <summary>On <see cref="ShowroomTriggers.Lose"/>: a reason is given.</summary>
    public const string LostReason = "lost.reason";
}
