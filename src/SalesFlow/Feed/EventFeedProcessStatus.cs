namespace SalesFlow;

/// <summary>How a run of an <see cref="EventFeedProcessor"/> ended.</summary>
public enum EventFeedProcessStatus
{
    /// <summary>Every event available when the feed was read was handled and the checkpoint saved.</summary>
    CaughtUp,

    /// <summary>A full batch was handled and saved; more events may be waiting (run again).</summary>
    MoreAvailable,

    /// <summary>Another owner holds the handler's lease; nothing was handled. Try again later.</summary>
    NotLeaseHolder,

    /// <summary>
    /// The lease was lost while handling (it expired and another owner took it): the run stopped at once, and the
    /// events handled since the last saved checkpoint will be delivered again to the new holder.
    /// </summary>
    LeaseLost,

    /// <summary>
    /// The handler threw: the checkpoint was saved up to the last event handled, and the run stopped. The failed event
    /// and those after it are delivered again on the next run. See <see cref="EventFeedProcessResult.Failure"/>.
    /// </summary>
    HandlerFailed,
}
