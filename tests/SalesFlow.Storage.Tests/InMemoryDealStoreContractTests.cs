namespace SalesFlow.Storage.Tests;

public sealed class InMemoryDealStoreContractTests : DealStoreContractTests
{
    private readonly InMemoryDealStore _store = new();

    // The in-memory "database" is the one store object: every open returns it.
    protected override Task<IDealStore> CreateStoreAsync() => Task.FromResult<IDealStore>(_store);

    protected override Task CloseAsync(IDealStore store) => Task.CompletedTask;
}
