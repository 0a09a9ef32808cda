using System.Collections.Concurrent;
using SalesFlow.Storage.Tests.Support;

namespace SalesFlow.Storage.Tests;

/// <summary>
/// The contract every <see cref="IDealStore"/> keeps. Each derived class runs it against one store on a
/// database of its own; <see cref="OpenStoreAsync"/> opens a new store object (for a database store: new
/// connections, as another host process would) on that same database.
/// </summary>
public abstract class DealStoreContractTests : IAsyncLifetime
{
    private readonly List<IDealStore> _opened = [];

    protected PipelineRegistry Pipelines { get; } = StorePipeline.Registry();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _opened)
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
    }

    [StoreFact]
    public async Task TrySaveAsync_NewDeal_RoundTripsEveryField()
    {
        var store = await OpenStoreAsync();
        var at = DealFactory.T0;
        var deal = DealFactory.NewDeal("deal-1") with
        {
            StageId = "working",
            PreviousStageId = "open",
            Owner = "owner-7",
            Amount = 12345.6700m,
            Outcome = StageKind.Open,
            OutcomeReason = "reason text",
            NextFollowUpAt = at.AddDays(3),
            StageEnteredAt = at.AddSeconds(5),
            LastActivityAt = at.AddSeconds(7),
            UpdatedAt = at.AddSeconds(9),
            CompletedChecklistItems = ["call-logged", "b-item"],
            Data = new StoreDealData { Customer = "ACME", Counter = 3, Budget = 99.95m, Tags = ["x", "y"], Signed = true },
        };
        var started = DealFactory.Started(deal, note: "first") with
        {
            Reason = "why",
            Activity = "custom",
            Trigger = "t",
            FromStage = "nowhere",
            OverriddenGuards = ["g.one", "g.two"],
            OverrideJustification = "manager said so",
            Properties = DealFactory.Properties(("item", "call-logged"), ("linked", "deal-0")),
        };

        (await store.TrySaveAsync(deal, 0, [started])).Should().BeTrue();

        var reopened = await OpenStoreAsync();
        var loaded = await reopened.GetAsync("deal-1");
        loaded.Should().BeEquivalentTo(deal);
        loaded!.Amount!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture).Should().Be("12345.6700", "the scale of amounts is kept");
        loaded.Data.Should().BeOfType<StoreDealData>();
        (await reopened.GetEventsAsync("deal-1")).Should().ContainSingle().Which.Should().BeEquivalentTo(started);
    }

    [StoreFact]
    public async Task TrySaveAsync_TimestampsWithOffsets_RoundTripAsTheSameInstants()
    {
        var store = await OpenStoreAsync();
        var local = new DateTimeOffset(2025, 6, 1, 23, 30, 15, 123, TimeSpan.FromHours(-7));
        var deal = DealFactory.NewDeal("tz", at: local) with { NextFollowUpAt = local.AddHours(1) };

        await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);

        var loaded = (await store.GetAsync("tz"))!;
        loaded.CreatedAt.Should().Be(local);
        loaded.CreatedAt.UtcTicks.Should().Be(local.UtcTicks);
        loaded.NextFollowUpAt.Should().Be(local.AddHours(1));
        (await store.GetEventsAsync("tz"))[0].Timestamp.Should().Be(local);
    }

    [StoreFact]
    public async Task TrySaveAsync_CreateExistingDeal_ReturnsFalseAndKeepsTheFirst()
    {
        var store = await OpenStoreAsync();
        var first = DealFactory.NewDeal("dup");
        await store.TrySaveAsync(first, 0, [DealFactory.Started(first, "first")]);
        var second = DealFactory.NewDeal("dup", stage: "working");

        var saved = await store.TrySaveAsync(second, 0, [DealFactory.Started(second, "second")]);

        saved.Should().BeFalse();
        (await store.GetAsync("dup"))!.StageId.Should().Be("open");
        (await store.GetEventsAsync("dup")).Should().ContainSingle().Which.Note.Should().Be("first");
    }

    [StoreFact]
    public async Task TrySaveAsync_StaleExpectedVersion_ReturnsFalseAndNeverOverwrites()
    {
        var store = await OpenStoreAsync();
        var deal = DealFactory.NewDeal("stale");
        await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);
        var (winner, winnerEvent) = DealFactory.Next(deal, "winner");
        var (loser, loserEvent) = DealFactory.Next(deal, "loser");

        (await store.TrySaveAsync(winner, 1, [winnerEvent])).Should().BeTrue();
        (await (await OpenStoreAsync()).TrySaveAsync(loser, 1, [loserEvent])).Should().BeFalse();

        (await store.GetAsync("stale"))!.Version.Should().Be(2);
        (await store.GetEventsAsync("stale")).Select(e => e.Note).Should().Equal(null, "winner");
    }

    [StoreFact]
    public async Task TrySaveAsync_UnknownDealWithExpectedVersion_ReturnsFalse()
    {
        var store = await OpenStoreAsync();
        var (next, e) = DealFactory.Next(DealFactory.NewDeal("ghost"));

        (await store.TrySaveAsync(next, 1, [e])).Should().BeFalse();

        (await store.GetAsync("ghost")).Should().BeNull();
        (await store.GetEventsAsync("ghost")).Should().BeEmpty();
    }

    [StoreFact]
    public async Task TrySaveAsync_EventsLeavingAGap_ThrowsAndSavesNothing()
    {
        var store = await OpenStoreAsync();
        var deal = DealFactory.NewDeal("gap");
        await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);
        var (next, e) = DealFactory.Next(deal);
        var skipping = next with { LastSequence = 3 };

        var act = async () => await store.TrySaveAsync(skipping, 1, [e with { Sequence = 3 }]);

        await act.Should().ThrowAsync<ArgumentException>();
        (await store.GetAsync("gap"))!.Version.Should().Be(1);
        (await store.GetEventsAsync("gap")).Should().ContainSingle();
    }

    [StoreFact]
    public async Task TrySaveAsync_VersionNotExpectedPlusOne_ThrowsArgumentException()
    {
        var store = await OpenStoreAsync();
        var deal = DealFactory.NewDeal("v") with { Version = 5 };

        var act = async () => await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);

        await act.Should().ThrowAsync<ArgumentException>();
        (await store.GetAsync("v")).Should().BeNull();
    }

    [StoreFact]
    public async Task TrySaveAsync_CanceledToken_ThrowsAndSavesNothing()
    {
        var store = await OpenStoreAsync();
        var deal = DealFactory.NewDeal("cancel");

        var act = async () => await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)], new CancellationToken(canceled: true));

        await act.Should().ThrowAsync<OperationCanceledException>();
        (await store.GetAsync("cancel")).Should().BeNull();
    }

    [StoreFact]
    public async Task GetEventsAsync_ManySaves_AreGaplessOrderedAndPageable()
    {
        var store = await OpenStoreAsync();
        var deal = DealFactory.NewDeal("history");
        await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);
        for (var i = 0; i < 11; i++)
        {
            var (next, e) = DealFactory.Next(deal, $"note {i}");
            (await store.TrySaveAsync(next, deal.Version, [e])).Should().BeTrue();
            deal = next;
        }

        // Two events in one save.
        var (a, ea) = DealFactory.Next(deal, "a");
        var (b, eb) = DealFactory.Next(a, "b");
        (await store.TrySaveAsync(b with { Version = deal.Version + 1 }, deal.Version, [ea, eb])).Should().BeTrue();

        var all = await store.GetEventsAsync("history");
        all.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, 14).Select(i => (long)i));
        all[^1].Note.Should().Be("b");
        (await store.GetEventsAsync("history", afterSequence: 5, limit: 3)).Select(e => e.Sequence).Should().Equal(6L, 7L, 8L);
        (await store.GetEventsAsync("history", afterSequence: 12)).Select(e => e.Sequence).Should().Equal(13L, 14L);
        (await store.GetEventsAsync("history", afterSequence: 14)).Should().BeEmpty();
        (await store.GetAsync("history"))!.LastSequence.Should().Be(14);
    }

    [StoreFact]
    public async Task GetAsync_UnknownDeal_ReturnsNullAndNoEvents()
    {
        var store = await OpenStoreAsync();

        (await store.GetAsync("nope")).Should().BeNull();
        (await store.GetEventsAsync("nope")).Should().BeEmpty();
    }

    [StoreFact]
    public async Task PublicMembers_InvalidArguments_Throw()
    {
        var store = await OpenStoreAsync();
        var deal = DealFactory.NewDeal("args");

        await FluentActions.Awaiting(async () => await store.GetAsync(null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await store.GetEventsAsync(null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await store.GetEventsAsync("x", afterSequence: -1)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(async () => await store.GetEventsAsync("x", limit: 0)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(async () => await store.QueryAsync(null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await store.QueryAsync(new DealQuery { Limit = 0 })).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(async () => await store.ImportAsync(null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await store.TrySaveAsync(null!, 0, [])).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await store.TrySaveAsync(deal, 0, null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await store.TrySaveAsync(deal, 0, [])).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.TrySaveAsync(deal, -1, [DealFactory.Started(deal)])).Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [StoreFact]
    public async Task QueryAsync_ByPipelineAndStage_ReturnsMatchesOrderedById()
    {
        var store = await OpenStoreAsync();
        foreach (var (id, stage) in new[] { ("d3", "open"), ("d1", "working"), ("d2", "open"), ("d10", "open"), ("d4", "won") })
        {
            var deal = DealFactory.NewDeal(id, stage);
            await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);
        }

        var open = await store.QueryAsync(new DealQuery { PipelineId = StorePipeline.Id, StageId = "open" });
        var all = await store.QueryAsync(new DealQuery { PipelineId = StorePipeline.Id });
        var otherPipeline = await store.QueryAsync(new DealQuery { PipelineId = "other" });

        open.Deals.Select(d => d.Id).Should().Equal("d10", "d2", "d3");
        open.NextAfterDealId.Should().BeNull();
        open.Deals[0].Data.Should().BeOfType<StoreDealData>().Which.Customer.Should().Be("c-d10");
        all.Deals.Select(d => d.Id).Should().Equal("d1", "d10", "d2", "d3", "d4");
        otherPipeline.Deals.Should().BeEmpty();
    }

    [StoreFact]
    public async Task QueryAsync_FollowUpDue_ReturnsDealsDueAtOrBeforeTheTime()
    {
        var store = await OpenStoreAsync();
        var t = DealFactory.T0.AddDays(10);
        foreach (var (id, due) in new (string, DateTimeOffset?)[] { ("early", t.AddHours(-1)), ("exact", t), ("late", t.AddTicks(TimeSpan.TicksPerMillisecond)), ("none", null) })
        {
            var deal = DealFactory.NewDeal(id) with { NextFollowUpAt = due };
            await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);
        }

        var page = await store.QueryAsync(new DealQuery { FollowUpDueAtOrBefore = t });
        var viaOtherOffset = await store.QueryAsync(new DealQuery { FollowUpDueAtOrBefore = t.ToOffset(TimeSpan.FromHours(5)) });

        page.Deals.Select(d => d.Id).Should().Equal("early", "exact");
        viaOtherOffset.Deals.Select(d => d.Id).Should().Equal("early", "exact");
    }

    [StoreFact]
    public async Task QueryAsync_IdleSince_ReturnsDealsWithActivityBeforeTheTime()
    {
        var store = await OpenStoreAsync();
        var t = DealFactory.T0.AddDays(1);
        foreach (var (id, last) in new[] { ("old", t.AddMinutes(-5)), ("boundary", t), ("fresh", t.AddMinutes(5)) })
        {
            var deal = DealFactory.NewDeal(id, at: last);
            await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);
        }

        var page = await store.QueryAsync(new DealQuery { IdleSince = t, PipelineId = StorePipeline.Id, StageId = "open" });

        page.Deals.Select(d => d.Id).Should().Equal("old");
    }

    [StoreFact]
    public async Task QueryAsync_KeysetPaging_VisitsEveryMatchOnceInOrder()
    {
        var store = await OpenStoreAsync();
        var ids = Enumerable.Range(0, 23).Select(i => $"page-{i:D3}").ToList();
        foreach (var id in ids)
        {
            var deal = DealFactory.NewDeal(id, stage: id.EndsWith('7') ? "won" : "open");
            await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);
        }

        var seen = new List<string>();
        var pages = 0;
        string? after = null;
        do
        {
            var page = await store.QueryAsync(new DealQuery { StageId = "open", AfterDealId = after, Limit = 5 });
            page.Deals.Count.Should().BeLessThanOrEqualTo(5);
            seen.AddRange(page.Deals.Select(d => d.Id));
            after = page.NextAfterDealId;
            pages++;
        }
        while (after is not null);

        seen.Should().Equal(ids.Where(i => !i.EndsWith('7')));
        pages.Should().Be(5);
    }

    [StoreFact]
    public async Task ImportAsync_Batch_StoresDealsWithTheirHistories()
    {
        var store = await OpenStoreAsync();
        var batch = Enumerable.Range(0, 50).Select(i => DealFactory.Imported($"imp-{i:D2}", events: 1 + (i % 4))).ToList();

        await store.ImportAsync(batch);

        var reopened = await OpenStoreAsync();
        foreach (var item in batch)
        {
            (await reopened.GetAsync(item.Deal.Id)).Should().BeEquivalentTo(item.Deal);
            (await reopened.GetEventsAsync(item.Deal.Id)).Should().BeEquivalentTo(item.Events, o => o.WithStrictOrdering());
        }

        var page = await reopened.QueryAsync(new DealQuery { PipelineId = StorePipeline.Id, Limit = 100 });
        page.Deals.Should().HaveCount(50);
    }

    [StoreFact]
    public async Task ImportAsync_DealAlreadyExists_RefusesTheWholeBatchAndLeavesNothing()
    {
        var store = await OpenStoreAsync();
        var existing = DealFactory.NewDeal("imp-01");
        await store.TrySaveAsync(existing, 0, [DealFactory.Started(existing, "original")]);
        var batch = new[] { DealFactory.Imported("imp-00", 2), DealFactory.Imported("imp-01", 3), DealFactory.Imported("imp-02", 1) };

        var act = async () => await store.ImportAsync(batch);

        (await act.Should().ThrowAsync<DealImportException>()).Which.Problems.Should().ContainSingle().Which.Should().Contain("imp-01");
        (await store.GetAsync("imp-00")).Should().BeNull();
        (await store.GetAsync("imp-02")).Should().BeNull();
        (await store.GetEventsAsync("imp-00")).Should().BeEmpty();
        (await store.GetEventsAsync("imp-01")).Should().ContainSingle().Which.Note.Should().Be("original");
    }

    [StoreFact]
    public async Task ImportAsync_InconsistentBatch_ListsEveryProblemAndLeavesNothing()
    {
        var store = await OpenStoreAsync();
        var good = DealFactory.Imported("ok", 2);
        var gap = DealFactory.Imported("gap", 3);
        var batch = new[] { good, gap with { Events = [gap.Events[0], gap.Events[2], gap.Events[1]] }, DealFactory.Imported("ok", 1) };

        var act = async () => await store.ImportAsync(batch);

        (await act.Should().ThrowAsync<DealImportException>()).Which.Problems.Should().HaveCount(2);
        (await store.GetAsync("ok")).Should().BeNull();
        (await store.QueryAsync(new DealQuery())).Deals.Should().BeEmpty();
    }

    [StoreFact]
    public async Task ImportAsync_EmptyBatch_DoesNothing()
    {
        var store = await OpenStoreAsync();

        await store.ImportAsync([]);

        (await store.QueryAsync(new DealQuery())).Deals.Should().BeEmpty();
    }

    [StoreFact]
    public async Task TrySaveAsync_UnicodeAndInjectionLookingText_IsStoredVerbatim()
    {
        var store = await OpenStoreAsync();
        string[] ids =
        [
            "'; DROP TABLE salesflow_deals; --",
            "Robert'); DELETE FROM deals; --",
            "$id @id :id ? %_ \\ \" ` ;",
            "Ünïcödé 日本語 עברית 🚀👩‍👩‍👧",
            "  spaced id\twith tab\nand newline ",
            "e\u0301 (combining) vs \u00e9",
        ];
        foreach (var id in ids)
        {
            var deal = DealFactory.NewDeal(id) with { Owner = id, OutcomeReason = id, Data = new StoreDealData { Customer = id, Tags = [id] } };
            (await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal, note: "note: " + id) with { Actor = id, Properties = DealFactory.Properties((id, id)) }])).Should().BeTrue();
        }

        var reopened = await OpenStoreAsync();
        foreach (var id in ids)
        {
            var deal = (await reopened.GetAsync(id))!;
            deal.Id.Should().Be(id);
            deal.Owner.Should().Be(id);
            deal.DataAs<StoreDealData>().Customer.Should().Be(id);
            var e = (await reopened.GetEventsAsync(id)).Should().ContainSingle().Subject;
            e.Note.Should().Be("note: " + id);
            e.Actor.Should().Be(id);
            e.Properties.Should().Contain(id, id);
        }

        var listed = new List<string>();
        string? after = null;
        do
        {
            var page = await reopened.QueryAsync(new DealQuery { AfterDealId = after, Limit = 2 });
            listed.AddRange(page.Deals.Select(d => d.Id));
            after = page.NextAfterDealId;
        }
        while (after is not null);

        listed.Should().BeEquivalentTo(ids).And.OnlyHaveUniqueItems();
        (await reopened.QueryAsync(new DealQuery { StageId = "' OR '1'='1" })).Deals.Should().BeEmpty();
    }

    [StoreFact]
    public async Task TrySaveAsync_VeryLongNote_IsStoredVerbatim()
    {
        var store = await OpenStoreAsync();
        var note = string.Concat(Enumerable.Range(0, 40_000).Select(i => $"{i:D6}é日🚀 "));
        var deal = DealFactory.NewDeal("long");
        await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);
        var (next, e) = DealFactory.Next(deal, note);

        (await store.TrySaveAsync(next, 1, [e])).Should().BeTrue();

        var stored = (await (await OpenStoreAsync()).GetEventsAsync("long"))[1].Note;
        stored!.Length.Should().Be(note.Length);
        stored.Should().Be(note);
    }

    [StoreFact]
    public async Task OpenStore_EmptyDatabaseThenReopened_KeepsDealsAndContinuesHistories()
    {
        var first = await OpenStoreAsync();
        (await first.QueryAsync(new DealQuery())).Deals.Should().BeEmpty();
        var deal = DealFactory.NewDeal("persist");
        await first.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);
        await CloseAsync(first);

        var second = await OpenStoreAsync();
        var loaded = (await second.GetAsync("persist"))!;
        var (next, e) = DealFactory.Next(loaded, "after reopen");

        (await second.TrySaveAsync(next, loaded.Version, [e])).Should().BeTrue();
        (await (await OpenStoreAsync()).GetEventsAsync("persist")).Select(x => x.Note).Should().Equal(null, "after reopen");
    }

    [StoreFact]
    public async Task FireAsync_OnTransitioningHookThrows_LeavesNeitherStateNorEvent()
    {
        var store = await OpenStoreAsync();
        var engine = new SalesFlowEngine(Pipelines, store);
        await engine.StartAsync(StorePipeline.Id, "hooked", new StoreDealData(), "alice");
        var failing = new SalesFlowEngineOptions();
        failing.Hooks.Add(new ThrowingHook());
        var failingEngine = new SalesFlowEngine(Pipelines, await OpenStoreAsync(), failing);

        var result = await failingEngine.FireAsync("hooked", "toggle", new FireRequest("bob"));

        result.Status.Should().Be(FireStatus.Aborted);
        var reread = await OpenStoreAsync();
        (await reread.GetAsync("hooked"))!.Should().Match<Deal>(d => d.StageId == "open" && d.Version == 1 && d.LastSequence == 1);
        (await reread.GetEventsAsync("hooked")).Should().ContainSingle();
    }

    [StoreFact]
    public async Task Engines_WithSeparateStores_ConcurrentChangesOnSameDeals_LoseNothing()
    {
        const int engineCount = 3, deals = 3, tasks = 12, operationsPerTask = 12;
        var engines = new List<SalesFlowEngine>();
        for (var i = 0; i < engineCount; i++)
        {
            // The hook widens the window between reading a deal and saving it, so the engines really race.
            var options = new SalesFlowEngineOptions { ConflictRetryCount = 10_000 };
            options.Hooks.Add(new DelayingHook());
            engines.Add(new SalesFlowEngine(Pipelines, await OpenStoreAsync(), options));
        }

        for (var d = 0; d < deals; d++)
        {
            await engines[0].StartAsync(StorePipeline.Id, $"hot-{d}", new StoreDealData(), "alice");
        }

        var toggles = new ConcurrentDictionary<string, int>();
        var updates = new ConcurrentDictionary<string, int>();
        var retried = 0;
        await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            var random = new Random(t);
            for (var i = 0; i < operationsPerTask; i++)
            {
                var engine = engines[(t + i) % engineCount];
                var dealId = $"hot-{random.Next(deals)}";
                if (random.Next(2) == 0)
                {
                    var result = await engine.FireAsync(dealId, "toggle", new FireRequest($"task-{t}"));
                    result.Status.Should().Be(FireStatus.Accepted);
                    Interlocked.Add(ref retried, result.ConflictRetries);
                    toggles.AddOrUpdate(dealId, 1, (_, n) => n + 1);
                }
                else
                {
                    await engine.UpdateAsync<StoreDealData>(dealId, data => data.Counter++, $"task-{t}");
                    updates.AddOrUpdate(dealId, 1, (_, n) => n + 1);
                }
            }
        })));

        var reader = await OpenStoreAsync();
        for (var d = 0; d < deals; d++)
        {
            var id = $"hot-{d}";
            var deal = (await reader.GetAsync(id))!;
            var events = await reader.GetEventsAsync(id);
            var expectedEvents = 1 + toggles.GetValueOrDefault(id) + updates.GetValueOrDefault(id);

            events.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, expectedEvents).Select(i => (long)i), "sequences are gapless and unique");
            deal.LastSequence.Should().Be(expectedEvents);
            deal.Version.Should().Be(expectedEvents);
            deal.DataAs<StoreDealData>().Counter.Should().Be(updates.GetValueOrDefault(id), "no update is lost");
            events.Count(e => e.Trigger == "toggle").Should().Be(toggles.GetValueOrDefault(id));

            var replayed = events[0].ToStage;
            foreach (var e in events.Skip(1))
            {
                e.FromStage.Should().Be(replayed);
                replayed = e.ToStage;
            }

            deal.StageId.Should().Be(replayed, "the final stage equals the replay of the events");
        }

        (toggles.Values.Sum() + updates.Values.Sum()).Should().Be(tasks * operationsPerTask);
        retried.Should().BeGreaterThan(0, "the engines really raced on the same deals");
    }

    /// <summary>Opens a new store object on this test's database (for in-memory: the one store).</summary>
    /// <returns>The store; disposed when the test ends.</returns>
    protected async Task<IDealStore> OpenStoreAsync()
    {
        var store = await CreateStoreAsync();
        _opened.Add(store);
        return store;
    }

    /// <summary>Creates a store object on this test's database.</summary>
    /// <returns>The store.</returns>
    protected abstract Task<IDealStore> CreateStoreAsync();

    /// <summary>Closes a store as a host would at shutdown (no-op for in-memory).</summary>
    /// <param name="store">The store.</param>
    /// <returns>A task.</returns>
    protected virtual async Task CloseAsync(IDealStore store)
    {
        if (store is IAsyncDisposable disposable)
        {
            _opened.Remove(store);
            await disposable.DisposeAsync();
        }
    }

    private sealed class DelayingHook : IDealHook
    {
        public async ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken) =>
            await Task.Delay(Random.Shared.Next(3), cancellationToken);

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class ThrowingHook : IDealHook
    {
        public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The CRM refused the move.");

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
