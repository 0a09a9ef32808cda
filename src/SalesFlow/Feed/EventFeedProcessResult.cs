namespace SalesFlow;

/// <summary>What a run of an <see cref="EventFeedProcessor"/> did. It carries ids and positions only, never event content.</summary>
/// <param name="Status">How the run ended.</param>
/// <param name="Handled">How many events the handler completed in this run (some may be delivered again after <see cref="EventFeedProcessStatus.LeaseLost"/>).</param>
/// <param name="Checkpoint">The handler's checkpoint after the run, as this processor last read or saved it.</param>
/// <param name="Failure">The event the handler failed on, with <see cref="EventFeedProcessStatus.HandlerFailed"/>; otherwise <see langword="null"/>.</param>
public sealed record EventFeedProcessResult(EventFeedProcessStatus Status, int Handled, FeedPosition Checkpoint, EventHandlerFailure? Failure = null);

/// <summary>The event a handler failed on: its position and deal, and what the handler threw.</summary>
/// <param name="Position">The failed event's feed position; the checkpoint stays before it.</param>
/// <param name="DealId">The id of the failed event's deal.</param>
/// <param name="Sequence">The failed event's sequence number within its deal.</param>
/// <param name="Exception">What the handler threw. Its message is the handler's: log it with care.</param>
public sealed record EventHandlerFailure(FeedPosition Position, string DealId, long Sequence, Exception Exception);
