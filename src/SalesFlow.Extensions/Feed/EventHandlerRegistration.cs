namespace SalesFlow.DependencyInjection;

/// <summary>A named event feed handler added through the builder: a handler type resolved per batch, or a delegate.</summary>
internal sealed class EventHandlerRegistration
{
    private EventHandlerRegistration(string name, Type? handlerType, Func<FeedEvent, CancellationToken, ValueTask>? callback)
    {
        Name = name;
        HandlerType = handlerType;
        Callback = callback;
    }

    public string Name { get; }

    /// <summary>Gets the handler type resolved from a new service scope per batch, or <see langword="null"/> for a delegate.</summary>
    public Type? HandlerType { get; }

    public Func<FeedEvent, CancellationToken, ValueTask>? Callback { get; }

    public static EventHandlerRegistration ForType(string name, Type handlerType) => new(name, handlerType, null);

    public static EventHandlerRegistration ForCallback(string name, Func<FeedEvent, CancellationToken, ValueTask> callback) => new(name, null, callback);

    public bool SameHandlerAs(EventHandlerRegistration other) =>
        HandlerType == other.HandlerType && Equals(Callback, other.Callback);

    public string Describe() => HandlerType is { } type ? $"type {type.FullName}" : "a delegate";
}
