namespace SalesFlow.Pipelines.Retail;

/// <summary>The stable codes of the retail floor pipeline's guards, as reported in <see cref="UnmetGuard.Code"/>.</summary>
public static class RetailGuards
{
    /// <summary>
    /// On <see cref="RetailTriggers.QuotePrice"/> before Desire: quoting the price early makes the customer say
    /// "too expensive". A caller allowed to override (<see cref="SalesFlowEngineOptions.OverrideRoles"/>, <see cref="SalesFlowEngineOptions.OverrideActors"/>) may override it with a justification.
    /// </summary>
    public const string PriceBeforeDesire = "price.before-desire";

    /// <summary>The reason reported for <see cref="PriceBeforeDesire"/>.</summary>
    public const string PriceBeforeDesireReason =
        "Too early to quote the price: before the customer shows desire, 99% answer \"too expensive\" because they still see "
        + "little of the piece's value. Introduce its selling points and invite a try-on first.";
}
