using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using FluentAssertions;

namespace SalesFlow.Testing;

/// <content>Saves: one deal and several at once, optimistic concurrency, and every field coming back as saved.</content>
public abstract partial class DealStoreContractTests
{
    /// <summary>A created deal and its start event read back with every field as saved, through another store object.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_NewDeal_RoundTripsEveryField()
    {
        var store = await OpenStoreAsync();
        var at = ContractDeals.T0;
        var deal = ContractDeals.NewDeal("deal-1") with
        {
            StageId = "working",
            PreviousStageId = "open",
            Version = 1,
            LastSequence = 1,
            StageEnteredSequence = 1,
            Owner = "owner-7",
            Amount = 12345.6700m,
            Outcome = StageKind.Open,
            OutcomeReason = "reason text",
            NextFollowUpAt = at.AddDays(3),
            StageEnteredAt = at.AddSeconds(5),
            LastActivityAt = at.AddSeconds(7),
            UpdatedAt = at.AddSeconds(9),
            CompletedChecklistItems = ["call-logged", "b-item"],
            Data = new ContractDealData { Customer = "ACME", Counter = 3, Budget = 99.95m, Tags = ["x", "y"], IsSigned = true },
        };
        var started = ContractDeals.Started(deal, note: "first") with
        {
            Reason = "why",
            Activity = "custom",
            Trigger = "t",
            FromStage = "nowhere",
            OverriddenGuards = ["g.one", "g.two"],
            OverrideJustification = "manager said so",
            Properties = ContractDeals.Properties(("item", "call-logged"), ("linked", "deal-0")),
        };

        (await store.TrySaveAsync([new DealWrite(deal, 0, [started])])).Should().BeTrue();

        var reopened = await OpenStoreAsync();
        var loaded = (await reopened.GetAsync("deal-1"))!;
        loaded.Should().BeEquivalentTo(deal);
        loaded.PreviousStageId.Should().Be("open");
        loaded.Owner.Should().Be("owner-7");
        loaded.OutcomeReason.Should().Be("reason text");
        loaded.NextFollowUpAt.Should().Be(at.AddDays(3));
        loaded.CompletedChecklistItems.Should().BeEquivalentTo("call-logged", "b-item");
        loaded.Amount!.Value.ToString(CultureInfo.InvariantCulture).Should().Be("12345.6700", "the scale of amounts is kept");
        loaded.DataAs<ContractDealData>().Should().BeEquivalentTo(deal.Data);
        (await reopened.GetEventsAsync("deal-1")).Should().ContainSingle().Which.Should().BeEquivalentTo(started);
    }

    /// <summary>An update that changes every field, clearing the optional ones, reads back as saved.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_UpdateChangingEveryField_RoundTripsTheNewValues()
    {
        var store = await OpenStoreAsync();
        var created = ContractDeals.NewDeal("changing") with
        {
            Owner = "first-owner",
            Amount = 10m,
            OutcomeReason = "not yet",
            NextFollowUpAt = ContractDeals.T0.AddDays(1),
            CompletedChecklistItems = ["call-logged"],
        };
        await store.TrySaveAsync([ContractDeals.Create(created)]);
        var (next, e) = ContractDeals.Next(created);
        var changed = next with
        {
            StageId = "lost",
            PreviousStageId = "open",
            StageEnteredSequence = 2,
            StageEnteredAt = next.UpdatedAt,
            Outcome = StageKind.Lost,
            OutcomeReason = "budget cut",
            Owner = null,
            Amount = 0.0001m,
            NextFollowUpAt = null,
            CompletedChecklistItems = [],
            Data = new ContractDealData { Customer = "changed", Counter = 42, Budget = -1.5m, Tags = [], IsSigned = false },
        };

        (await store.TrySaveAsync([new DealWrite(changed, 1, [e with { Kind = DealEventKind.Transition, ToStage = "lost", Trigger = "lose" }])])).Should().BeTrue();

        var loaded = (await (await OpenStoreAsync()).GetAsync("changing"))!;
        loaded.Should().BeEquivalentTo(changed);
        loaded.StageEnteredSequence.Should().Be(2);
        loaded.Owner.Should().BeNull("a cleared owner stays cleared");
        loaded.NextFollowUpAt.Should().BeNull("a cleared follow-up stays cleared");
        loaded.CompletedChecklistItems.Should().BeEmpty();
        loaded.Amount.Should().Be(0.0001m);
    }

