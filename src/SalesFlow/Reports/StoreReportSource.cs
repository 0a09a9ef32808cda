using System.Runtime.CompilerServices;

namespace SalesFlow;

/// <summary>Reads a store for the reports: deals through <see cref="IDealStore.QueryAsync"/>, events through the event feed.</summary>
internal sealed class StoreReportSource(IDealStore store, IEventFeedStore feed) : IDealReportSource
{
    private const int PageSize = 10_000; // the most a query returns: the in-memory store scans every deal per page
    private const int FeedPageSize = 10_000;

    public IAsyncEnumerable<Deal> ReadDealsAsync(string pipelineId, CancellationToken cancellationToken = default) =>
        QueryAllAsync(store, new DealQuery { PipelineId = pipelineId }, cancellationToken);

    /// <summary>Every deal a query matches, a page at a time.</summary>
    public static async IAsyncEnumerable<Deal> QueryAllAsync(IDealStore store, DealQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? after = null;
        do
        {
            var page = await store.QueryAsync(query with { AfterDealId = after, Limit = PageSize }, cancellationToken).ConfigureAwait(false);
            foreach (var deal in page.Deals)
            {
                yield return deal;
            }

            after = page.NextAfterDealId;
        }
        while (after is not null);
    }

    public async IAsyncEnumerable<IReadOnlyList<DealEvent>> ReadEventsAsync(string pipelineId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var position = FeedPosition.Start;
        while (true)
        {
            var page = await feed.ReadFeedAsync(position, FeedPageSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                yield break;
            }

            var events = new List<DealEvent>(page.Count);
            foreach (var item in page)
            {
                if (string.Equals(item.PipelineId, pipelineId, StringComparison.Ordinal))
                {
                    events.Add(item.Event);
                }
            }

            position = page[^1].Position;
            yield return events;
        }
    }
}
