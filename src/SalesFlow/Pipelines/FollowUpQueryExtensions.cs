namespace SalesFlow.Pipelines;

/// <summary>Finds the deals whose scheduled follow-up is due.</summary>
public static class FollowUpQueryExtensions
{
    /// <summary>Lists the deals of a pipeline whose <see cref="Deal.NextFollowUpAt"/> is at or before a time, reading every page.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="pipelineId">The pipeline id, for example <c>showroom-ten-step</c>.</param>
    /// <param name="dueAtOrBefore">The time; usually now.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The deals due, ordered by id.</returns>
    public static async ValueTask<IReadOnlyList<Deal>> GetFollowUpsDueAsync(this SalesFlowEngine engine, string pipelineId, DateTimeOffset dueAtOrBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrWhiteSpace(pipelineId);
        var due = new List<Deal>();
        var query = new DealQuery { PipelineId = pipelineId, FollowUpDueAtOrBefore = dueAtOrBefore };
        while (true)
        {
            var page = await engine.Store.QueryAsync(query, cancellationToken).ConfigureAwait(false);
            due.AddRange(page.Deals);
            if (page.NextAfterDealId is null)
            {
                return due;
            }

            query = query with { AfterDealId = page.NextAfterDealId };
        }
    }
}
