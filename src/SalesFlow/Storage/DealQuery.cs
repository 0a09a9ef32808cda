namespace SalesFlow;

/// <summary>
/// A query over a store's deals. Criteria combine with AND; results are ordered by deal id (ordinal)
/// and paged with <see cref="AfterDealId"/> (keyset paging).
/// </summary>
public sealed record DealQuery
{
    /// <summary>Gets the pipeline id the deals run on, or <see langword="null"/> for any.</summary>
    public string? PipelineId { get; init; }

    /// <summary>Gets the pipeline version the deals are pinned to, or <see langword="null"/> for any; needs <see cref="PipelineId"/>.</summary>
    public int? PipelineVersion { get; init; }

    /// <summary>Gets the stage id the deals are in, or <see langword="null"/> for any.</summary>
    public string? StageId { get; init; }

    /// <summary>Gets a time: only deals whose <see cref="Deal.NextFollowUpAt"/> is at or before it.</summary>
    public DateTimeOffset? FollowUpDueAtOrBefore { get; init; }

    /// <summary>Gets a time: only deals whose <see cref="Deal.LastActivityAt"/> is before it.</summary>
    public DateTimeOffset? IdleSince { get; init; }

    /// <summary>Gets the id of the last deal of the previous page; <see langword="null"/> for the first page.</summary>
    public string? AfterDealId { get; init; }

    /// <summary>Gets the page size.</summary>
    /// <value>The default value is 100.</value>
    public int Limit { get; init; } = 100;
}