    /// <summary>Amounts read back with every digit and their scale (decimal, not floating point).</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_Amounts_KeepEveryDigitAndTheirScale()
    {
        var store = await OpenStoreAsync();
        decimal?[] amounts = [null, 0m, 0.01m, 1.10m, -250.5m, 12345.6700m, 123456789012345.6789m, 0.000001m];
        for (var i = 0; i < amounts.Length; i++)
        {
            var deal = ContractDeals.NewDeal($"amount-{i}") with { Amount = amounts[i] };
            (await store.TrySaveAsync([ContractDeals.Create(deal)])).Should().BeTrue();
        }

        var reopened = await OpenStoreAsync();
        for (var i = 0; i < amounts.Length; i++)
        {
            var loaded = (await reopened.GetAsync($"amount-{i}"))!.Amount;
            loaded.Should().Be(amounts[i]);
            loaded?.ToString(CultureInfo.InvariantCulture).Should().Be(amounts[i]!.Value.ToString(CultureInfo.InvariantCulture), "the scale of amounts is kept");
        }
    }

    /// <summary>Timestamps with any UTC offset read back as the same instants.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_TimestampsWithOffsets_RoundTripAsTheSameInstants()
    {
        var store = await OpenStoreAsync();
        var local = new DateTimeOffset(2025, 6, 1, 23, 30, 15, 123, TimeSpan.FromHours(-7));
        var deal = ContractDeals.NewDeal("tz", at: local) with { NextFollowUpAt = local.AddHours(1) };

        await store.TrySaveAsync([ContractDeals.Create(deal)]);

        var loaded = (await store.GetAsync("tz"))!;
        loaded.CreatedAt.Should().Be(local);
        loaded.CreatedAt.UtcTicks.Should().Be(local.UtcTicks);
        loaded.NextFollowUpAt.Should().Be(local.AddHours(1));
        (await store.GetEventsAsync("tz"))[0].Timestamp.Should().Be(local);
    }

    /// <summary>Creating a deal that exists is a conflict that keeps the first deal.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_CreateExistingDeal_ReturnsFalseAndKeepsTheFirst()
    {
        var store = await OpenStoreAsync();
        var first = ContractDeals.NewDeal("dup");
        await store.TrySaveAsync([ContractDeals.Create(first, "first")]);
        var second = ContractDeals.NewDeal("dup", stage: "working");

        var saved = await store.TrySaveAsync([ContractDeals.Create(second, "second")]);

        saved.Should().BeFalse();
        (await store.GetAsync("dup"))!.StageId.Should().Be("open");
        (await store.GetEventsAsync("dup")).Should().ContainSingle().Which.Note.Should().Be("first");
    }

    /// <summary>A save under a stale expected version is a conflict and never overwrites.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_StaleExpectedVersion_ReturnsFalseAndNeverOverwrites()
    {
        var store = await OpenStoreAsync();
        var deal = ContractDeals.NewDeal("stale");
        await store.TrySaveAsync([ContractDeals.Create(deal)]);

        (await store.TrySaveAsync([ContractDeals.Update(deal, "winner")])).Should().BeTrue();
        (await (await OpenStoreAsync()).TrySaveAsync([ContractDeals.Update(deal, "loser")])).Should().BeFalse();

        (await store.GetAsync("stale"))!.Version.Should().Be(2);
        (await store.GetEventsAsync("stale")).Select(e => e.Note).Should().Equal(null, "winner");
    }

    /// <summary>Updating a deal that does not exist is a conflict that stores nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_UnknownDealWithExpectedVersion_ReturnsFalse()
    {
        var store = await OpenStoreAsync();

        (await store.TrySaveAsync([ContractDeals.Update(ContractDeals.NewDeal("ghost"))])).Should().BeFalse();

        (await store.GetAsync("ghost")).Should().BeNull();
        (await store.GetEventsAsync("ghost")).Should().BeEmpty();
    }

    /// <summary>Events that do not continue the stored history are refused with an exception.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_EventsLeavingAGap_ThrowsAndSavesNothing()
    {
        var store = await OpenStoreAsync();
        var deal = ContractDeals.NewDeal("gap");
        await store.TrySaveAsync([ContractDeals.Create(deal)]);
        var (next, e) = ContractDeals.Next(deal);
        var skipping = next with { LastSequence = 3 };

        var act = async () => await store.TrySaveAsync([new DealWrite(skipping, 1, [e with { Sequence = 3 }])]);

        await act.Should().ThrowAsync<ArgumentException>();
        (await store.GetAsync("gap"))!.Version.Should().Be(1);
        (await store.GetEventsAsync("gap")).Should().ContainSingle();
    }

