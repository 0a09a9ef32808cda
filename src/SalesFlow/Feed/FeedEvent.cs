namespace SalesFlow;

/// <summary>A committed deal event as the event feed delivers it: the event, its deal's pipeline, and its feed position.</summary>
/// <param name="Position">Where the event stands in the feed; a handler's checkpoint moves past it once handled.</param>
/// <param name="PipelineId">The id of the pipeline the deal runs on.</param>
/// <param name="Event">The event.</param>
public sealed record FeedEvent(FeedPosition Position, string PipelineId, DealEvent Event)
{
    /// <summary>Gets the tenant of the event's deal: the tenant of the store object whose feed delivered it.</summary>
    public string TenantId { get; init; } = Tenants.Default;
}
