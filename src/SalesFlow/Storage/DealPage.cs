namespace SalesFlow;

/// <summary>One page of a <see cref="DealQuery"/>.</summary>
/// <param name="Deals">The deals of the page, ordered by id.</param>
/// <param name="NextAfterDealId">
/// The value for <see cref="DealQuery.AfterDealId"/> that reads the next page, or <see langword="null"/>
/// when this page is the last.
/// </param>
public sealed record DealPage(IReadOnlyList<Deal> Deals, string? NextAfterDealId);
