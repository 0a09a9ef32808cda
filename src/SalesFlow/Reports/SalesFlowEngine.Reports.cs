namespace SalesFlow;

/// <content>The reports over the engine's store, pipelines and clock.</content>
public sealed partial class SalesFlowEngine
{
    /// <summary>
    /// Gets the reports (funnel, time in stage, flow, outcomes, breakdowns, idle) over this engine's store, pipelines and
    /// clock. The store must implement <see cref="IEventFeedStore"/>, as the built-in stores do.
    /// </summary>
    /// <exception cref="InvalidOperationException">The store does not implement <see cref="IEventFeedStore"/>.</exception>
    public SalesReports Reports => _store is IEventFeedStore
        ? new SalesReports(Pipelines, _store, _time)
        : throw new InvalidOperationException($"{_store.GetType().Name} does not implement IEventFeedStore: create SalesReports over an IDealReportSource instead.");
}
