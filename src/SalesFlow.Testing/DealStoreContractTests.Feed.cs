using System.Collections.Concurrent;
using FluentAssertions;

namespace SalesFlow.Testing;

/// <content>The event feed: every committed event once, in commit order, after any position.</content>
public abstract partial class DealStoreContractTests
{
    /// <summary>The feed of an empty store is empty.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ReadFeedAsync_EmptyStore_ReturnsNothing()
    {
        var (_, feed) = await OpenFeedStoreAsync();

        (await feed.ReadFeedAsync(FeedPosition.Start, 100)).Should().BeEmpty();
    }

    /// <summary>The feed returns events in commit order, with increasing positions, as they were stored.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ReadFeedAsync_SeveralSaves_ReturnsEventsInCommitOrderWithIncreasingPositions()
    {
        var (store, feed) = await OpenFeedStoreAsync();
        var a = ContractDeals.NewDeal("a");
        var b = ContractDeals.NewDeal("b");
        await store.TrySaveAsync([ContractDeals.Create(b, "b1")]);
        await store.TrySaveAsync([ContractDeals.Create(a, "a1")]);
        await store.TrySaveAsync([ContractDeals.Update(b, "b2")]);
        await store.TrySaveAsync([ContractDeals.Update(a, "a2")]);

        var events = await feed.ReadFeedAsync(FeedPosition.Start, 100);

        events.Select(e => e.Event.Note).Should().Equal("b1", "a1", "b2", "a2");
        events.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        events.Should().AllSatisfy(e => (e.Position > FeedPosition.Start).Should().BeTrue("every event comes after the start of the feed"));
        events.Should().AllSatisfy(e => e.PipelineId.Should().Be(ContractPipeline.Id));
        events[2].Event.Should().BeEquivalentTo((await store.GetEventsAsync("b"))[1], "the feed carries the stored event");
    }

