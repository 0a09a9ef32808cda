namespace SalesFlow.Pipelines.Showroom;

/// <summary>
/// The checklist item ids of the showroom pipeline, from the seed's notes. Complete them with
/// <see cref="SalesFlowEngine.CompleteChecklistItemAsync(string, string, string, CancellationToken)"/>. Items marked
/// required hold back the stage's forward moves (guard code <c>checklist.&lt;id&gt;</c>).
/// </summary>
public static class ShowroomChecklist
{
    /// <summary>Reception: give a warm welcome.</summary>
    public const string WarmWelcome = "reception-warm-welcome";

    /// <summary>Project introduction (required): introduce the project on the sand-table model.</summary>
    public const string SandTable = "introduction-sand-table";

    /// <summary>Site tour: do not neglect the customer on the way.</summary>
    public const string AttendCustomer = "tour-attend-customer";

    /// <summary>Site tour: plan the best route in advance.</summary>
    public const string PlanRoute = "tour-plan-route";

    /// <summary>Site tour (required): find the advantages of the unit layouts and present them.</summary>
    public const string UnitAdvantages = "tour-unit-advantages";

    /// <summary>Negotiation: hospitality.</summary>
    public const string Hospitality = "negotiation-hospitality";

    /// <summary>Negotiation: test the customer.</summary>
    public const string TestCustomer = "negotiation-test-customer";

    /// <summary>Negotiation: introduce unit layouts selectively.</summary>
    public const string SelectiveUnits = "negotiation-selective-units";

    /// <summary>Negotiation: use the atmosphere and props.</summary>
    public const string Atmosphere = "negotiation-atmosphere";

    /// <summary>No deal yet (required): the prepared materials are handed to the customer.</summary>
    public const string MaterialsHandedOver = "no-deal-materials";

    /// <summary>No deal yet (required): contact details exchanged.</summary>
    public const string ContactsExchanged = "no-deal-contacts";

    /// <summary>No deal yet: see the customer off warmly at the door.</summary>
    public const string SeenOff = "no-deal-seen-off";

    /// <summary>Customer record (required): the data sheet is filled in in detail.</summary>
    public const string DataSheet = "record-data-sheet";

    /// <summary>Customer record: the data sheet is kept safe.</summary>
    public const string KeepSafe = "record-keep-safe";

    /// <summary>Tracking: prepare what to say in advance.</summary>
    public const string PrepareScript = "tracking-prepare-script";

    /// <summary>Subscription (required): the product situation is explained in detail.</summary>
    public const string ProductExplained = "subscription-product-explained";

    /// <summary>Subscription (required): the agreement's terms are explained in detail.</summary>
    public const string TermsExplained = "subscription-terms-explained";

    /// <summary>Subscription (required): the agreement is filled in carefully.</summary>
    public const string AgreementFilled = "subscription-agreement-filled";

    /// <summary>Subscription: keep control of the on-site sale.</summary>
    public const string SalesControl = "subscription-sales-control";
}
