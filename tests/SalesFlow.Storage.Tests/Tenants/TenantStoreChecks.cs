using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests.Tenants;

/// <summary>
/// What the tenant tests of both SQL stores share: the history a version-4 database held before tenants existed (read
/// back through the public API as a <see cref="TenantSnapshot"/>), and writers of two tenants racing on the same deal ids.
/// </summary>
public static class TenantStoreChecks
{
    public const string Handler = "mailer";
    public const string Holder = "worker-1";
    public const string TenantA = "acme";
    public const string TenantB = "globex";

    private static readonly string[] StartedIds = ["u1", "u2", "u3", "u4"];

    /// <summary>The deals the history holds, started and imported.</summary>
    public static IReadOnlyList<string> DealIds { get; } = [.. StartedIds, "imported"];

    /// <summary>
    /// Writes through the engine and the store what a database held before tenants: started deals with moves, activities
    /// and a loss (every engine event with an idempotency key), an imported history, a handler's checkpoint and its lease.
    /// </summary>
    public static async Task WriteHistoryAsync(IDealStore store, IEventFeedStore feed)
    {
        var time = new FakeTimeProvider(ContractDeals.T0);
        var engine = new SalesFlowEngine(ContractPipeline.Registry(), store, new SalesFlowEngineOptions { TimeProvider = time });
        foreach (var id in StartedIds)
        {
            time.Advance(TimeSpan.FromMinutes(3));
            await engine.StartAsync(ContractPipeline.Id, id, new ContractDealData { Customer = "c-" + id, Budget = 120.5m }, new StartRequest("alice") { IdempotencyKey = "start-" + id, Owner = "alice", Amount = 99.95m });
        }

        async Task Fire(string id, string trigger, string key)
        {
            time.Advance(TimeSpan.FromMinutes(7));
            (await engine.FireAsync(id, trigger, new FireRequest("bob") { IdempotencyKey = key, Reason = "upgrade history" })).EnsureAccepted();
        }

        await Fire("u1", "toggle", "u1-toggle-1");
        await Fire("u2", "toggle", "u2-toggle-1");
        await Fire("u1", "toggle", "u1-toggle-2");
        await Fire("u3", "lose", "u3-lose");
        await Fire("u2", "ping", "u2-ping");
        time.Advance(TimeSpan.FromMinutes(5));
        await engine.RecordActivityAsync("u4", new ActivityRequest("carol") { Activity = "call", IdempotencyKey = "u4-call", NextFollowUpAt = ContractDeals.T0.AddDays(3) });
        await store.ImportAsync([ContractDeals.Imported("imported", 3)]);

        var events = await ReadFeedAsync(feed, FeedPosition.Start, expected: 13);
        (await feed.TryAcquireLeaseAsync(Handler, Holder, TimeSpan.FromHours(1))).Should().BeTrue();
        (await feed.TrySaveCheckpointAsync(Handler, Holder, events[5].Position)).Should().BeTrue();
    }

    /// <summary>Everything one tenant's store gives back: its deals, their events, its feed and the handler's checkpoint.</summary>
    public static async Task<TenantSnapshot> ReadAsync(IDealStore store, IEventFeedStore feed, int expectedEvents)
    {
        var deals = new List<Deal>();
        var events = new Dictionary<string, IReadOnlyList<DealEvent>>(StringComparer.Ordinal);
        string? after = null;
        do
        {
            var page = await store.QueryAsync(new DealQuery { AfterDealId = after, Limit = 500 });
            page.Damaged.Should().BeEmpty();
            foreach (var deal in page.Deals)
            {
                deals.Add(deal);
                events[deal.Id] = await store.GetEventsAsync(deal.Id);
            }

            after = page.NextAfterDealId;
        }
        while (after is not null);

        return new TenantSnapshot(deals, events, await ReadFeedAsync(feed, FeedPosition.Start, expectedEvents), await feed.GetCheckpointAsync(Handler));
    }

