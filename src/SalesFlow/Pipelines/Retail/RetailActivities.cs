namespace SalesFlow.Pipelines.Retail;

/// <summary>The activity types (<see cref="DealEvent.Activity"/>) that the retail domain operations record.</summary>
public static class RetailActivities
{
    /// <summary>The customer tried a piece on.</summary>
    public const string TriedOn = "piece.tried-on";

    /// <summary>The seller showed a brochure (for example for an out-of-stock piece).</summary>
    public const string BrochureShown = "brochure.shown";

    /// <summary>The seller recommended a similar style in store.</summary>
    public const string SimilarStyleRecommended = "piece.similar-recommended";
}
