using FluentAssertions;
using Xunit;

namespace SalesFlow.Testing;

/// <summary>
/// The contract every <see cref="IDealStore"/> (and its <see cref="IEventFeedStore"/>) keeps, as xunit tests. Derive a
/// test class from it in your test project, create your store in <see cref="CreateStoreAsync"/> on a database of the
/// test's own, and run it: every fact here is one promise of the contract.
/// </summary>
/// <remarks>
/// <para>
/// xunit creates one instance of the class per test. Set up the test's database in <see cref="InitializeAsync"/> (or
/// the constructor) and remove it in an override of <see cref="DisposeAsync"/> that calls the base first; the base
/// disposes every store the test opened.
/// </para>
/// <para>
/// Your store must read deals of the pipelines in <see cref="Pipelines"/>; pass the registry to its constructor.
/// </para>
/// </remarks>
public abstract partial class DealStoreContractTests : IAsyncLifetime
{
    private readonly List<IDealStore> _opened = [];

    /// <summary>Gets the pipelines the contract's deals run on; the store under test must be given them.</summary>
    protected PipelineRegistry Pipelines { get; } = new(ContractPipeline.Build());

    /// <summary>
    /// Gets a value indicating whether each <see cref="CreateStoreAsync"/> call returns a new, independent store object on
    /// the test's database, as another host process would open it (new connections, no shared cache).
    /// </summary>
    /// <value>
    /// The default value is <see langword="true"/>. Return <see langword="false"/> when the store cannot open a second
    /// object on the same data (an in-memory store returns the one object): the tests that simulate a restart or a
    /// second process are then reported as skipped.
    /// </value>
    protected virtual bool CreatesIndependentStores => true;

    /// <summary>Prepares the test's database; called by xunit before each test.</summary>
    /// <returns>A task that completes when the database is ready.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Disposes every store the test opened; called by xunit after each test. Overrides call the base first.</summary>
    /// <returns>A task that completes when the stores are disposed.</returns>
    public virtual async Task DisposeAsync()
    {
        foreach (var store in _opened.Distinct())
        {
            await DisposeStoreAsync(store);
        }

        _opened.Clear();
    }

    /// <summary>
    /// Creates a store object on this test's database: the first call sees an empty database; every later call opens the
    /// same data again (see <see cref="CreatesIndependentStores"/>).
    /// </summary>
    /// <returns>The store. It must implement <see cref="IEventFeedStore"/> too; the test disposes it when it ends.</returns>
    protected abstract Task<IDealStore> CreateStoreAsync();

    /// <summary>Opens a store object on this test's database and keeps it to dispose when the test ends.</summary>
    /// <returns>The store.</returns>
    protected async Task<IDealStore> OpenStoreAsync()
    {
        var store = await CreateStoreAsync();
        store.Should().NotBeNull("CreateStoreAsync must return a store");
        _opened.Add(store);
        return store;
    }

    /// <summary>Closes a store as a host does at shutdown: disposes it now (no-op for a store that is not disposable).</summary>
    /// <param name="store">A store from <see cref="OpenStoreAsync"/>.</param>
    /// <returns>A task that completes when the store is closed.</returns>
    protected async Task CloseAsync(IDealStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (CreatesIndependentStores && _opened.Remove(store))
        {
            await DisposeStoreAsync(store);
        }
    }

    private static async Task DisposeStoreAsync(IDealStore store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    private async Task<(IDealStore Deals, IEventFeedStore Feed)> OpenFeedStoreAsync()
    {
        var store = await OpenStoreAsync();
        store.Should().BeAssignableTo<IEventFeedStore>("every store keeps the event feed (IEventFeedStore) as part of the contract");
        return (store, (IEventFeedStore)store);
    }

    private void RequireIndependentStores()
    {
        if (!CreatesIndependentStores)
        {
            throw new StoreContractSkipException(
                $"{GetType().Name} cannot open a second store object on one database (CreatesIndependentStores is false), which this test needs to simulate a restart or another process.");
        }
    }
}
