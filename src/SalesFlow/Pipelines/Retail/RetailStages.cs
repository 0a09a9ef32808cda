namespace SalesFlow.Pipelines.Retail;

/// <summary>
/// The stage ids of the four-stage retail floor pipeline (<see cref="SalesPipelines.RetailFloor"/>), a jewelry
/// store. The stages follow the customer's psychology.
/// </summary>
public static class RetailStages
{
    /// <summary>"Blind browsing": the customer looks around with no demand yet.</summary>
    public const string Browsing = "browsing";

    /// <summary>Curious: the customer stops, stares, tries on or asks simple questions.</summary>
    public const string Curious = "curious";

    /// <summary>Interested: the customer imagines owning the piece and shares personal context.</summary>
    public const string Interested = "interested";

    /// <summary>Desire: the customer loves the piece and asks the price carefully.</summary>
    public const string Desire = "desire";

    /// <summary>The customer bought. A won stage.</summary>
    public const string Purchased = "purchased";

    /// <summary>The customer walked away. A lost stage.</summary>
    public const string WalkedAway = "walked-away";
}
