namespace SalesFlow.Benchmarks;

// Keeps the batches an import hands over (the importer only imports, and looks deals up after a refusal).
internal sealed class CapturingStore(List<DealImport[]> batches) : IDealStore
{
    public ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default)
    {
        batches.Add([.. batch]);
        return ValueTask.CompletedTask;
    }

    public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default) => ValueTask.FromResult<Deal?>(null);

    public ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask<IReadOnlyList<FeedEvent>> ReadFeedAsync(FeedPosition after, int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask<FeedPosition> GetCheckpointAsync(string handler, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask<bool> TryAcquireLeaseAsync(string handler, string owner, TimeSpan duration, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask<bool> TrySaveCheckpointAsync(string handler, string owner, FeedPosition position, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask ReleaseLeaseAsync(string handler, string owner, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
