namespace SalesFlow;

/// <summary>
/// How the hosted event feed dispatcher runs the handlers added with
/// <see cref="Microsoft.Extensions.DependencyInjection.SalesFlowEventFeedBuilderExtensions.AddEventHandler{THandler}"/>:
/// bound from the configuration section <see cref="SectionName"/> when the host has a configuration, and validated
/// when the host starts; every problem is listed at once.
/// </summary>
/// <example>
/// <code language="json">
/// "SalesFlow": {
///   "EventFeed": { "PollInterval": "00:00:02", "BatchSize": 200, "LeaseDuration": "00:01:00" }
/// }
/// </code>
/// </example>
public sealed class EventFeedOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "SalesFlow:EventFeed";

    /// <summary>The longest accepted <see cref="PollInterval"/> and <see cref="MaxFailureBackoff"/>.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how long a handler that has caught up waits before reading the feed again.</summary>
    /// <value>The default value is 1 second. Valid values are above zero, at most <see cref="MaxInterval"/>, and shorter than <see cref="LeaseDuration"/>.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how many events a handler receives per batch (one service scope and one checkpoint save per batch).</summary>
    /// <value>The default value is 100. Valid values are 1 to <see cref="EventFeedProcessorOptions.MaxBatchSize"/>.</value>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// Gets or sets how long a handler's lease lasts unless renewed: the time after which another host process takes
    /// a handler over when the process running it dies. A batch should take less than this.
    /// </summary>
    /// <value>
    /// The default value is 30 seconds. Valid values are <see cref="EventFeedProcessorOptions.MinLeaseDuration"/> to
    /// <see cref="EventFeedProcessorOptions.MaxLeaseDuration"/>, and longer than <see cref="PollInterval"/>.
    /// </value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the longest wait after failures: after a handler throws (or the store cannot be reached) the wait
    /// before the next try starts at twice <see cref="PollInterval"/> and doubles with each failure up to this.
    /// </summary>
    /// <value>The default value is 1 minute. Valid values are from <see cref="PollInterval"/> to <see cref="MaxInterval"/>.</value>
    public TimeSpan MaxFailureBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets the id this process holds handler leases under (at most 200 characters); each host process needs
    /// its own.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: one generated per dispatcher (<see cref="EventFeedProcessorOptions.CreateOwnerId"/>).</value>
    public string? Owner { get; set; }

    /// <summary>
    /// Gets the tenants whose feeds the handlers follow: each handler runs once per tenant, on the tenant's store object
    /// (<see cref="IDealStore.ForTenant"/>), with its own checkpoint and lease, and receives only that tenant's events
    /// (<see cref="FeedEvent.TenantId"/> says which).
    /// </summary>
    /// <value>The default value is empty: the default tenant only (<see cref="SalesFlow.Tenants.Default"/>), a host serving one company.</value>
    public IList<string> Tenants { get; } = [];
}
