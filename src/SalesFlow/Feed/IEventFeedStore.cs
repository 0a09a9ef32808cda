namespace SalesFlow;

/// <summary>
/// The event log read as an outbox: every committed event in commit order, a checkpoint per named handler, and a
/// lease that keeps each handler in one process at a time. The in-memory, SQLite and PostgreSQL stores implement it.
/// </summary>
/// <remarks>
/// Delivery is at least once: a handler that stops between handling an event and saving its checkpoint receives the
/// event again. Events of one deal are delivered in sequence order.
/// </remarks>
public interface IEventFeedStore
{
    /// <summary>Reads committed events after a position, in feed order.</summary>
    /// <param name="after">The position to read after (<see cref="FeedPosition.Start"/> for the beginning).</param>
    /// <param name="limit">The most events to return (1 to 10,000).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The events, oldest first; empty when there is nothing new.</returns>
    ValueTask<IReadOnlyList<FeedEvent>> ReadFeedAsync(FeedPosition after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Reads a handler's checkpoint: the position of the last event it handled.</summary>
    /// <param name="handler">The handler's name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The checkpoint, or <see cref="FeedPosition.Start"/> for a handler that has none.</returns>
    ValueTask<FeedPosition> GetCheckpointAsync(string handler, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes or renews a handler's lease. A lease held by another owner that has not expired is not taken.
    /// </summary>
    /// <param name="handler">The handler's name.</param>
    /// <param name="owner">Who asks (one id per process or dispatcher).</param>
    /// <param name="duration">How long the lease lasts unless renewed.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns><see langword="true"/> when <paramref name="owner"/> holds the lease now.</returns>
    ValueTask<bool> TryAcquireLeaseAsync(string handler, string owner, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Saves a handler's checkpoint, if <paramref name="owner"/> still holds its lease.</summary>
    /// <param name="handler">The handler's name.</param>
    /// <param name="owner">The lease holder.</param>
    /// <param name="position">The position of the last event handled.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns><see langword="true"/> when saved; <see langword="false"/> when the lease was lost (another owner took over).</returns>
    ValueTask<bool> TrySaveCheckpointAsync(string handler, string owner, FeedPosition position, CancellationToken cancellationToken = default);

    /// <summary>Gives a lease up so another owner can take it at once. Does nothing when <paramref name="owner"/> does not hold it.</summary>
    /// <param name="handler">The handler's name.</param>
    /// <param name="owner">The lease holder.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the lease is released.</returns>
    ValueTask ReleaseLeaseAsync(string handler, string owner, CancellationToken cancellationToken = default);
}
