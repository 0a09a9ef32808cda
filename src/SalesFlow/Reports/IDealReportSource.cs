namespace SalesFlow;

/// <summary>
/// What the reports read: a pipeline's current deals and its events. <see cref="SalesReports"/> folds them in memory; the
/// default source reads any store that is both an <see cref="IDealStore"/> and an <see cref="IEventFeedStore"/>.
/// </summary>
public interface IDealReportSource
{
    /// <summary>Reads the current snapshot of every deal of a pipeline (any version), in any order.</summary>
    /// <param name="pipelineId">The pipeline's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The deals.</returns>
    IAsyncEnumerable<Deal> ReadDealsAsync(string pipelineId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads every committed event of a pipeline's deals, a page at a time, each deal's events in sequence order. Events of
    /// different deals may come in any interleaving: in commit order (as the event feed gives them), or one deal's history
    /// after another, which folds fastest (the fold looks a deal up by id only when the deal changes between events).
    /// </summary>
    /// <param name="pipelineId">The pipeline's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The events, in pages.</returns>
    IAsyncEnumerable<IReadOnlyList<DealEvent>> ReadEventsAsync(string pipelineId, CancellationToken cancellationToken = default);
}
