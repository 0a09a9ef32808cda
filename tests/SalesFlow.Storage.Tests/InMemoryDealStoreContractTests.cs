using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests;

public sealed class InMemoryDealStoreContractTests : DealStoreContractTests
{
    private readonly InMemoryDealStore _store = new();

    // The in-memory "database" is the one store object: every open returns it.
    protected override bool CreatesIndependentStores => false;

    protected override Task<IDealStore> CreateStoreAsync() => Task.FromResult<IDealStore>(_store);
}