    /// <summary>A new version other than the expected one plus one is refused with an exception.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_VersionNotExpectedPlusOne_ThrowsArgumentException()
    {
        var store = await OpenStoreAsync();
        var deal = ContractDeals.NewDeal("v") with { Version = 5 };

        var act = async () => await store.TrySaveAsync([ContractDeals.Create(deal)]);

        await act.Should().ThrowAsync<ArgumentException>();
        (await store.GetAsync("v")).Should().BeNull();
    }

    /// <summary>A canceled save throws and stores nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_CanceledToken_ThrowsAndSavesNothing()
    {
        var store = await OpenStoreAsync();
        var deal = ContractDeals.NewDeal("cancel");

        var act = async () => await store.TrySaveAsync([ContractDeals.Create(deal)], new CancellationToken(canceled: true));

        await act.Should().ThrowAsync<OperationCanceledException>();
        (await store.GetAsync("cancel")).Should().BeNull();
    }

    /// <summary>A save of two deals, one created and one updated, stores both with their events.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_CreateAndUpdateTogether_SavesBothDealsAndTheirEvents()
    {
        var store = await OpenStoreAsync();
        var referrer = ContractDeals.NewDeal("referrer");
        await store.TrySaveAsync([ContractDeals.Create(referrer)]);
        var referred = ContractDeals.NewDeal("referred");

        var saved = await store.TrySaveAsync([ContractDeals.Update(referrer, "referred a deal"), ContractDeals.Create(referred, "referred by")]);

        saved.Should().BeTrue();
        var reader = await OpenStoreAsync();
        (await reader.GetAsync("referrer"))!.Version.Should().Be(2);
        (await reader.GetAsync("referred"))!.Version.Should().Be(1);
        (await reader.GetEventsAsync("referrer")).Select(e => e.Note).Should().Equal(null, "referred a deal");
        (await reader.GetEventsAsync("referred")).Select(e => e.Note).Should().Equal("referred by");
    }

