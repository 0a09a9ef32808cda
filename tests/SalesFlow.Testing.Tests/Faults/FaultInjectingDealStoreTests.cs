using SalesFlow.Testing;

namespace SalesFlow.Testing.Tests.Faults;

public sealed class FaultInjectingDealStoreTests
{
    private static readonly Deal NewDeal = ContractDeals.NewDeal("d");

    [Fact]
    public void Members_InvalidArguments_Throw()
    {
        var store = new FaultInjectingDealStore(new InMemoryDealStore());

        FluentActions.Invoking(() => new FaultInjectingDealStore(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => store.FailAt(0, FaultTiming.BeforeInnerCall, _ => new TimeoutException())).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => store.FailAt(1, FaultTiming.BeforeInnerCall, null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => store.FailNext(DealStoreOperation.Get, FaultTiming.BeforeInnerCall, null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => store.CancelAt(0, FaultTiming.BeforeInnerCall, new CancellationTokenSource())).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => store.CancelAt(1, FaultTiming.BeforeInnerCall, null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => store.When(null!, FaultTiming.BeforeInnerCall, (_, _) => default)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => store.When(_ => true, FaultTiming.BeforeInnerCall, null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task FailAt_BeforeTheInnerCall_ThrowsAndTheInnerStoreNeverSaves()
    {
        var inner = new InMemoryDealStore();
        var store = new FaultInjectingDealStore(inner).FailAt(2, FaultTiming.BeforeInnerCall, c => new TimeoutException($"call {c.Number}"));
        await store.GetAsync("d");

        var act = async () => await store.TrySaveAsync([ContractDeals.Create(NewDeal)]);

        (await act.Should().ThrowAsync<TimeoutException>()).WithMessage("call 2");
        (await inner.GetAsync("d")).Should().BeNull();
        store.Calls.Should().Equal(new DealStoreCall(1, DealStoreOperation.Get, "d"), new DealStoreCall(2, DealStoreOperation.TrySave, "d"));
    }

    [Fact]
    public async Task FailNext_AfterTheInnerCall_TheSaveStandsAndOnlyTheNextCallFails()
    {
        var inner = new InMemoryDealStore();
        var store = new FaultInjectingDealStore(inner).FailNext(DealStoreOperation.TrySave, FaultTiming.AfterInnerCall, _ => new IOException("lost"));

        var first = async () => await store.TrySaveAsync([ContractDeals.Create(NewDeal)]);

        await first.Should().ThrowAsync<IOException>();
        (await inner.GetAsync("d")).Should().NotBeNull("the inner store saved before the fault");
        (await store.TrySaveAsync([ContractDeals.Update(NewDeal)])).Should().BeTrue("the fault came once");
    }

    [Fact]
    public async Task CancelAt_CancelsTheSourceAndThrowsForItsToken()
    {
        using var source = new CancellationTokenSource();
        var store = new FaultInjectingDealStore(new InMemoryDealStore()).CancelAt(1, FaultTiming.BeforeInnerCall, source);

        var act = async () => await store.GetEventsAsync("d", cancellationToken: source.Token);

        (await act.Should().ThrowAsync<OperationCanceledException>()).Which.CancellationToken.Should().Be(source.Token);
        source.IsCancellationRequested.Should().BeTrue();
    }

    [Fact]
    public async Task ClearFaults_RemovesEveryFaultAndKeepsCounting()
    {
        var store = new FaultInjectingDealStore(new InMemoryDealStore()).When(_ => true, FaultTiming.BeforeInnerCall, (_, _) => throw new InvalidOperationException());
        await FluentActions.Awaiting(async () => await store.QueryAsync(new DealQuery())).Should().ThrowAsync<InvalidOperationException>();

        store.ClearFaults();

        (await store.QueryAsync(new DealQuery())).Deals.Should().BeEmpty();
        store.Calls.Select(c => c.Number).Should().Equal(1, 2);
    }

    [Fact]
    public async Task FeedMembers_InnerStoreWithoutAFeed_NotSupported()
    {
        var store = new FaultInjectingDealStore(new StoreWithoutFeed());

        var act = async () => await store.ReadFeedAsync(FeedPosition.Start, 10);

        await act.Should().ThrowAsync<NotSupportedException>().WithMessage("*StoreWithoutFeed*IEventFeedStore*");
    }

    [Fact]
    public async Task Engine_OverTheWrapperWithAFailedSave_GetsTheFaultAndNothingIsStored()
    {
        var inner = new InMemoryDealStore();
        var store = new FaultInjectingDealStore(inner);
        var engine = new SalesFlowEngine(ContractPipeline.Registry(), store);
        await engine.StartAsync(ContractPipeline.Id, "d", new ContractDealData(), "alice");
        store.FailNext(DealStoreOperation.TrySave, FaultTiming.BeforeInnerCall, _ => new TimeoutException());

        var act = async () => await engine.FireAsync("d", "toggle", new FireRequest("bob"));

        await act.Should().ThrowAsync<TimeoutException>();
        (await inner.GetEventsAsync("d")).Should().ContainSingle();
    }

    private sealed class StoreWithoutFeed : IDealStore
    {
        private readonly InMemoryDealStore _inner = new();

        public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default) => _inner.GetAsync(dealId, cancellationToken);

        public ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default) => _inner.TrySaveAsync(writes, cancellationToken);

        public ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default) =>
            _inner.GetEventsAsync(dealId, afterSequence, limit, cancellationToken);

        public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default) => _inner.QueryAsync(query, cancellationToken);

        public ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default) => _inner.ImportAsync(batch, cancellationToken);
    }
}
