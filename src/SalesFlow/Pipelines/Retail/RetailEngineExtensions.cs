using System.Globalization;
using static SalesFlow.Pipelines.PipelineGuardHelpers;

namespace SalesFlow.Pipelines.Retail;

/// <summary>
/// The domain operations of the retail floor pipeline. Each changes the deal's <see cref="RetailDeal"/> data and
/// records an activity event of a specific type (<see cref="RetailActivities"/>), or fires a trigger.
/// </summary>
public static class RetailEngineExtensions
{
    /// <summary>The event property of <see cref="RetailTriggers.QuotePrice"/> that holds the price quoted.</summary>
    public const string PriceProperty = "price";

    /// <summary>The event property that names the piece concerned.</summary>
    public const string PieceProperty = "piece";

    /// <summary>Records that the customer noticed a piece: fires <see cref="RetailTriggers.NoticesPiece"/> (answer with a one-sentence pitch).</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="piece">The piece (a product reference).</param>
    /// <param name="actor">The seller.</param>
    /// <param name="cancellationToken">Cancels the move.</param>
    /// <returns>The result of the move.</returns>
    public static ValueTask<FireResult> NoticesPieceAsync(this SalesFlowEngine engine, string dealId, string piece, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrWhiteSpace(piece);
        return engine.FireAsync(dealId, RetailTriggers.NoticesPiece, new FireRequest(actor) { Properties = new Dictionary<string, string> { [PieceProperty] = piece } }, cancellationToken);
    }

    /// <summary>Records that the customer tried a piece on.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="piece">The piece (a product reference).</param>
    /// <param name="actor">The seller.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> RecordTryOnAsync(this SalesFlowEngine engine, string dealId, string piece, string actor, CancellationToken cancellationToken = default) =>
        AddPieceAsync(engine, dealId, piece, actor, RetailActivities.TriedOn, static (d, p) => d with { PiecesTriedOn = d.PiecesTriedOn.Add(p) }, cancellationToken);

    /// <summary>Records that the seller showed a brochure (for example for an out-of-stock piece).</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="piece">The piece or brochure (a product reference).</param>
    /// <param name="actor">The seller.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> ShowBrochureAsync(this SalesFlowEngine engine, string dealId, string piece, string actor, CancellationToken cancellationToken = default) =>
        AddPieceAsync(engine, dealId, piece, actor, RetailActivities.BrochureShown, static (d, p) => d with { BrochuresShown = d.BrochuresShown.Add(p) }, cancellationToken);

    /// <summary>Records that the seller recommended a similar style in store.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="piece">The similar piece (a product reference).</param>
    /// <param name="actor">The seller.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> RecommendSimilarStyleAsync(this SalesFlowEngine engine, string dealId, string piece, string actor, CancellationToken cancellationToken = default) =>
        AddPieceAsync(engine, dealId, piece, actor, RetailActivities.SimilarStyleRecommended, static (d, p) => d with { SimilarStylesRecommended = d.SimilarStylesRecommended.Add(p) }, cancellationToken);

    /// <summary>
    /// Quotes the price: fires <see cref="RetailTriggers.QuotePrice"/> with the price in the event's
    /// <see cref="PriceProperty"/>. Before Desire it is refused (<see cref="RetailGuards.PriceBeforeDesire"/>) unless
    /// <paramref name="options"/> carries an <see cref="FireRequest.OverrideJustification"/> from an actor the engine's
    /// override policy allows; the event then records the override.
    /// </summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="price">The price quoted; zero or more.</param>
    /// <param name="options">Who quotes, and an override justification if needed.</param>
    /// <param name="cancellationToken">Cancels the move.</param>
    /// <returns>The result of the move.</returns>
    public static ValueTask<FireResult> QuotePriceAsync(this SalesFlowEngine engine, string dealId, decimal price, FireRequest options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(price);
        var properties = new Dictionary<string, string>(options.Properties ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [PriceProperty] = price.ToString(CultureInfo.InvariantCulture),
        };
        return engine.FireAsync(dealId, RetailTriggers.QuotePrice, options with { Properties = properties }, cancellationToken);
    }

    private static ValueTask<Deal> AddPieceAsync(SalesFlowEngine engine, string dealId, string piece, string actor, string activity, Func<RetailDeal, string, RetailDeal> add, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrWhiteSpace(piece);
        return engine.UpdateAsync<RetailDeal>(
            dealId,
            d => add(d, piece),
            Activity(actor, activity, properties: new Dictionary<string, string> { [PieceProperty] = piece }),
            cancellationToken);
    }
}
