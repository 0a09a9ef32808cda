namespace SalesFlow.Tests.Support;

/// <summary>
/// A store as a third party writes it: it forwards only <see cref="IDealStore"/>'s abstract members to a real store and
/// keeps every default member (no idempotency-key index, no event redaction) and no other interface (no event feed).
/// Tests that watch imports override <see cref="ImportAsync"/>.
/// </summary>
public class PlainStore(IDealStore inner) : IDealStore
{
    public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default) => inner.GetAsync(dealId, cancellationToken);

    public ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default) => inner.TrySaveAsync(writes, cancellationToken);

    public ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default) =>
        inner.GetEventsAsync(dealId, afterSequence, limit, cancellationToken);

    public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

    public virtual ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default) => inner.ImportAsync(batch, cancellationToken);
}
