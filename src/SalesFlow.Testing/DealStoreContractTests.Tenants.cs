using FluentAssertions;

namespace SalesFlow.Testing;

/// <content>
/// Tenants: each tenant's store object (<see cref="IDealStore.ForTenant"/>) reads and writes only that tenant's deals,
/// events, feed, checkpoints and leases; an id that exists in another tenant is simply not found.
/// </content>
public abstract partial class DealStoreContractTests
{
    private const string TenantA = "tenant-a";
    private const string TenantB = "tenant-b";

    // A third tenant whose id holds quotes, a semicolon and non-ASCII letters: stored and compared verbatim.
    private const string TenantC = "t'ç\"; --3";

    /// <summary>
    /// Gets a value indicating whether the store keeps tenants: <see cref="IDealStore.ForTenant"/> opens the store object
    /// of any tenant on the same storage, and each tenant's deals, events, feed, checkpoints and leases are its own.
    /// </summary>
    /// <value>
    /// The default value is <see langword="true"/>: the SalesFlow stores keep tenants, and the tenant tests fail when a
    /// store does not. Return <see langword="false"/> for a store that serves only the default tenant (one that keeps the
    /// default <see cref="IDealStore.ForTenant"/>): the tenant tests are then reported as skipped.
    /// </value>
    protected virtual bool KeepsTenants => true;

    /// <summary>The same deal id saved in two tenants makes two independent deals: versions, histories, data, keys.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ForTenant_SameDealIdInTwoTenants_KeepsTwoIndependentDeals()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        var a = store.ForTenant(TenantA);
        var b = store.ForTenant(TenantB);
        var inA = TenantDeal(TenantA, "shared") with { Data = new ContractDealData { Customer = "customer of a", Counter = 1 } };
        var inB = TenantDeal(TenantB, "shared", stage: "working") with { Data = new ContractDealData { Customer = "customer of b", Counter = 2 } };
        (await a.TrySaveAsync([new DealWrite(inA, 0, [ContractDeals.Started(inA, "a1") with { IdempotencyKey = "start-a" }])])).Should().BeTrue();
        (await b.TrySaveAsync([new DealWrite(inB, 0, [ContractDeals.Started(inB, "b1") with { IdempotencyKey = "start-b" }])])).Should().BeTrue("the id is taken in tenant A only");
        var (b2, e2) = ContractDeals.Next(inB, "b2");
        (await b.TrySaveAsync([new DealWrite(b2, 1, [e2 with { IdempotencyKey = "same-key" }])])).Should().BeTrue();
        var (b3, e3) = ContractDeals.Next(b2, "b3");
        (await b.TrySaveAsync([new DealWrite(b3, 2, [e3])])).Should().BeTrue();
        var (a2, ea2) = ContractDeals.Next(inA, "a2");
        (await a.TrySaveAsync([new DealWrite(a2, 1, [ea2 with { IdempotencyKey = "same-key" }])])).Should().BeTrue("B's deal holding the key does not make it A's");

