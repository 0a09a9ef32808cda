using System.Collections.Immutable;

namespace SalesFlow;

/// <summary>
/// One deal moving through a pipeline: an immutable snapshot of its state. Every change made through
/// <see cref="SalesFlowEngine"/> produces a new snapshot with a higher <see cref="Version"/> and appends
/// events to its history.
/// </summary>
/// <remarks>
/// <see cref="Data"/> is immutable (the pipeline's definition checks its type): stores and snapshots share one
/// instance safely. Change it with <see cref="SalesFlowEngine.UpdateAsync{TData}(string, Func{TData, TData}, ActivityRequest, CancellationToken)"/>.
/// </remarks>
public sealed record Deal
{
    /// <summary>Gets the deal's id, unique within its tenant.</summary>
    public required string Id { get; init; }

    /// <summary>
    /// Gets the tenant (the company) the deal belongs to: the tenant of the store it is saved in (<see cref="IDealStore.TenantId"/>);
    /// <see cref="Tenants.Default"/> unless the host serves several companies.
    /// </summary>
    public string TenantId { get; init; } = Tenants.Default;

    /// <summary>Gets the id of the pipeline the deal runs on.</summary>
    public required string PipelineId { get; init; }

    /// <summary>Gets the pipeline version the deal is pinned to.</summary>
    public required int PipelineVersion { get; init; }

    /// <summary>Gets the id of the deal's current stage.</summary>
    public required string StageId { get; init; }

    /// <summary>Gets the stage the deal was in before its current one, or <see langword="null"/>.</summary>
    public string? PreviousStageId { get; init; }

    /// <summary>Gets the concurrency version: 1 after the deal is started, one more after every save.</summary>
    public required long Version { get; init; }

    /// <summary>Gets the sequence number of the deal's last event (its number of events).</summary>
    public required long LastSequence { get; init; }

    /// <summary>Gets when the deal was started.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the deal was last saved.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Gets when the deal entered its current stage.</summary>
    public required DateTimeOffset StageEnteredAt { get; init; }

    /// <summary>
    /// Gets the sequence number of the event that brought the deal into its current stage (1 for the start event):
    /// it tells one visit of a stage from the next, even when both happen at the same instant.
    /// </summary>
    public long StageEnteredSequence { get; init; }

    /// <summary>Gets when something last happened to the deal (a move or an activity).</summary>
    public required DateTimeOffset LastActivityAt { get; init; }

    /// <summary>Gets the deal's owner (a user id of the host application), if any.</summary>
    public string? Owner { get; init; }

    /// <summary>Gets the deal's expected amount, if any.</summary>
    public decimal? Amount { get; init; }

    /// <summary>Gets the outcome, derived from the kind of the current stage.</summary>
    public StageKind Outcome { get; init; }

    /// <summary>Gets the reason given when the deal was won, lost or closed, if any.</summary>
    public string? OutcomeReason { get; init; }

    /// <summary>Gets when the deal should next be followed up, if scheduled.</summary>
    public DateTimeOffset? NextFollowUpAt { get; init; }

    /// <summary>Gets the ids of the checklist items completed so far.</summary>
    public ImmutableHashSet<string> CompletedChecklistItems { get; init; } = ImmutableHashSet<string>.Empty;

    /// <summary>Gets the domain data the pipeline's guards read.</summary>
    public required object Data { get; init; }

    /// <summary>Gets <see cref="Data"/> as <typeparamref name="TData"/>.</summary>
    /// <typeparam name="TData">The pipeline's data type.</typeparam>
    /// <returns>The deal's data.</returns>
    /// <exception cref="InvalidCastException">The deal's data is not a <typeparamref name="TData"/>.</exception>
    public TData DataAs<TData>() =>
        Data is TData typed
            ? typed
            : throw new InvalidCastException(
                $"Deal '{Id}' on pipeline '{PipelineId}' holds data of type {Data.GetType().Name}, not {typeof(TData).Name}.");
}