    /// <summary>
    /// Reads the feed after <paramref name="after"/> until it holds <paramref name="expected"/> events: PostgreSQL holds
    /// events back while an older transaction anywhere on the server still runs, so they may arrive late (never out of order).
    /// </summary>
    public static async Task<IReadOnlyList<FeedEvent>> ReadFeedAsync(IEventFeedStore feed, FeedPosition after, int expected)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var events = await feed.ReadFeedAsync(after, 10_000);
            if (events.Count >= expected || waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                return events;
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Checks what a store of the upgraded database gives back against what the store that wrote the history gave back,
    /// then that writes go on for the default tenant and that another tenant can use the same ids and handler name.
    /// </summary>
    public static async Task CheckUpgradedAsync(IDealStore upgraded, TenantSnapshot before)
    {
        var feed = (IEventFeedStore)upgraded;
        upgraded.TenantId.Should().Be(SalesFlow.Tenants.Default);
        var after = await ReadAsync(upgraded, feed, before.Feed.Count);

        after.Deals.Select(d => d.Id).Should().Equal(DealIds.Order(StringComparer.Ordinal));
        after.Deals.Should().OnlyContain(d => d.TenantId == SalesFlow.Tenants.Default);
        after.Should().BeEquivalentTo(before, o => o.WithStrictOrdering(), "the upgrade keeps every deal, event, feed position and checkpoint");
        after.Checkpoint.Should().NotBe(FeedPosition.Start);
        (await upgraded.FindByIdempotencyKeyAsync("u1", "u1-toggle-2"))!.Sequence.Should().Be(3, "idempotency keys are still found");
        (await feed.TryAcquireLeaseAsync(Handler, "worker-2", TimeSpan.FromMinutes(1))).Should().BeFalse("the lease taken before the upgrade is still held");
        (await feed.TrySaveCheckpointAsync(Handler, Holder, before.Feed[^1].Position)).Should().BeTrue("its holder still holds it");

        // Writes go on: a repeated request is found by its old key, a new move is appended to the old history and the feed.
        var time = new FakeTimeProvider(ContractDeals.T0.AddDays(1));
        var engine = new SalesFlowEngine(ContractPipeline.Registry(), upgraded, new SalesFlowEngineOptions { TimeProvider = time });
        var repeated = await engine.FireAsync("u2", "toggle", new FireRequest("bob") { IdempotencyKey = "u2-toggle-1", Reason = "upgrade history" });
        repeated.Repeated.Should().BeTrue();
        repeated.Deal.Version.Should().Be(before.Deals.Single(d => d.Id == "u2").Version, "the repeat writes nothing");
        (await engine.FireAsync("u1", "toggle", new FireRequest("bob") { IdempotencyKey = "u1-toggle-3" })).EnsureAccepted();
        var u1 = (await upgraded.GetAsync("u1"))!;
        u1.Version.Should().Be(before.Deals.Single(d => d.Id == "u1").Version + 1);
        (await upgraded.GetEventsAsync("u1")).Select(e => e.Sequence).Should().Equal(1, 2, 3, 4);
        var added = await ReadFeedAsync(feed, before.Feed[^1].Position, expected: 1);
        added.Should().ContainSingle().Which.Event.Should().Match<DealEvent>(e => e.DealId == "u1" && e.Sequence == 4);
        added[0].Position.Should().BeGreaterThan(before.Feed[^1].Position);

        // Another tenant: the same ids, keys and handler name are its own.
        var tenant = upgraded.ForTenant(TenantA);
        var tenantFeed = (IEventFeedStore)tenant;
        (await tenant.GetAsync("u1")).Should().BeNull("the default tenant's deal is not another tenant's");
        var tenantEngine = engine.ForTenant(TenantA);
        (await tenantEngine.StartAsync(ContractPipeline.Id, "u1", new ContractDealData { Customer = "other" }, new StartRequest("dave") { IdempotencyKey = "start-u1" }))
            .TenantId.Should().Be(TenantA, "the key of the default tenant's start is not the tenant's");
        var import = ContractDeals.Imported("imported", 2);
        await tenant.ImportAsync([new DealImport(import.Deal with { TenantId = TenantA }, import.Events)]);
        (await tenant.GetAsync("u1"))!.Should().Match<Deal>(d => d.TenantId == TenantA && d.Version == 1);
        (await tenant.GetAsync("imported"))!.Version.Should().Be(2);
        (await tenantFeed.GetCheckpointAsync(Handler)).Should().Be(FeedPosition.Start);
        (await tenantFeed.TryAcquireLeaseAsync(Handler, "worker-2", TimeSpan.FromMinutes(1))).Should().BeTrue("the tenant's handler has its own lease");
        (await ReadFeedAsync(tenantFeed, FeedPosition.Start, expected: 3)).Select(f => (f.Event.DealId, f.Event.Sequence))
            .Should().BeEquivalentTo([("u1", 1L), ("imported", 1L), ("imported", 2L)]);

        var unchanged = await ReadAsync(upgraded, feed, before.Feed.Count + 1);
        unchanged.Deals.Single(d => d.Id == "imported").Should().BeEquivalentTo(before.Deals.Single(d => d.Id == "imported"));
        unchanged.Events["u1"].Should().HaveCount(4);
        unchanged.Feed.Should().HaveCount(before.Feed.Count + 1, "the other tenant's events are not in the default tenant's feed");
    }

    /// <summary>
    /// Tenant ids the database must keep apart: half a surrogate pair is refused (it has no UTF-8 form, and SQLite stored
    /// U+FFFD for every such id, so two of those tenants shared their deals); ids that differ in case, accents (composed
    /// or not) or a whole emoji are separate tenants.
    /// </summary>
    public static async Task CheckTenantIdsAsync(IDealStore host)
    {
        foreach (var invalid in new[] { "t\uD800", "t\uDBFF", "\uDC00t", "t\uDC00\uD800" })
        {
            FluentActions.Invoking(() => host.ForTenant(invalid)).Should().Throw<ArgumentException>().WithMessage("*surrogate*");
        }

        string[] tenants = ["acme", "ACME", "acm\u00E9", "acme\u0301", "acme\U0001F600", "acme\U0001F601", new string('x', SalesFlow.Tenants.MaxIdLength - 2) + "\U0001F600"];
        foreach (var tenant in tenants)
        {
            (await host.ForTenant(tenant).TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal("d") with { TenantId = tenant, Owner = tenant })])).Should().BeTrue(tenant);
        }

        foreach (var tenant in tenants)
        {
            var store = host.ForTenant(tenant);
            (await store.GetAsync("d"))!.Should().Match<Deal>(d => d.TenantId == tenant && d.Owner == tenant, "tenant {0} reads its own deal", tenant);
            (await store.GetEventsAsync("d")).Should().ContainSingle();
            (await store.QueryAsync(new DealQuery())).Deals.Should().ContainSingle();
        }

        (await host.GetAsync("d")).Should().BeNull();
    }

    /// <summary>The deal after a toggle between open and working (a stage change), with its event.</summary>
    public static DealWrite Toggle(Deal deal, string note)
    {
        var to = deal.StageId == "open" ? "working" : "open";
        var at = deal.UpdatedAt + TimeSpan.FromSeconds(1);
        var next = deal with
        {
            StageId = to,
            PreviousStageId = deal.StageId,
            Version = deal.Version + 1,
            LastSequence = deal.LastSequence + 1,
            StageEnteredSequence = deal.LastSequence + 1,
            UpdatedAt = at,
            StageEnteredAt = at,
            LastActivityAt = at,
        };
        var @event = new DealEvent
        {
            DealId = deal.Id,
            Sequence = next.LastSequence,
            Kind = DealEventKind.Transition,
            Timestamp = at,
            Actor = "racer",
            Trigger = "toggle",
            FromStage = deal.StageId,
            ToStage = to,
            Note = note,
        };
        return new DealWrite(next, deal.Version, [@event]);
    }

    /// <summary>Creates the same deal ids in both tenants.</summary>
    public static async Task CreateDealsAsync(IDealStore host, IReadOnlyList<string> ids)
    {
        foreach (var tenant in new[] { TenantA, TenantB })
        {
            var store = host.ForTenant(tenant);
            foreach (var id in ids)
            {
                (await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal(id) with { TenantId = tenant })])).Should().BeTrue();
            }
        }
    }

    /// <summary>
    /// One writer per deal and tenant, both tenants at once on the same ids: every writer knows its deal's version, so any
    /// refused save could only come from the other tenant's writes. Returns the refused saves.
    /// </summary>
    public static async Task<int> RaceOneWriterPerDealAsync(Func<string, IDealStore> storeOf, IReadOnlyList<string> ids, int savesPerDeal)
    {
        var refused = 0;
        var writers = new[] { TenantA, TenantB }.SelectMany(tenant => ids.Select(id => Task.Run(async () =>
        {
            var store = storeOf(tenant);
            var deal = (await store.GetAsync(id))!;
            for (var i = 0; i < savesPerDeal; i++)
            {
                var write = Toggle(deal, tenant + ":" + i);
                if (await store.TrySaveAsync([write]))
                {
                    deal = write.Deal;
                }
                else
                {
                    Interlocked.Increment(ref refused);
                    deal = (await store.GetAsync(id))!;
                }
            }
        })));
        await Task.WhenAll(writers);
        return refused;
    }

    /// <summary>
    /// The same through each tenant's engine: one writer per deal and tenant firing toggles. Returns the conflict retries
    /// the engines needed, which only the other tenant's writes could cause.
    /// </summary>
    public static async Task<int> RaceEnginesOneWriterPerDealAsync(SalesFlowEngine host, IReadOnlyList<string> ids, int firesPerDeal)
    {
        var retries = 0;
        var writers = new[] { TenantA, TenantB }.SelectMany(tenant => ids.Select(id => Task.Run(async () =>
        {
            var engine = host.ForTenant(tenant);
            for (var i = 0; i < firesPerDeal; i++)
            {
                var result = (await engine.FireAsync(id, "toggle", new FireRequest(tenant + ":engine"))).EnsureAccepted();
                Interlocked.Add(ref retries, result.ConflictRetries);
            }
        })));
        await Task.WhenAll(writers);
        return retries;
    }

    /// <summary>
    /// Several writers per tenant on every deal of both tenants (the same ids), each reading, toggling and retrying on a
    /// conflict. Returns the saves each tenant's writers made per deal.
    /// </summary>
    public static async Task<IReadOnlyDictionary<(string Tenant, string Id), int>> RaceManyWritersAsync(Func<string, IDealStore> storeOf, IReadOnlyList<string> ids, int writersPerTenant, int savesPerWriter)
    {
        var saved = new ConcurrentDictionary<(string, string), int>();
        var writers = new[] { TenantA, TenantB }.SelectMany(tenant => Enumerable.Range(0, writersPerTenant).Select(w => Task.Run(async () =>
        {
            var store = storeOf(tenant);
            var random = new Random((tenant == TenantA ? 100 : 200) + w);
            for (var i = 0; i < savesPerWriter; i++)
            {
                var id = ids[random.Next(ids.Count)];
                for (var attempt = 0; ; attempt++)
                {
                    attempt.Should().BeLessThan(200, "a writer gets through eventually");
                    var deal = (await store.GetAsync(id))!;
                    if (await store.TrySaveAsync([Toggle(deal, tenant + ":" + w + ":" + i)]))
                    {
                        saved.AddOrUpdate((tenant, id), 1, (_, n) => n + 1);
                        break;
                    }
                }
            }
        })));
        await Task.WhenAll(writers);
        return saved;
    }

    /// <summary>
    /// Every deal of both tenants: one start and its saves, gapless sequences, the stage and version its events replay to,
    /// and only its own tenant's writes.
    /// </summary>
    public static async Task CheckTenantsAsync(Func<string, IDealStore> storeOf, IReadOnlyList<string> ids, Func<string, string, int> savesOf)
    {
        foreach (var tenant in new[] { TenantA, TenantB })
        {
            var store = storeOf(tenant);
            foreach (var id in ids)
            {
                var deal = (await store.GetAsync(id))!;
                var events = await store.GetEventsAsync(id);
                var because = $"{tenant}/{id}";
                deal.TenantId.Should().Be(tenant);
                events.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), "sequences are gapless ({0})", because);
                events.Should().HaveCount(1 + savesOf(tenant, id), "one start and every save of the tenant's writers ({0})", because);
                deal.Version.Should().Be(events.Count, because);
                deal.LastSequence.Should().Be(events.Count, because);
                deal.StageId.Should().Be(events[^1].ToStage, "the stage is the replay of the events ({0})", because);
                events.Skip(1).Should().OnlyContain(e => (e.Note ?? e.Actor).StartsWith(tenant + ":", StringComparison.Ordinal), "only the tenant's writers wrote to its deal ({0})", because);
            }
        }
    }
}

/// <summary>What one tenant's store gives back.</summary>
/// <param name="Deals">Its deals in id order.</param>
/// <param name="Events">Each deal's events.</param>
/// <param name="Feed">Its event feed from the start.</param>
/// <param name="Checkpoint">The checkpoint of <see cref="TenantStoreChecks.Handler"/>.</param>
public sealed record TenantSnapshot(IReadOnlyList<Deal> Deals, IReadOnlyDictionary<string, IReadOnlyList<DealEvent>> Events, IReadOnlyList<FeedEvent> Feed, FeedPosition Checkpoint);
