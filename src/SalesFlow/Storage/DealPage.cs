namespace SalesFlow;

/// <summary>One page of a <see cref="DealQuery"/>.</summary>
/// <param name="Deals">The deals found, ordered by id (ordinal).</param>
/// <param name="NextAfterDealId">The id to continue after (<see cref="DealQuery.AfterDealId"/>), or <see langword="null"/> on the last page.</param>
public sealed record DealPage(IReadOnlyList<Deal> Deals, string? NextAfterDealId)
{
    /// <summary>
    /// Gets the deals that matched but could not be read (damaged rows), so that one damaged deal does not fail a
    /// whole listing. Empty when every deal was read.
    /// </summary>
    public IReadOnlyList<DealDataDamagedException> Damaged { get; init; } = [];
}
