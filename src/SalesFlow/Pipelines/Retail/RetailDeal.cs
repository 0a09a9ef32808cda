namespace SalesFlow.Pipelines.Retail;

/// <summary>
/// The data of a retail floor deal (one customer's visit to a jewelry store). Plain settable properties so
/// stores can keep it as JSON; change it through <see cref="RetailEngineExtensions"/>.
/// </summary>
public sealed class RetailDeal
{
    /// <summary>Gets or sets the pieces the customer noticed or was shown.</summary>
    public List<string> PiecesShown { get; set; } = [];

    /// <summary>Gets or sets the pieces the customer tried on.</summary>
    public List<string> PiecesTriedOn { get; set; } = [];

    /// <summary>Gets or sets the brochures shown (for example for out-of-stock pieces).</summary>
    public List<string> BrochuresShown { get; set; } = [];

    /// <summary>Gets or sets the similar styles recommended.</summary>
    public List<string> SimilarStylesRecommended { get; set; } = [];
}
