namespace SalesFlow.Storage.Tests.Support;

/// <summary>The single-deal save the store tests write most: one <see cref="DealWrite"/>.</summary>
public static class DealStoreSaveExtensions
{
    public static ValueTask<bool> TrySaveAsync(this IDealStore store, Deal deal, long expectedVersion, IReadOnlyList<DealEvent> events, CancellationToken cancellationToken = default) =>
        store.TrySaveAsync([new DealWrite(deal, expectedVersion, events)], cancellationToken);
}
