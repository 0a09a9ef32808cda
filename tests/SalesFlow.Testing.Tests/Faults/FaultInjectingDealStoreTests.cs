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

    [Fact]
    public async Task ForTenant_TenantWrapper_WrapsTheInnerTenantStoreAndSharesTheCallNumbering()
    {
        var inner = new InMemoryDealStore();
        var store = new FaultInjectingDealStore(inner).FailAt(3, FaultTiming.BeforeInnerCall, c => new TimeoutException($"call {c.Number} of {c.TenantId}"));
        var tenantA = store.ForTenant("a");
        await store.GetAsync("d");
        await tenantA.TrySaveAsync([ContractDeals.Create(NewDeal with { TenantId = "a" })]);

        var act = async () => await tenantA.GetEventsAsync("d");

        (await act.Should().ThrowAsync<TimeoutException>()).WithMessage("call 3 of a", "a fault added on the host's wrapper numbers the tenants' calls too");
        store.TenantId.Should().Be(Tenants.Default);
        tenantA.TenantId.Should().Be("a");
        tenantA.Inner.Should().BeSameAs(inner.ForTenant("a"));
        store.ForTenant("a").Should().BeSameAs(tenantA, "one wrapper per tenant");
        tenantA.ForTenant("a").Should().BeSameAs(tenantA);
        store.ForTenant(Tenants.Default).Should().BeSameAs(store);
        (await inner.ForTenant("a").GetAsync("d")).Should().NotBeNull("the tenant wrapper saved into the inner store's tenant");
        (await inner.GetAsync("d")).Should().BeNull("not into the default tenant");
        store.Calls.Should().Equal(
            new DealStoreCall(1, DealStoreOperation.Get, "d"),
            new DealStoreCall(2, DealStoreOperation.TrySave, "d") { TenantId = "a" },
            new DealStoreCall(3, DealStoreOperation.GetEvents, "d") { TenantId = "a" });
        tenantA.Calls.Should().Equal(store.Calls, "the wrappers share one list of calls");
    }

    [Fact]
    public async Task When_MatchingOneTenant_FaultsOnlyThatTenantsCalls()
    {
        var inner = new InMemoryDealStore();
        var store = new FaultInjectingDealStore(inner);
        var tenantA = store.ForTenant("a");
        var tenantB = store.ForTenant("b");
        tenantB.When(c => c.TenantId == "b" && c.Operation == DealStoreOperation.TrySave, FaultTiming.BeforeInnerCall, (_, _) => throw new IOException("b's database is down"));

        (await tenantA.TrySaveAsync([ContractDeals.Create(NewDeal with { TenantId = "a" })])).Should().BeTrue();
        var saveB = async () => await tenantB.TrySaveAsync([ContractDeals.Create(NewDeal with { TenantId = "b" })]);

        await saveB.Should().ThrowAsync<IOException>();
        (await inner.ForTenant("a").GetAsync("d")).Should().NotBeNull();
        (await inner.ForTenant("b").GetAsync("d")).Should().BeNull();
        store.ClearFaults();
        (await tenantB.TrySaveAsync([ContractDeals.Create(NewDeal with { TenantId = "b" })])).Should().BeTrue("clearing on one wrapper clears the shared plan");
    }

    [Fact]
    public void ForTenant_RefusedByTheInnerStore_ThrowsAsItDoes()
    {
        var store = new FaultInjectingDealStore(new InMemoryDealStore());
        var tenantA = store.ForTenant("a");

        tenantA.Invoking(s => s.ForTenant("b")).Should().Throw<InvalidOperationException>("a tenant's store opens no other tenant");
        store.Invoking(s => s.ForTenant(" a")).Should().Throw<ArgumentException>();
        store.Invoking(s => s.ForTenant(new string('x', Tenants.MaxIdLength + 1))).Should().Throw<ArgumentException>();
        store.Invoking(s => s.ForTenant(null!)).Should().Throw<ArgumentNullException>();
        new FaultInjectingDealStore(new StoreWithoutFeed()).Invoking(s => s.ForTenant("a")).Should().Throw<NotSupportedException>("the inner store keeps no tenants");
        store.Calls.Should().BeEmpty("opening a tenant calls no store member");
    }

    [Fact]
    public void SupportsEventRedaction_InnerStore_IsPassedOn()
    {
        new FaultInjectingDealStore(new InMemoryDealStore()).SupportsEventRedaction.Should().BeTrue();
        ((IDealStore)new FaultInjectingDealStore(new InMemoryDealStore()).ForTenant("a")).SupportsEventRedaction.Should().BeTrue();
        new FaultInjectingDealStore(new StoreWithoutFeed()).SupportsEventRedaction.Should().BeFalse();
    }

    [Fact]
    public async Task Engine_ForTenantOverTheWrapper_RunsOnTheTenantWrapper()
    {
        var inner = new InMemoryDealStore();
        var store = new FaultInjectingDealStore(inner);
        var engine = new SalesFlowEngine(ContractPipeline.Registry(), store).ForTenant("a");

        var deal = await engine.StartAsync(ContractPipeline.Id, "d", new ContractDealData(), "alice");

        engine.Store.Should().BeSameAs(store.ForTenant("a"));
        deal.TenantId.Should().Be("a");
        (await inner.ForTenant("a").GetAsync("d")).Should().NotBeNull();
        store.Calls.Should().NotBeEmpty().And.OnlyContain(c => c.TenantId == "a");
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
