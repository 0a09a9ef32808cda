namespace SalesFlow;

/// <summary>
/// The reports computed from deal history: funnel, time in stage, flow, outcomes, breakdowns, idle and overdue deals.
/// Every implementation returns the same figures for the same history; <see cref="SalesReports"/> is the reference.
/// docs/reports.md defines each figure.
/// </summary>
public interface IDealReports
{
    /// <summary>The funnel of deals started in the window.</summary>
    /// <param name="request">The pipeline, version and window.</param>
    /// <param name="mode">How skipped stages and backward moves count.</param>
    /// <param name="cancellationToken">Cancels the report.</param>
    /// <returns>The funnel.</returns>
    ValueTask<FunnelReport> FunnelAsync(ReportRequest request, FunnelMode mode, CancellationToken cancellationToken = default);

    /// <summary>Time in each open stage: stays that ended in the window, and current stays of open deals.</summary>
    /// <param name="request">The pipeline, version and window.</param>
    /// <param name="cancellationToken">Cancels the report.</param>
    /// <returns>The time in stage.</returns>
    ValueTask<TimeInStageReport> TimeInStageAsync(ReportRequest request, CancellationToken cancellationToken = default);

    /// <summary>The from → to matrix of moves made in the window.</summary>
    /// <param name="request">The pipeline, version and window.</param>
    /// <param name="cancellationToken">Cancels the report.</param>
    /// <returns>The flow.</returns>
    ValueTask<FlowReport> FlowAsync(ReportRequest request, CancellationToken cancellationToken = default);

    /// <summary>Win rate, cycle times, won value and sales velocity of deals closed in the window.</summary>
    /// <param name="request">The pipeline, version and window.</param>
    /// <param name="cancellationToken">Cancels the report.</param>
    /// <returns>The outcomes.</returns>
    ValueTask<OutcomesReport> OutcomesAsync(ReportRequest request, CancellationToken cancellationToken = default);

    /// <summary>Outcomes per group of deals, the top groups first.</summary>
    /// <param name="request">The pipeline, version and window.</param>
    /// <param name="grouping">How deals are grouped (<see cref="DealGrouping.ByOwner"/>, or a key of the caller's).</param>
    /// <param name="top">How many groups to return, at least 1.</param>
    /// <param name="cancellationToken">Cancels the report.</param>
    /// <returns>The breakdown.</returns>
    ValueTask<BreakdownReport> BreakdownAsync(ReportRequest request, DealGrouping grouping, int top, CancellationToken cancellationToken = default);

    /// <summary>Open deals idle past their stage's threshold (unless a follow-up is scheduled ahead) and overdue follow-ups, now.</summary>
    /// <param name="pipelineId">The pipeline's id.</param>
    /// <param name="cancellationToken">Cancels the report.</param>
    /// <returns>The idle and overdue deals.</returns>
    ValueTask<IdleReport> IdleAsync(string pipelineId, CancellationToken cancellationToken = default);
}