    /// <summary>A conflict on the updated deal of a two-deal save stores neither deal and no event.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_ConflictOnTheUpdatedDeal_SavesNeitherDealNorAnyEvent()
    {
        var (store, feed) = await OpenFeedStoreAsync();
        var referrer = ContractDeals.NewDeal("referrer");
        await store.TrySaveAsync([ContractDeals.Create(referrer)]);
        await store.TrySaveAsync([ContractDeals.Update(referrer, "moved on meanwhile")]);
        var feedBefore = await feed.ReadFeedAsync(FeedPosition.Start, 100);

        var saved = await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal("referred")), ContractDeals.Update(referrer, "stale")]);

        saved.Should().BeFalse();
        var reader = await OpenStoreAsync();
        (await reader.GetAsync("referred")).Should().BeNull("the created deal is rolled back with the conflicting update");
        (await reader.GetEventsAsync("referred")).Should().BeEmpty();
        (await reader.GetAsync("referrer"))!.Version.Should().Be(2);
        (await reader.GetEventsAsync("referrer")).Select(e => e.Note).Should().Equal(null, "moved on meanwhile");
        (await feed.ReadFeedAsync(FeedPosition.Start, 100)).Should().BeEquivalentTo(feedBefore, o => o.WithStrictOrdering(), "a refused save adds nothing to the feed");
    }

    /// <summary>A conflict on the created deal of a two-deal save stores neither deal and no event.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_ConflictOnTheCreatedDeal_SavesNeitherDealNorAnyEvent()
    {
        var (store, feed) = await OpenFeedStoreAsync();
        var referrer = ContractDeals.NewDeal("referrer");
        var existing = ContractDeals.NewDeal("referred");
        await store.TrySaveAsync([ContractDeals.Create(referrer)]);
        await store.TrySaveAsync([ContractDeals.Create(existing, "already here")]);
        var feedBefore = await feed.ReadFeedAsync(FeedPosition.Start, 100);

        var saved = await store.TrySaveAsync([ContractDeals.Update(referrer, "referred a deal"), ContractDeals.Create(ContractDeals.NewDeal("referred", "working"), "duplicate")]);

        saved.Should().BeFalse();
        var reader = await OpenStoreAsync();
        (await reader.GetAsync("referrer"))!.Version.Should().Be(1, "the update is rolled back with the refused create");
        (await reader.GetEventsAsync("referrer")).Should().ContainSingle();
        (await reader.GetAsync("referred"))!.StageId.Should().Be("open");
        (await reader.GetEventsAsync("referred")).Should().ContainSingle().Which.Note.Should().Be("already here");
        (await feed.ReadFeedAsync(FeedPosition.Start, 100)).Should().BeEquivalentTo(feedBefore, o => o.WithStrictOrdering(), "a refused save adds nothing to the feed");
    }

    /// <summary>A two-deal save whose second write leaves a gap in its history is refused whole.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_OneWriteLeavingAGap_ThrowsAndSavesNeitherDeal()
    {
        var store = await OpenStoreAsync();
        var first = ContractDeals.NewDeal("first");
        var second = ContractDeals.NewDeal("second");
        await store.TrySaveAsync([ContractDeals.Create(first)]);
        await store.TrySaveAsync([ContractDeals.Create(second)]);
        var (next, e) = ContractDeals.Next(second);
        var gap = new DealWrite(next with { LastSequence = 3 }, 1, [e with { Sequence = 3 }]);

        var act = async () => await store.TrySaveAsync([ContractDeals.Update(first), gap]);

        await act.Should().ThrowAsync<ArgumentException>();
        (await store.GetAsync("first"))!.Version.Should().Be(1);
        (await store.GetEventsAsync("first")).Should().ContainSingle();
        (await store.GetEventsAsync("second")).Should().ContainSingle();
    }

    /// <summary>A save naming one deal twice is refused with an exception.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_SameDealTwice_ThrowsArgumentExceptionAndSavesNothing()
    {
        var store = await OpenStoreAsync();
        var deal = ContractDeals.NewDeal("twice");
        await store.TrySaveAsync([ContractDeals.Create(deal)]);
        var (second, secondEvent) = ContractDeals.Next(deal);
        var (third, thirdEvent) = ContractDeals.Next(second);

        var act = async () => await store.TrySaveAsync([new DealWrite(second, 1, [secondEvent]), new DealWrite(third, 2, [thirdEvent])]);

        await act.Should().ThrowAsync<ArgumentException>();
        (await store.GetAsync("twice"))!.Version.Should().Be(1);
        (await store.GetEventsAsync("twice")).Should().ContainSingle();
    }

    /// <summary>A save of no deals is refused with an exception.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_EmptyList_ThrowsArgumentException()
    {
        var store = await OpenStoreAsync();

        var act = async () => await store.TrySaveAsync([]);

        await act.Should().ThrowAsync<ArgumentException>();
    }

    /// <summary>Concurrent two-deal saves over the same deals, in both orders, each store both deals or neither, and all finish.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_ConcurrentMultiDealSavesInEveryOrder_AreAtomicAndNeverDeadlock()
    {
        const int dealCount = 6, tasks = 8, savesPerTask = 15;
        var ids = Enumerable.Range(0, dealCount).Select(i => $"pair-{i}").ToArray();
        var setup = await OpenStoreAsync();
        foreach (var id in ids)
        {
            await setup.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal(id))]);
        }

        var stores = new List<IDealStore>();
        for (var i = 0; i < 3; i++)
        {
            stores.Add(await OpenStoreAsync());
        }

        var notes = new ConcurrentBag<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            var random = new Random(t);
            var store = stores[t % stores.Count];
            for (var i = 0; i < savesPerTask; i++)
            {
                // Two different deals, in either order, so saves lock the same deals in opposite orders.
                var a = ids[random.Next(dealCount)];
                var b = ids[(Array.IndexOf(ids, a) + 1 + random.Next(dealCount - 1)) % dealCount];
                var note = $"t{t}-{i}";
                for (var attempt = 0; ; attempt++)
                {
                    attempt.Should().BeLessThan(10_000, "a save that reloads its deals succeeds eventually");
                    var dealA = (await store.GetAsync(a, timeout.Token))!;
                    var dealB = (await store.GetAsync(b, timeout.Token))!;
                    if (await store.TrySaveAsync([ContractDeals.Update(dealA, note), ContractDeals.Update(dealB, note)], timeout.Token))
                    {
                        notes.Add(note);
                        break;
                    }
                }
            }
        })));

        var reader = await OpenStoreAsync();
        var noteCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            var deal = (await reader.GetAsync(id))!;
            var events = await reader.GetEventsAsync(id);
            events.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), "sequences are gapless");
            deal.Version.Should().Be(events.Count);
            foreach (var e in events.Skip(1))
            {
                noteCounts[e.Note!] = noteCounts.GetValueOrDefault(e.Note!) + 1;
            }
        }

        notes.Should().HaveCount(tasks * savesPerTask);
        noteCounts.Keys.Should().BeEquivalentTo(notes, "exactly the successful saves are stored");
        noteCounts.Values.Should().AllSatisfy(n => n.Should().Be(2, "each save wrote both of its deals or neither"));
    }
}
