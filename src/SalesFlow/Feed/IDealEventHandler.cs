namespace SalesFlow;

/// <summary>
/// Handles committed deal events read from the event feed (<see cref="IEventFeedStore"/>): work that must follow a
/// commit and must not be lost, such as sending a notification or updating a read model.
/// </summary>
/// <remarks>
/// Events are delivered after their commit, at least once, and in sequence order per deal. A handler that fails, or
/// whose process stops before its checkpoint is saved, receives the same events again: make handling idempotent
/// (for example, remember the <see cref="DealEvent.DealId"/> and <see cref="DealEvent.Sequence"/> already handled).
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It handles deal events from the feed; it is not an event-handler delegate.")]
public interface IDealEventHandler
{
    /// <summary>Handles one committed event.</summary>
    /// <param name="feedEvent">The event, its deal's pipeline and its feed position.</param>
    /// <param name="cancellationToken">Cancels the handling (the processor or the host is stopping).</param>
    /// <returns>A task that completes when the event is handled; a thrown exception stops the run at this event.</returns>
    ValueTask HandleAsync(FeedEvent feedEvent, CancellationToken cancellationToken);
}
