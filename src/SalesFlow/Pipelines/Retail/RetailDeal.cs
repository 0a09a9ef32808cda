using System.Collections.Immutable;

namespace SalesFlow.Pipelines.Retail;

/// <summary>
/// The data of a retail floor deal (one customer's visit to a jewelry store). Immutable: change it
/// through <see cref="RetailEngineExtensions"/>.
/// </summary>
public sealed record RetailDeal
{
    /// <summary>Gets the pieces the customer noticed or was shown.</summary>
    public ImmutableArray<string> PiecesShown { get; init; } = [];

    /// <summary>Gets the pieces the customer tried on.</summary>
    public ImmutableArray<string> PiecesTriedOn { get; init; } = [];

    /// <summary>Gets the brochures shown (for example for out-of-stock pieces).</summary>
    public ImmutableArray<string> BrochuresShown { get; init; } = [];

    /// <summary>Gets the similar styles recommended.</summary>
    public ImmutableArray<string> SimilarStylesRecommended { get; init; } = [];
}
