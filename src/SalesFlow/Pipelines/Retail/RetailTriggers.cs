namespace SalesFlow.Pipelines.Retail;

/// <summary>The triggers of the retail floor pipeline: signals the seller observes, and the outcomes.</summary>
public static class RetailTriggers
{
    /// <summary>An internal action of Browsing: the customer notices a piece (answer with a one-sentence pitch).</summary>
    public const string NoticesPiece = "NoticesPiece";

    /// <summary>Browsing → Curious: the customer stops, stares, tries a piece on or asks a simple question.</summary>
    public const string ShowsCuriosity = "ShowsCuriosity";

    /// <summary>Curious → Interested: the customer shares personal context (occupation, family, hobbies).</summary>
    public const string SharesPersonalContext = "SharesPersonalContext";

    /// <summary>Interested → Desire: the customer asks the price carefully.</summary>
    public const string AsksPriceCarefully = "AsksPriceCarefully";

    /// <summary>An internal action of every open stage: the seller quotes the price. Refused before Desire.</summary>
    public const string QuotePrice = "QuotePrice";

    /// <summary>Any open stage → Purchased (won).</summary>
    public const string Purchase = "Purchase";

    /// <summary>Any open stage → Walked away (lost).</summary>
    public const string WalkAway = "WalkAway";
}
