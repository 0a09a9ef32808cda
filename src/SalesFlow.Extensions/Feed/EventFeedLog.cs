using Microsoft.Extensions.Logging;

namespace SalesFlow.DependencyInjection;

/// <summary>Log messages of the hosted event feed dispatcher (event ids 1200+): handler names, owner ids, positions and deal ids only.</summary>
internal static partial class EventFeedLog
{
    [LoggerMessage(EventId = 1200, EventName = "EventFeedStarted", Level = LogLevel.Information, Message = "Event feed dispatcher started: handlers {HandlerNames}, owner {Owner}, store {StoreType}")]
    public static partial void Started(ILogger logger, string handlerNames, string owner, string storeType);

    [LoggerMessage(EventId = 1201, EventName = "EventBatchHandled", Level = LogLevel.Debug, Message = "Event handler {HandlerName} handled {Count} events; checkpoint {Checkpoint}")]
    public static partial void BatchHandled(ILogger logger, string handlerName, int count, FeedPosition checkpoint);

    [LoggerMessage(EventId = 1202, EventName = "EventHandlerFailed", Level = LogLevel.Error, Message = "Event handler {HandlerName} failed on event {Position} (deal {DealId}, sequence {Sequence}); checkpoint {Checkpoint}; retrying from that event in {Backoff}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string handlerName, FeedPosition position, string dealId, long sequence, FeedPosition checkpoint, TimeSpan backoff);

    [LoggerMessage(EventId = 1203, EventName = "EventFeedLeaseLost", Level = LogLevel.Warning, Message = "Event handler {HandlerName} lost its lease (owner {Owner}) during a batch; another process runs it now and receives the batch again")]
    public static partial void LeaseLost(ILogger logger, string handlerName, string owner);

    [LoggerMessage(EventId = 1204, EventName = "EventFeedFailed", Level = LogLevel.Error, Message = "Event handler {HandlerName}: the event feed could not be read or the checkpoint saved; retrying in {Backoff}")]
    public static partial void FeedFailed(ILogger logger, Exception exception, string handlerName, TimeSpan backoff);

    [LoggerMessage(EventId = 1205, EventName = "EventFeedReleaseFailed", Level = LogLevel.Warning, Message = "Event handler {HandlerName}: the lease of owner {Owner} could not be released; another process takes over when it expires")]
    public static partial void ReleaseFailed(ILogger logger, Exception exception, string handlerName, string owner);

    [LoggerMessage(EventId = 1206, EventName = "EventFeedStopped", Level = LogLevel.Information, Message = "Event feed dispatcher stopped; owner {Owner} released the leases of handlers {HandlerNames}")]
    public static partial void Stopped(ILogger logger, string owner, string handlerNames);
}