    /// <summary>Reading the feed after any position returns exactly the events after it.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ReadFeedAsync_AfterAPosition_ReturnsOnlyLaterEvents()
    {
        var (store, feed) = await OpenFeedStoreAsync();
        for (var i = 0; i < 4; i++)
        {
            await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal($"d{i}"), $"n{i}")]);
        }

        // Two events in one commit, so a position inside a commit is read after too.
        var d0 = (await store.GetAsync("d0"))!;
        var (x, ex) = ContractDeals.Next(d0, "n4");
        var (y, ey) = ContractDeals.Next(x, "n5");
        await store.TrySaveAsync([new DealWrite(y with { Version = 2 }, 1, [ex, ey])]);
        var all = await feed.ReadFeedAsync(FeedPosition.Start, 100);

        all.Select(e => e.Event.Note).Should().Equal("n0", "n1", "n2", "n3", "n4", "n5");
        for (var i = 0; i < all.Count; i++)
        {
            var later = await feed.ReadFeedAsync(all[i].Position, 100);
            later.Select(e => e.Event.Note).Should().Equal(all.Skip(i + 1).Select(e => e.Event.Note), "reading after event {0} returns exactly the events after it", i);
            later.Select(e => e.Position).Should().Equal(all.Skip(i + 1).Select(e => e.Position), "positions are stable");
        }
    }

    /// <summary>A feed read returns at most its limit; reading on from the last position pages through all events.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ReadFeedAsync_Limit_ReturnsAtMostThatManyAndPagesThroughAll()
    {
        var (store, feed) = await OpenFeedStoreAsync();
        for (var i = 0; i < 10; i++)
        {
            await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal($"d{i:D2}"), $"n{i}")]);
        }

        var pages = new List<IReadOnlyList<FeedEvent>>();
        var after = FeedPosition.Start;
        while (pages.Count <= 10)
        {
            var page = await feed.ReadFeedAsync(after, 3);
            if (page.Count == 0)
            {
                break;
            }

            (page[0].Position > after).Should().BeTrue("a read returns only events after its position");
            pages.Add(page);
            after = page[^1].Position;
        }

        pages.Select(p => p.Count).Should().Equal(3, 3, 3, 1);
        pages.SelectMany(p => p).Select(e => e.Event.Note).Should().Equal(Enumerable.Range(0, 10).Select(i => $"n{i}"));
        (await feed.ReadFeedAsync(FeedPosition.Start, 1)).Should().ContainSingle().Which.Event.Note.Should().Be("n0");
        (await feed.ReadFeedAsync(FeedPosition.Start, 10_000)).Should().HaveCount(10);
    }

    /// <summary>A feed read limit outside 1 to 10,000 is refused.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ReadFeedAsync_LimitOutOfRange_ThrowsArgumentOutOfRangeException()
    {
        var (_, feed) = await OpenFeedStoreAsync();

        await FluentActions.Awaiting(async () => await feed.ReadFeedAsync(FeedPosition.Start, 0)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(async () => await feed.ReadFeedAsync(FeedPosition.Start, -1)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(async () => await feed.ReadFeedAsync(FeedPosition.Start, 10_001)).Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    /// <summary>The feed returns one deal's events in sequence order.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ReadFeedAsync_OneDeal_ReturnsItsEventsInSequenceOrder()
    {
        var (store, feed) = await OpenFeedStoreAsync();
        var deal = ContractDeals.NewDeal("ordered");
        await store.TrySaveAsync([ContractDeals.Create(deal)]);
        for (var i = 0; i < 5; i++)
        {
            var write = ContractDeals.Update(deal, $"n{i}");
            await store.TrySaveAsync([write]);
            await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal($"other-{i}"))]);
            deal = write.Deal;
        }

        var (a, ea) = ContractDeals.Next(deal, "a");
        var (b, eb) = ContractDeals.Next(a, "b");
        await store.TrySaveAsync([new DealWrite(b with { Version = deal.Version + 1 }, deal.Version, [ea, eb])]);

        var events = (await feed.ReadFeedAsync(FeedPosition.Start, 100)).Where(e => e.Event.DealId == "ordered").ToList();

        events.Select(e => e.Event.Sequence).Should().Equal(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        events.Select(e => e.Position).Should().BeInAscendingOrder();
    }

    /// <summary>Imported histories appear in the feed.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ReadFeedAsync_Import_ReturnsTheImportedHistories()
    {
        var (store, feed) = await OpenFeedStoreAsync();
        var batch = new[] { ContractDeals.Imported("imp-a", 3), ContractDeals.Imported("imp-b", 2) };

        await store.ImportAsync(batch);

        var events = await feed.ReadFeedAsync(FeedPosition.Start, 100);
        events.Should().HaveCount(5);
        events.Where(e => e.Event.DealId == "imp-a").Select(e => e.Event).Should().BeEquivalentTo(batch[0].Events, o => o.WithStrictOrdering());
        events.Where(e => e.Event.DealId == "imp-b").Select(e => e.Event).Should().BeEquivalentTo(batch[1].Events, o => o.WithStrictOrdering());
        events.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    /// <summary>The events of every deal of a multi-deal save appear in the feed.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ReadFeedAsync_MultiDealSave_ReturnsTheEventsOfEveryDeal()
    {
        var (store, feed) = await OpenFeedStoreAsync();
        var referrer = ContractDeals.NewDeal("referrer");
        await store.TrySaveAsync([ContractDeals.Create(referrer, "start")]);
        var before = await feed.ReadFeedAsync(FeedPosition.Start, 100);

        await store.TrySaveAsync([ContractDeals.Update(referrer, "referred"), ContractDeals.Create(ContractDeals.NewDeal("referred"), "referred by")]);

        before.Should().ContainSingle();
        var added = await feed.ReadFeedAsync(before[0].Position, 100);
        added.Select(e => (e.Event.DealId, e.Event.Note)).Should().BeEquivalentTo([("referrer", "referred"), ("referred", "referred by")]);
        added.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    /// <summary>Another store object on the same database (another process) reads every committed event.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ReadFeedAsync_FromAnotherStoreObject_ReturnsEveryCommittedEvent()
    {
        RequireIndependentStores();
        var (store, _) = await OpenFeedStoreAsync();
        await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal("seen-elsewhere"), "n0")]);
        await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal("seen-elsewhere-too"), "n1")]);

        var (_, otherFeed) = await OpenFeedStoreAsync();
        var events = await otherFeed.ReadFeedAsync(FeedPosition.Start, 100);

        events.Select(e => e.Event.Note).Should().Equal("n0", "n1");
    }

    /// <summary>A reader following the feed while writers commit receives every event once, each deal's in order, none skipped.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ReadFeedAsync_WritersRacingAFollowingReader_DeliversEveryEventOnceInOrder()
    {
        const int writers = 4, dealCount = 24, savesPerWriter = 40;
        var ids = Enumerable.Range(0, dealCount).Select(i => $"feed-{i:D2}").ToArray();
        var writerStores = new List<IDealStore>();
        for (var i = 0; i < writers; i++)
        {
            writerStores.Add(await OpenStoreAsync());
        }

        var (_, feed) = await OpenFeedStoreAsync();
        var committed = new ConcurrentBag<(string DealId, long Sequence)>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var writing = Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var store = writerStores[w];
            for (var i = 0; i < savesPerWriter; i++)
            {
                var id = ids[random.Next(dealCount)];
                for (var attempt = 0; ; attempt++)
                {
                    attempt.Should().BeLessThan(10_000, "a writer that reloads the deal succeeds eventually");
                    var deal = await store.GetAsync(id, timeout.Token);
                    var write = deal is null ? ContractDeals.Create(ContractDeals.NewDeal(id)) : ContractDeals.Update(deal, $"w{w}-{i}");
                    if (await store.TrySaveAsync([write], timeout.Token))
                    {
                        foreach (var e in write.Events)
                        {
                            committed.Add((id, e.Sequence));
                        }

                        break;
                    }
                }
            }
        })));

        // The reader follows the feed from its last position while the writers commit, as a handler does.
        var delivered = new List<FeedEvent>();
        var last = FeedPosition.Start;
        while (true)
        {
            var done = writing.IsCompleted;
            var page = await feed.ReadFeedAsync(last, 7, timeout.Token);
            delivered.AddRange(page);
            if (page.Count > 0)
            {
                (page[0].Position > last).Should().BeTrue("a read returns only events after its position");
                last = page[^1].Position;
            }
            else if (done)
            {
                break;
            }
            else
            {
                await Task.Delay(1, timeout.Token);
            }
        }

        await writing;
        delivered.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        var deliveredKeys = delivered.Select(e => (e.Event.DealId, e.Event.Sequence)).ToList();
        deliveredKeys.Should().OnlyHaveUniqueItems("every event is delivered once");
        deliveredKeys.Should().BeEquivalentTo(committed, "every committed event is delivered, none skipped");
        foreach (var deal in delivered.GroupBy(e => e.Event.DealId))
        {
            deal.Select(e => e.Event.Sequence).Should().Equal(Enumerable.Range(1, deal.Count()).Select(i => (long)i), "deal {0}'s events arrive in sequence order", deal.Key);
        }
    }
}
