namespace SalesFlow.Pipelines.Showroom;

/// <summary>The stage ids of the ten-step showroom pipeline (<see cref="SalesPipelines.Showroom"/>), a property sales office.</summary>
public static class ShowroomStages
{
    /// <summary>Step 1: welcome the customer; ask whether they visited or phoned before.</summary>
    public const string Reception = "reception";

    /// <summary>Step 2: introduce the project on the sand-table model; ask about the customer.</summary>
    public const string ProjectIntroduction = "project-introduction";

    /// <summary>Step 3: show the site and the show flat.</summary>
    public const string SiteTour = "site-tour";

    /// <summary>Step 4: purchase negotiation.</summary>
    public const string Negotiation = "negotiation";

    /// <summary>Step 5: no deal yet: materials handed over, contacts exchanged, next appointment set.</summary>
    public const string NoDealYet = "no-deal-yet";

    /// <summary>Step 6: fill in the customer data sheet and grade the customer A, B or C.</summary>
    public const string CustomerRecord = "customer-record";

    /// <summary>Step 7: customer tracking with return visits on a cadence by grade.</summary>
    public const string Tracking = "tracking";

    /// <summary>Step 8: the deal is made: subscription (deposit and agreement).</summary>
    public const string Subscription = "subscription";

    /// <summary>Step 9: the contract is signed.</summary>
    public const string Contract = "contract";

    /// <summary>Step 10: the customer asks to check out (withdraw) after signing.</summary>
    public const string CheckOut = "check-out";

    /// <summary>The sale is completed. A won stage.</summary>
    public const string Completed = "completed";

    /// <summary>The contract was cancelled by an eligible check-out. A closed stage.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The customer was lost. <see cref="ShowroomTriggers.Reopen"/> returns the deal.</summary>
    public const string Lost = "lost";
}