        var reopened = await OpenStoreAsync();
        var readA = reopened.ForTenant(TenantA);
        var readB = reopened.ForTenant(TenantB);
        var dealA = (await readA.GetAsync("shared"))!;
        var dealB = (await readB.GetAsync("shared"))!;
        dealA.Should().BeEquivalentTo(a2);
        dealB.Should().BeEquivalentTo(b3);
        dealA.TenantId.Should().Be(TenantA);
        dealB.TenantId.Should().Be(TenantB);
        dealA.Version.Should().Be(2);
        dealB.Version.Should().Be(3);
        dealA.DataAs<ContractDealData>().Customer.Should().Be("customer of a");
        dealB.DataAs<ContractDealData>().Customer.Should().Be("customer of b");
        (await readA.GetEventsAsync("shared")).Select(e => e.Note).Should().Equal("a1", "a2");
        (await readB.GetEventsAsync("shared")).Select(e => e.Note).Should().Equal("b1", "b2", "b3");
        (await readB.GetEventsAsync("shared", afterSequence: 1, limit: 1)).Select(e => e.Note).Should().Equal("b2");
        (await readA.FindByIdempotencyKeyAsync("shared", "start-a"))!.Note.Should().Be("a1");
        (await readA.FindByIdempotencyKeyAsync("shared", "start-b")).Should().BeNull("B's key is on B's deal");
        (await readB.FindByIdempotencyKeyAsync("shared", "start-b"))!.Note.Should().Be("b1");
        (await readB.FindByIdempotencyKeyAsync("shared", "start-a")).Should().BeNull("A's key is on A's deal");
        (await readA.FindByIdempotencyKeyAsync("shared", "same-key"))!.Note.Should().Be("a2");
        (await readB.FindByIdempotencyKeyAsync("shared", "same-key"))!.Note.Should().Be("b2");
        (await readA.QueryAsync(new DealQuery())).Deals.Should().ContainSingle().Which.Should().BeEquivalentTo(a2);
        (await readB.QueryAsync(new DealQuery { StageId = "working" })).Deals.Should().ContainSingle().Which.Version.Should().Be(3);
        (await readA.QueryAsync(new DealQuery { StageId = "working" })).Deals.Should().BeEmpty("A's deal is open; only B's is working");
        (await reopened.GetAsync("shared")).Should().BeNull("neither deal is the default tenant's");
        (await reopened.QueryAsync(new DealQuery())).Deals.Should().BeEmpty();
    }

    /// <summary>A deal that exists only in tenant B is not found through A by any read, cannot be updated through A, and can be created in A.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ForTenant_DealOnlyInAnotherTenant_IsNotFoundAndCanBeCreated()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        var a = store.ForTenant(TenantA);
        var b = store.ForTenant(TenantB);
        var onlyB = TenantDeal(TenantB, "only-b");
        (await b.TrySaveAsync([new DealWrite(onlyB, 0, [ContractDeals.Started(onlyB, "b's") with { IdempotencyKey = "k" }])])).Should().BeTrue();
        (await a.TrySaveAsync([ContractDeals.Create(TenantDeal(TenantA, "a-deal"))])).Should().BeTrue();

        (await a.GetAsync("only-b")).Should().BeNull();
        (await a.GetEventsAsync("only-b")).Should().BeEmpty();
        (await a.FindByIdempotencyKeyAsync("only-b", "k")).Should().BeNull();
        (await a.QueryAsync(new DealQuery { PipelineId = ContractPipeline.Id })).Deals.Select(d => d.Id).Should().Equal("a-deal");
        (await a.TrySaveAsync([ContractDeals.Update(onlyB with { TenantId = TenantA }, "through a")])).Should().BeFalse("A has no deal 'only-b' to update");

        var created = TenantDeal(TenantA, "only-b", stage: "working");
        (await a.TrySaveAsync([ContractDeals.Create(created, "a's")])).Should().BeTrue("the id is free in tenant A");

        (await a.GetAsync("only-b"))!.StageId.Should().Be("working");
        (await a.GetEventsAsync("only-b")).Select(e => e.Note).Should().Equal("a's");
        var keptB = (await (await OpenStoreAsync()).ForTenant(TenantB).GetAsync("only-b"))!;
        keptB.Should().BeEquivalentTo(onlyB);
        (await b.GetEventsAsync("only-b")).Select(e => e.Note).Should().Equal("b's");
    }

    /// <summary>Optimistic concurrency is per tenant: a stale version in A is a conflict there and leaves B's deal of the same id alone.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_StaleVersionInOneTenant_ConflictThereAndTheOtherTenantsDealUntouched()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        var a = store.ForTenant(TenantA);
        var b = store.ForTenant(TenantB);
        var inA = TenantDeal(TenantA, "race");
        var inB = TenantDeal(TenantB, "race");
        await a.TrySaveAsync([ContractDeals.Create(inA, "a1")]);
        await b.TrySaveAsync([ContractDeals.Create(inB, "b1")]);
        var (b2, e2) = ContractDeals.Next(inB, "b2");
        (await b.TrySaveAsync([new DealWrite(b2, 1, [e2])])).Should().BeTrue();
        var (b3, e3) = ContractDeals.Next(b2, "b3");
        (await b.TrySaveAsync([new DealWrite(b3, 2, [e3])])).Should().BeTrue();

        var (a2, ea2) = ContractDeals.Next(inA, "a at b's version");
        (await a.TrySaveAsync([new DealWrite(a2 with { Version = 4 }, 3, [ea2])])).Should().BeFalse("version 3 is B's deal's version, not A's");
        (await a.TrySaveAsync([ContractDeals.Update(inA, "a2")])).Should().BeTrue("A's deal is at version 1");
        (await a.TrySaveAsync([ContractDeals.Update(inA, "a stale")])).Should().BeFalse("A's deal moved on to version 2");
        (await b.TrySaveAsync([ContractDeals.Update(inB, "b stale")])).Should().BeFalse("B's deal is at version 3");

        var reopened = await OpenStoreAsync();
        (await reopened.ForTenant(TenantA).GetAsync("race"))!.Version.Should().Be(2);
        (await reopened.ForTenant(TenantA).GetEventsAsync("race")).Select(e => e.Note).Should().Equal("a1", "a2");
        (await reopened.ForTenant(TenantB).GetAsync("race")).Should().BeEquivalentTo(b3);
        (await reopened.ForTenant(TenantB).GetEventsAsync("race")).Select(e => e.Note).Should().Equal("b1", "b2", "b3");
    }

    /// <summary>A save of a deal that belongs to another tenant is refused with an ArgumentException, and nothing of the save is stored.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_DealOfAnotherTenant_ThrowsArgumentExceptionAndSavesNothing()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        var a = store.ForTenant(TenantA);
        var b = store.ForTenant(TenantB);
        var existing = TenantDeal(TenantA, "existing");
        await a.TrySaveAsync([ContractDeals.Create(existing, "kept")]);

        var createB = async () => await a.TrySaveAsync([ContractDeals.Create(TenantDeal(TenantB, "stray"))]);
        var updateAsB = async () => await a.TrySaveAsync([ContractDeals.Update(existing with { TenantId = TenantB }, "as b")]);
        var mixed = async () => await a.TrySaveAsync([ContractDeals.Update(existing, "mine"), ContractDeals.Create(TenantDeal(TenantB, "stray-2"))]);
        var defaultIntoA = async () => await a.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal("default-deal"))]);
        var aIntoDefault = async () => await store.TrySaveAsync([ContractDeals.Create(TenantDeal(TenantA, "a-deal"))]);

        await createB.Should().ThrowAsync<ArgumentException>();
        await updateAsB.Should().ThrowAsync<ArgumentException>();
        await mixed.Should().ThrowAsync<ArgumentException>();
        await defaultIntoA.Should().ThrowAsync<ArgumentException>("a deal of the default tenant belongs in the default tenant's store");
        await aIntoDefault.Should().ThrowAsync<ArgumentException>("the default tenant's store writes only the default tenant's deals");
        var reopened = await OpenStoreAsync();
        foreach (var tenant in new[] { reopened, reopened.ForTenant(TenantA), reopened.ForTenant(TenantB) })
        {
            (await tenant.GetAsync("stray")).Should().BeNull();
            (await tenant.GetAsync("stray-2")).Should().BeNull();
            (await tenant.GetAsync("default-deal")).Should().BeNull();
            (await tenant.GetAsync("a-deal")).Should().BeNull();
        }

        (await reopened.ForTenant(TenantA).GetAsync("existing"))!.Version.Should().Be(1);
        (await reopened.ForTenant(TenantA).GetEventsAsync("existing")).Select(e => e.Note).Should().Equal("kept");
        (await reopened.ForTenant(TenantB).QueryAsync(new DealQuery())).Deals.Should().BeEmpty();
        (await b.GetEventsAsync("existing")).Should().BeEmpty();
    }

    /// <summary>An import holding a deal of another tenant is refused whole with a DealImportException naming the deal, and nothing is imported.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ImportAsync_DealOfAnotherTenant_ThrowsDealImportExceptionAndImportsNothing()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        var a = store.ForTenant(TenantA);
        var batch = new[] { TenantImport(TenantA, "imp-a", 2), TenantImport(TenantB, "imp-b", 3), TenantImport(TenantA, "imp-a2", 1) };

        var act = async () => await a.ImportAsync(batch);
        var defaultsIntoA = async () => await a.ImportAsync([ContractDeals.Imported("imp-default", 1)]);

        (await act.Should().ThrowAsync<DealImportException>()).Which.Problems.Should().ContainSingle().Which.Should().Contain("imp-b");
        await defaultsIntoA.Should().ThrowAsync<DealImportException>();
        var reopened = await OpenStoreAsync();
        foreach (var tenant in new[] { reopened, reopened.ForTenant(TenantA), reopened.ForTenant(TenantB) })
        {
            (await tenant.QueryAsync(new DealQuery())).Deals.Should().BeEmpty();
            (await tenant.GetEventsAsync("imp-a")).Should().BeEmpty();
            (await tenant.GetEventsAsync("imp-b")).Should().BeEmpty();
        }
    }

    /// <summary>A save of several deals (a referral) in one tenant is atomic there and invisible to the other tenant, which can do the same with the same ids.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_SeveralDealsInOneTenant_SavedTogetherInThatTenantOnly()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        var a = store.ForTenant(TenantA);
        var b = store.ForTenant(TenantB);
        var referrerA = TenantDeal(TenantA, "referrer");
        var referrerB = TenantDeal(TenantB, "referrer");
        await a.TrySaveAsync([ContractDeals.Create(referrerA, "a")]);
        await b.TrySaveAsync([ContractDeals.Create(referrerB, "b")]);

        (await a.TrySaveAsync([ContractDeals.Update(referrerA, "referred a"), ContractDeals.Create(TenantDeal(TenantA, "referred"), "from a")])).Should().BeTrue();
        (await b.GetAsync("referred")).Should().BeNull("A's referral is A's");
        (await b.GetAsync("referrer"))!.Version.Should().Be(1);

        var conflicting = await b.TrySaveAsync([ContractDeals.Update(referrerB, "referred b"), ContractDeals.Create(TenantDeal(TenantB, "referred", stage: "working"), "from b"), ContractDeals.Update(TenantDeal(TenantB, "missing"))]);
        conflicting.Should().BeFalse("B has no deal 'missing' to update, so the whole save is refused");
        (await b.GetAsync("referred")).Should().BeNull();
        (await b.GetAsync("referrer"))!.Version.Should().Be(1);

        (await b.TrySaveAsync([ContractDeals.Update(referrerB, "referred b"), ContractDeals.Create(TenantDeal(TenantB, "referred", stage: "working"), "from b")])).Should().BeTrue("the ids are free in tenant B");

        var reopened = await OpenStoreAsync();
        var readA = reopened.ForTenant(TenantA);
        var readB = reopened.ForTenant(TenantB);
        (await readA.GetAsync("referred"))!.StageId.Should().Be("open");
        (await readB.GetAsync("referred"))!.StageId.Should().Be("working");
        (await readA.GetEventsAsync("referrer")).Select(e => e.Note).Should().Equal("a", "referred a");
        (await readB.GetEventsAsync("referrer")).Select(e => e.Note).Should().Equal("b", "referred b");
        (await readA.GetEventsAsync("referred")).Select(e => e.Note).Should().Equal("from a");
        (await readB.GetEventsAsync("referred")).Select(e => e.Note).Should().Equal("from b");
    }

    /// <summary>Imports are per tenant: the same ids import into two tenants; an id that exists in the same tenant is refused whole.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ImportAsync_SameIdsInTwoTenants_BothImportAndAnIdTakenInTheSameTenantIsRefused()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        var a = store.ForTenant(TenantA);
        var b = store.ForTenant(TenantB);
        var batchA = Enumerable.Range(0, 5).Select(i => TenantImport(TenantA, $"imp-{i}", 1 + (i % 3))).ToList();
        var batchB = Enumerable.Range(0, 5).Select(i => TenantImport(TenantB, $"imp-{i}", 2 + (i % 2))).ToList();

        await a.ImportAsync(batchA);
        await b.ImportAsync(batchB);
        var again = async () => await a.ImportAsync([TenantImport(TenantA, "imp-new", 1), TenantImport(TenantA, "imp-3", 2)]);

        (await again.Should().ThrowAsync<DealImportException>()).Which.Problems.Should().ContainSingle().Which.Should().Contain("imp-3");
        var reopened = await OpenStoreAsync();
        var readA = reopened.ForTenant(TenantA);
        var readB = reopened.ForTenant(TenantB);
        (await readA.GetAsync("imp-new")).Should().BeNull("the refused batch is refused whole");
        for (var i = 0; i < 5; i++)
        {
            (await readA.GetAsync($"imp-{i}")).Should().BeEquivalentTo(batchA[i].Deal);
            (await readB.GetAsync($"imp-{i}")).Should().BeEquivalentTo(batchB[i].Deal);
            (await readA.GetEventsAsync($"imp-{i}")).Should().BeEquivalentTo(batchA[i].Events, o => o.WithStrictOrdering());
            (await readB.GetEventsAsync($"imp-{i}")).Should().BeEquivalentTo(batchB[i].Events, o => o.WithStrictOrdering());
        }

        (await readA.QueryAsync(new DealQuery())).Deals.Should().HaveCount(5).And.OnlyContain(d => d.TenantId == TenantA);
        (await readB.QueryAsync(new DealQuery())).Deals.Should().HaveCount(5).And.OnlyContain(d => d.TenantId == TenantB);
        (await reopened.QueryAsync(new DealQuery())).Deals.Should().BeEmpty();
    }

    /// <summary>Queries page through one tenant's deals only, whatever the other tenant holds between its ids, and filter within the tenant.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task QueryAsync_PagesAndFiltersInOneTenant_NeverListAnotherTenantsDeals()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        var a = store.ForTenant(TenantA);
        var b = store.ForTenant(TenantB);
        var due = ContractDeals.T0.AddDays(1);
        for (var i = 0; i < 20; i++)
        {
            var (tenant, view) = i % 2 == 0 ? (TenantA, a) : (TenantB, b);
            var deal = TenantDeal(tenant, $"q-{i:D2}") with { NextFollowUpAt = i % 5 == 0 ? due : null };
            (await view.TrySaveAsync([ContractDeals.Create(deal)])).Should().BeTrue();
        }

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await a.QueryAsync(new DealQuery { PipelineId = ContractPipeline.Id, AfterDealId = after, Limit = 3 });
            page.Deals.Should().OnlyContain(d => d.TenantId == TenantA);
            seen.AddRange(page.Deals.Select(d => d.Id));
            after = page.NextAfterDealId;
            pages++;
        }
        while (after is not null && pages < 10);

        seen.Should().Equal(Enumerable.Range(0, 10).Select(i => $"q-{i * 2:D2}"));
        pages.Should().Be(4, "ten deals fill four pages of three");
        (await a.QueryAsync(new DealQuery { FollowUpDueAtOrBefore = due })).Deals.Select(d => d.Id).Should().Equal("q-00", "q-10");
        (await b.QueryAsync(new DealQuery { FollowUpDueAtOrBefore = due })).Deals.Select(d => d.Id).Should().Equal("q-05", "q-15");
        (await b.QueryAsync(new DealQuery { AfterDealId = "q-14", Limit = 100 })).Deals.Select(d => d.Id).Should().Equal("q-15", "q-17", "q-19");
    }

    /// <summary>Each tenant's feed returns its own events only, in commit order; the default tenant's feed holds none of them.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ReadFeedAsync_TwoTenants_EachReadsOnlyItsOwnEventsInCommitOrder()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        var a = store.ForTenant(TenantA);
        var b = store.ForTenant(TenantB);
        var dealA = TenantDeal(TenantA, "d");
        var dealB = TenantDeal(TenantB, "d");
        await a.TrySaveAsync([ContractDeals.Create(dealA, "a1")]);
        await b.TrySaveAsync([ContractDeals.Create(dealB, "b1")]);
        await b.TrySaveAsync([ContractDeals.Create(TenantDeal(TenantB, "e"), "b2")]);
        await a.TrySaveAsync([ContractDeals.Update(dealA, "a2")]);
        await b.TrySaveAsync([ContractDeals.Update(dealB, "b3")]);
        await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal("d"), "default1")]);
        await a.ImportAsync([TenantImport(TenantA, "imported", 2)]);

        var reopened = await OpenStoreAsync();
        var feedA = await FeedOf(reopened.ForTenant(TenantA)).ReadFeedAsync(FeedPosition.Start, 100);
        var feedB = await FeedOf(reopened.ForTenant(TenantB)).ReadFeedAsync(FeedPosition.Start, 100);
        var feedDefault = await FeedOf(reopened).ReadFeedAsync(FeedPosition.Start, 100);

        feedA.Select(e => e.Event.Note).Should().Equal("a1", "a2", null, "n1");
        feedA.Select(e => e.Event.DealId).Should().Equal("d", "d", "imported", "imported");
        feedA.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        feedB.Select(e => e.Event.Note).Should().Equal("b1", "b2", "b3");
        feedB.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        feedDefault.Select(e => e.Event.Note).Should().Equal("default1");
        var afterFirstB = await FeedOf(reopened.ForTenant(TenantB)).ReadFeedAsync(feedB[0].Position, 100);
        afterFirstB.Select(e => e.Event.Note).Should().Equal("b2", "b3");
        var afterFirstA = await FeedOf(reopened.ForTenant(TenantA)).ReadFeedAsync(feedA[0].Position, 1);
        afterFirstA.Should().ContainSingle().Which.Event.Note.Should().Be("a2");
    }

    /// <summary>A handler name's lease and checkpoint are per tenant: A's lease does not keep B's handler of the same name out, and A's checkpoint is not B's.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TryAcquireLeaseAsync_SameHandlerNameInTwoTenants_LeasesAndCheckpointsAreTheirOwn()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        var a = FeedOf(store.ForTenant(TenantA));
        var b = FeedOf(store.ForTenant(TenantB));
        var host = FeedOf(store);

        (await a.TryAcquireLeaseAsync(Handler, OwnerA, LongLease)).Should().BeTrue();
        (await b.TryAcquireLeaseAsync(Handler, OwnerB, LongLease)).Should().BeTrue("A's lease is A's handler's only");
        (await host.TryAcquireLeaseAsync(Handler, OwnerB, LongLease)).Should().BeTrue("the default tenant's handler is another handler too");
        (await a.TryAcquireLeaseAsync(Handler, OwnerB, LongLease)).Should().BeFalse("OwnerB holds B's lease, not A's");
        (await a.TrySaveCheckpointAsync(Handler, OwnerA, new FeedPosition(7, 0))).Should().BeTrue();
        (await b.TrySaveCheckpointAsync(Handler, OwnerA, new FeedPosition(9, 0))).Should().BeFalse("OwnerA holds A's lease, not B's");
        (await b.TrySaveCheckpointAsync(Handler, OwnerB, new FeedPosition(3, 0))).Should().BeTrue();

        var reopened = await OpenStoreAsync();
        (await FeedOf(reopened.ForTenant(TenantA)).GetCheckpointAsync(Handler)).Should().Be(new FeedPosition(7, 0));
        (await FeedOf(reopened.ForTenant(TenantB)).GetCheckpointAsync(Handler)).Should().Be(new FeedPosition(3, 0));
        (await FeedOf(reopened).GetCheckpointAsync(Handler)).Should().Be(FeedPosition.Start);
        (await FeedOf(reopened.ForTenant(TenantC)).GetCheckpointAsync(Handler)).Should().Be(FeedPosition.Start);

        await b.ReleaseLeaseAsync(Handler, OwnerA);
        (await b.TryAcquireLeaseAsync(Handler, OwnerA, LongLease)).Should().BeFalse("releasing as A's owner does not release B's lease");
        await a.ReleaseLeaseAsync(Handler, OwnerA);
        (await a.TryAcquireLeaseAsync(Handler, OwnerB, LongLease)).Should().BeTrue("A's lease was released");
        (await b.TrySaveCheckpointAsync(Handler, OwnerB, new FeedPosition(4, 0))).Should().BeTrue("B's lease is still OwnerB's");
    }

    /// <summary>A redacting save in one tenant rewrites only that tenant's events, not those of the same deal id in another tenant.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_RedactedEventsInOneTenant_RewritesOnlyThatTenantsEvents()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        var a = store.ForTenant(TenantA);
        var b = store.ForTenant(TenantB);
        var dealA = TenantDeal(TenantA, "person");
        var dealB = TenantDeal(TenantB, "person");
        var startedA = ContractDeals.Started(dealA, "met Jane Roe") with { Properties = ContractDeals.Properties(("email", "jane@example.test")) };
        var startedB = ContractDeals.Started(dealB, "met Jane Roe") with { Properties = ContractDeals.Properties(("email", "jane@example.test")) };
        await a.TrySaveAsync([new DealWrite(dealA, 0, [startedA])]);
        await b.TrySaveAsync([new DealWrite(dealB, 0, [startedB])]);
        var (next, erasure) = ContractDeals.Next(dealA, null);
        var redacted = startedA with { Note = null, Properties = ContractDeals.Properties(("email", "[erased]")) };

        (await a.TrySaveAsync([new DealWrite(next, 1, [erasure]) { RedactedEvents = [redacted] }])).Should().BeTrue();

        var reopened = await OpenStoreAsync();
        var eventsA = await reopened.ForTenant(TenantA).GetEventsAsync("person");
        var eventsB = await reopened.ForTenant(TenantB).GetEventsAsync("person");
        eventsA.Should().HaveCount(2);
        eventsA[0].Should().BeEquivalentTo(redacted);
        eventsB.Should().ContainSingle().Which.Should().BeEquivalentTo(startedB, "B's event of the same deal id and sequence is B's");
        (await reopened.ForTenant(TenantB).GetAsync("person"))!.Version.Should().Be(1);
        var feedB = await FeedOf(reopened.ForTenant(TenantB)).ReadFeedAsync(FeedPosition.Start, 10);
        feedB.Should().ContainSingle().Which.Event.Note.Should().Be("met Jane Roe");
    }

    /// <summary>
    /// Engines of two tenants, on separate store objects, run the same deal id end to end — keyed start and move, activity,
    /// erasure, racing activities — and each sees and changes only its own deal.
    /// </summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Engine_TwoTenantsOnSeparateStoreObjects_EachRunsOnlyItsOwnDeals()
    {
        RequireTenants();
        var engineA = new SalesFlowEngine(Pipelines, await OpenStoreAsync()).ForTenant(TenantA);
        var engineB = new SalesFlowEngine(Pipelines, await OpenStoreAsync()).ForTenant(TenantB);
        await engineA.StartAsync(ContractPipeline.Id, "deal", new ContractDealData { Customer = "Jane Roe" }, new StartRequest("alice") { IdempotencyKey = "start" });
        await engineB.StartAsync(ContractPipeline.Id, "deal", new ContractDealData { Customer = "Jane Roe" }, new StartRequest("bob") { IdempotencyKey = "start" });
        await engineB.StartAsync(ContractPipeline.Id, "only-b", new ContractDealData(), "bob");

        var movedA = await engineA.FireAsync("deal", "toggle", new FireRequest("alice") { IdempotencyKey = "move" });
        var repeatedA = await engineA.FireAsync("deal", "toggle", new FireRequest("alice") { IdempotencyKey = "move" });
        var lostB = await engineB.FireAsync("deal", "lose", new FireRequest("bob") { Reason = "no budget", IdempotencyKey = "move" });
        await engineA.RecordActivityAsync("deal", new ActivityRequest("alice") { Note = "called Jane Roe" });
        await engineB.RecordActivityAsync("deal", new ActivityRequest("bob") { Note = "called Jane Roe" });
        await engineA.ErasePersonalDataAsync("deal", new ErasureRequest("dpo") { AdditionalValues = ["Jane Roe"] });

        (movedA.Status, movedA.Repeated, repeatedA.Repeated).Should().Be((FireStatus.Accepted, false, true));
        (lostB.Status, lostB.Repeated).Should().Be((FireStatus.Accepted, false), "A's key is not B's");
        await FluentActions.Awaiting(async () => await engineA.GetAsync("only-b")).Should().ThrowAsync<DealNotFoundException>();
        var historyA = await engineA.GetHistoryAsync("deal");
        var historyB = await engineB.GetHistoryAsync("deal");
        historyA.Select(e => e.Note).Should().NotContain(n => n != null && n.Contains("Jane Roe", StringComparison.Ordinal), "A's deal was erased");
        historyB.Select(e => e.Note).Should().Contain("called Jane Roe", "B's deal of the same id was not");
        (await engineB.GetAsync("deal")).StageId.Should().Be("lost");
        (await engineA.GetAsync("deal")).StageId.Should().Be("working");

        var versionA = (await engineA.GetAsync("deal")).Version;
        var versionB = (await engineB.GetAsync("deal")).Version;
        var options = new SalesFlowEngineOptions { ConflictRetryCount = SalesFlowEngineOptions.MaxConflictRetryCount };
        var racers = new List<SalesFlowEngine>();
        foreach (var tenant in new[] { TenantA, TenantB, TenantA, TenantB })
        {
            racers.Add(new SalesFlowEngine(Pipelines, await OpenStoreAsync(), options).ForTenant(tenant));
        }

        await Task.WhenAll(racers.Select(engine => Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                await engine.RecordActivityAsync("deal", new ActivityRequest("racer") { Note = engine.TenantId });
            }
        })));

        var finalA = await engineA.GetHistoryAsync("deal");
        var finalB = await engineB.GetHistoryAsync("deal");
        (await engineA.GetAsync("deal")).Version.Should().Be(versionA + 10, "A's ten racing activities are all in A's deal");
        (await engineB.GetAsync("deal")).Version.Should().Be(versionB + 10);
        finalA.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, finalA.Count).Select(i => (long)i), "A's history is gapless");
        finalB.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, finalB.Count).Select(i => (long)i));
        finalA.Where(e => e.Actor == "racer").Should().HaveCount(10).And.OnlyContain(e => e.Note == TenantA);
        finalB.Where(e => e.Actor == "racer").Should().HaveCount(10).And.OnlyContain(e => e.Note == TenantB);
    }

    /// <summary>ForTenant of a store's own tenant returns that store object; the host's store opens its default tenant as itself.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ForTenant_OwnTenant_ReturnsTheSameObject()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        var a = store.ForTenant(TenantA);

        store.ForTenant(Tenants.Default).Should().BeSameAs(store);
        a.ForTenant(TenantA).Should().BeSameAs(a);
        a.TenantId.Should().Be(TenantA);
        store.ForTenant(TenantC).TenantId.Should().Be(TenantC);
    }

    /// <summary>A tenant's store object opens no other tenant (not even the default one): an InvalidOperationException.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ForTenant_OnATenantsStore_ThrowsInvalidOperationExceptionForAnyOtherTenant()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        var a = store.ForTenant(TenantA);

        a.Invoking(s => s.ForTenant(TenantB)).Should().Throw<InvalidOperationException>();
        a.Invoking(s => s.ForTenant(Tenants.Default)).Should().Throw<InvalidOperationException>("the default tenant's deals are not A's either");
        a.Invoking(s => s.ForTenant("tenant-A")).Should().Throw<InvalidOperationException>("tenant ids compare ordinally");
    }

    /// <summary>An invalid tenant id is refused with an ArgumentException (ArgumentNullException for null); 64 characters are allowed.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ForTenant_InvalidIds_ThrowArgumentException()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        string[] invalid = ["", " ", "\t", new('x', Tenants.MaxIdLength + 1), "a\nb", "a\0b", "a\u0085b", "a\u007fb", " a", "a ", "a\u00a0"];

        foreach (var id in invalid)
        {
            store.Invoking(s => s.ForTenant(id)).Should().Throw<ArgumentException>("'{0}' is no tenant id", id.Replace("\0", "\\0", StringComparison.Ordinal));
            store.ForTenant(TenantA).Invoking(s => s.ForTenant(id)).Should().Throw<ArgumentException>("a tenant's store checks the id first too");
        }

        store.Invoking(s => s.ForTenant(null!)).Should().Throw<ArgumentNullException>();
        store.ForTenant(new string('x', Tenants.MaxIdLength)).TenantId.Should().HaveLength(Tenants.MaxIdLength);
        store.ForTenant("a b").TenantId.Should().Be("a b", "a blank inside an id is allowed");
    }

    /// <summary>The store object the host creates serves the default tenant: deals saved through it are the default tenant's, and no other tenant sees them.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TenantId_StoreTheHostCreated_IsTheDefaultTenantAndOwnsItsDeals()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        store.TenantId.Should().Be(Tenants.Default);
        await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal("before-tenants"), "old")]);
        await store.ImportAsync([ContractDeals.Imported("imported-before", 2)]);

        var reopened = await OpenStoreAsync();
        var viaDefault = reopened.ForTenant(Tenants.Default);

        viaDefault.Should().BeSameAs(reopened);
        reopened.TenantId.Should().Be(Tenants.Default);
        (await reopened.GetAsync("before-tenants"))!.TenantId.Should().Be(Tenants.Default);
        (await reopened.GetAsync("imported-before"))!.TenantId.Should().Be(Tenants.Default);
        (await reopened.QueryAsync(new DealQuery())).Deals.Select(d => d.Id).Should().Equal("before-tenants", "imported-before");
        (await reopened.ForTenant(TenantA).GetAsync("before-tenants")).Should().BeNull();
        (await reopened.ForTenant(TenantA).QueryAsync(new DealQuery())).Deals.Should().BeEmpty();
        (await FeedOf(reopened.ForTenant(TenantA)).ReadFeedAsync(FeedPosition.Start, 10)).Should().BeEmpty();
        (await FeedOf(reopened).ReadFeedAsync(FeedPosition.Start, 10)).Should().HaveCount(3);
    }

    /// <summary>
    /// Random creates, updates, stale updates and imports spread over three tenants with overlapping ids: afterwards each
    /// tenant's deals, histories, queries and feed equal a model of that tenant alone.
    /// </summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ForTenant_RandomOperationsOverThreeTenants_EachTenantEqualsItsOwnModel()
    {
        RequireTenants();
        var store = await OpenStoreAsync();
        string[] tenants = [TenantA, TenantB, TenantC];
        string[] ids = ["x", "y", "z", "w"];
        foreach (var seed in new[] { 11, 12, 13 })
        {
            var random = new Random(seed);
            var models = tenants.ToDictionary(t => t, _ => new Dictionary<string, List<string?>>(StringComparer.Ordinal), StringComparer.Ordinal);
            var prefix = $"s{seed}-";
            for (var step = 0; step < 40; step++)
            {
                var tenant = tenants[random.Next(tenants.Length)];
                var id = prefix + ids[random.Next(ids.Length)];
                var model = models[tenant];
                var view = store.ForTenant(tenant);
                var note = $"{tenant}/{step}";
                var known = model.TryGetValue(id, out var history);
                switch (random.Next(4))
                {
                    case 0:
                        (await view.TrySaveAsync([ContractDeals.Create(TenantDeal(tenant, id), note)])).Should().Be(!known, "a create succeeds when the id is free in its tenant (seed {0}, step {1})", seed, step);
                        if (!known)
                        {
                            model[id] = [note];
                        }

                        break;
                    case 1 when known:
                        var current = (await view.GetAsync(id))!;
                        current.Version.Should().Be(history!.Count, "the deal's version counts its tenant's events only (seed {0}, step {1})", seed, step);
                        (await view.TrySaveAsync([ContractDeals.Update(current, note)])).Should().BeTrue();
                        history.Add(note);
                        break;
                    case 2 when known:
                        var stale = TenantDeal(tenant, id) with { Version = history!.Count + 1, LastSequence = history.Count + 1 };
                        (await view.TrySaveAsync([ContractDeals.Update(stale, note)])).Should().BeFalse("no deal of the tenant is at that version (seed {0}, step {1})", seed, step);
                        break;
                    case 3:
                        var events = 1 + random.Next(3);
                        var import = async () => await view.ImportAsync([TenantImport(tenant, id, events)]);
                        if (known)
                        {
                            await import.Should().ThrowAsync<DealImportException>("the id is taken in its tenant (seed {0}, step {1})", seed, step);
                        }
                        else
                        {
                            await import();
                            model[id] = [null, .. Enumerable.Range(1, events - 1).Select(i => (string?)$"n{i}")];
                        }

                        break;
                    default:
                        (await view.GetAsync(id)).Should().BeNull("the id is unknown in its tenant (seed {0}, step {1})", seed, step);
                        break;
                }
            }

            var reopened = await OpenStoreAsync();
            foreach (var tenant in tenants)
            {
                var view = reopened.ForTenant(tenant);
                var model = models[tenant];
                var page = await view.QueryAsync(new DealQuery { Limit = 1000 });
                page.Deals.Where(d => d.Id.StartsWith(prefix, StringComparison.Ordinal)).Select(d => d.Id)
                    .Should().Equal(model.Keys.Order(StringComparer.Ordinal), "tenant {0} holds exactly its own deals (seed {1})", tenant, seed);
                foreach (var (id, history) in model)
                {
                    var deal = (await view.GetAsync(id))!;
                    deal.TenantId.Should().Be(tenant);
                    deal.Version.Should().Be(history.Count);
                    (await view.GetEventsAsync(id)).Select(e => e.Note).Should().Equal(history, "tenant {0}'s deal {1} has its own history (seed {2})", tenant, id, seed);
                }

                var feed = await FeedOf(view).ReadFeedAsync(FeedPosition.Start, 10_000);
                var fed = feed.Where(e => e.Event.DealId.StartsWith(prefix, StringComparison.Ordinal)).ToList();
                fed.Should().HaveCount(model.Values.Sum(h => h.Count), "tenant {0}'s feed holds its own events only (seed {1})", tenant, seed);
                foreach (var (id, history) in model)
                {
                    fed.Where(e => e.Event.DealId == id).Select(e => e.Event.Note).Should().Equal(history, "the feed holds tenant {0}'s deal {1} in sequence order", tenant, id);
                }
            }
        }
    }

    private void RequireTenants()
    {
        if (!KeepsTenants)
        {
            throw new StoreContractSkipException($"{GetType().Name} keeps no tenants (KeepsTenants is false): it serves only the default tenant.");
        }
    }

    private static Deal TenantDeal(string tenantId, string id, string stage = "open") =>
        ContractDeals.NewDeal(id, stage) with { TenantId = tenantId };

    private static DealImport TenantImport(string tenantId, string id, int events)
    {
        var imported = ContractDeals.Imported(id, events);
        return imported with { Deal = imported.Deal with { TenantId = tenantId } };
    }

    private static IEventFeedStore FeedOf(IDealStore store)
    {
        store.Should().BeAssignableTo<IEventFeedStore>("every store keeps the event feed (IEventFeedStore), a tenant's store too");
        return (IEventFeedStore)store;
    }
}
