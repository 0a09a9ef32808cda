namespace SalesFlow;

/// <summary>
/// Where deals and their histories live. Implementations must be safe for concurrent use and must
/// apply optimistic concurrency: a save under a stale expected version fails and never overwrites.
/// </summary>
public interface IDealStore
{
    /// <summary>Loads a deal.</summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The deal, or <see langword="null"/> when there is no deal with that id.</returns>
    ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves a deal's new state together with the events that produced it, atomically: both are
    /// written, or neither.
    /// </summary>
    /// <param name="deal">The new state; its <see cref="Deal.Version"/> is <paramref name="expectedVersion"/> + 1.</param>
    /// <param name="expectedVersion">
    /// The version the stored deal must still have; 0 to create a deal that must not exist yet.
    /// </param>
    /// <param name="events">
    /// The new events, at least one, numbered on from the stored deal's <see cref="Deal.LastSequence"/> without gaps.
    /// </param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>
    /// <see langword="true"/> when saved; <see langword="false"/> on a conflict (the stored version is not
    /// <paramref name="expectedVersion"/>, or the deal already exists when creating it).
    /// </returns>
    /// <exception cref="ArgumentException">The deal and events do not fit together (version, sequence, deal id).</exception>
    ValueTask<bool> TrySaveAsync(Deal deal, long expectedVersion, IReadOnlyList<DealEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Reads a deal's events in sequence order.</summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="afterSequence">Only events with a higher sequence number are returned (keyset paging).</param>
    /// <param name="limit">The most events to return; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The events, oldest first; empty for an unknown deal.</returns>
    ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>Finds deals by pipeline, stage, follow-up due time or idleness, a page at a time.</summary>
    /// <param name="query">What to look for and the page to read.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One page of deals, ordered by <see cref="Deal.Id"/> (ordinal).</returns>
    ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Imports deals that do not exist yet together with their histories, in one transaction: the
    /// whole batch is written, or nothing.
    /// </summary>
    /// <param name="batch">The deals and their events.</param>
    /// <param name="cancellationToken">Cancels the import.</param>
    /// <returns>A task that completes when the batch is stored.</returns>
    /// <exception cref="DealImportException">A deal of the batch already exists or is inconsistent with its events.</exception>
    ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default);
}
