using FluentAssertions;

namespace SalesFlow.Testing;

/// <content>Feed handlers: checkpoints, and the lease that keeps each handler in one process at a time.</content>
public abstract partial class DealStoreContractTests
{
    private const string Handler = "contract-handler";
    private const string OwnerA = "process-a";
    private const string OwnerB = "process-b";
    private static readonly TimeSpan LongLease = TimeSpan.FromMinutes(5);

    /// <summary>A handler without a checkpoint starts at the start of the feed.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task GetCheckpointAsync_NewHandler_ReturnsStart()
    {
        var (_, feed) = await OpenFeedStoreAsync();

        (await feed.GetCheckpointAsync(Handler)).Should().Be(FeedPosition.Start);
    }

    /// <summary>A valid lease is not taken by another owner; its holder renews it.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TryAcquireLeaseAsync_HeldByAnotherOwner_ReturnsFalse()
    {
        var (_, feed) = await OpenFeedStoreAsync();

        (await feed.TryAcquireLeaseAsync(Handler, OwnerA, LongLease)).Should().BeTrue();
        (await feed.TryAcquireLeaseAsync(Handler, OwnerB, LongLease)).Should().BeFalse("A's lease is still valid");
        (await feed.TryAcquireLeaseAsync(Handler, OwnerA, LongLease)).Should().BeTrue("the holder renews its lease");
    }

    /// <summary>A renewal extends the lease: other owners stay out past its first expiry.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TryAcquireLeaseAsync_HolderRenewsBeforeExpiry_KeepsOthersOutPastTheFirstExpiry()
    {
        var (_, feed) = await OpenFeedStoreAsync();
        (await feed.TryAcquireLeaseAsync(Handler, OwnerA, TimeSpan.FromMilliseconds(300))).Should().BeTrue();

        (await feed.TryAcquireLeaseAsync(Handler, OwnerA, LongLease)).Should().BeTrue();
        await Task.Delay(TimeSpan.FromMilliseconds(800));

        (await feed.TryAcquireLeaseAsync(Handler, OwnerB, LongLease)).Should().BeFalse("the renewal extended A's lease past its first expiry");
        (await feed.TrySaveCheckpointAsync(Handler, OwnerA, new FeedPosition(1, 0))).Should().BeTrue();
    }

    /// <summary>Each handler has a lease and a checkpoint of its own.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TryAcquireLeaseAsync_DifferentHandlers_HaveIndependentLeases()
    {
        var (_, feed) = await OpenFeedStoreAsync();

        (await feed.TryAcquireLeaseAsync("handler-1", OwnerA, LongLease)).Should().BeTrue();
        (await feed.TryAcquireLeaseAsync("handler-2", OwnerB, LongLease)).Should().BeTrue();
        (await feed.TrySaveCheckpointAsync("handler-2", OwnerB, new FeedPosition(7, 0))).Should().BeTrue();

        (await feed.TrySaveCheckpointAsync("handler-1", OwnerB, new FeedPosition(9, 0))).Should().BeFalse();
        (await feed.GetCheckpointAsync("handler-1")).Should().Be(FeedPosition.Start);
        (await feed.GetCheckpointAsync("handler-2")).Should().Be(new FeedPosition(7, 0));
    }

    /// <summary>The lease holder saves its checkpoint; another owner cannot.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveCheckpointAsync_LeaseHolder_SavesAndOtherOwnersAreRefused()
    {
        var (store, feed) = await OpenFeedStoreAsync();
        await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal("d0"))]);
        await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal("d1"))]);
        var events = await feed.ReadFeedAsync(FeedPosition.Start, 10);
        (await feed.TryAcquireLeaseAsync(Handler, OwnerA, LongLease)).Should().BeTrue();

        (await feed.TrySaveCheckpointAsync(Handler, OwnerA, events[0].Position)).Should().BeTrue();
        (await feed.TrySaveCheckpointAsync(Handler, OwnerB, events[1].Position)).Should().BeFalse("B does not hold the lease");

        var checkpoint = await feed.GetCheckpointAsync(Handler);
        checkpoint.Should().Be(events[0].Position);
        (await feed.ReadFeedAsync(checkpoint, 10)).Should().ContainSingle().Which.Event.DealId.Should().Be("d1");
    }

    /// <summary>A checkpoint keeps the latest position saved, both of its parts.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveCheckpointAsync_SavedTwice_KeepsTheLatestWithBothParts()
    {
        var (_, feed) = await OpenFeedStoreAsync();
        (await feed.TryAcquireLeaseAsync(Handler, OwnerA, LongLease)).Should().BeTrue();

        (await feed.TrySaveCheckpointAsync(Handler, OwnerA, new FeedPosition(3, 0))).Should().BeTrue();
        (await feed.TrySaveCheckpointAsync(Handler, OwnerA, new FeedPosition(1_234_567_890_123, 42))).Should().BeTrue();

        (await feed.GetCheckpointAsync(Handler)).Should().Be(new FeedPosition(1_234_567_890_123, 42));
    }

    /// <summary>A checkpoint is not saved by an owner that never took the lease.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveCheckpointAsync_NobodyTookTheLease_ReturnsFalse()
    {
        var (_, feed) = await OpenFeedStoreAsync();

        (await feed.TrySaveCheckpointAsync(Handler, OwnerA, new FeedPosition(1, 0))).Should().BeFalse();

        (await feed.GetCheckpointAsync(Handler)).Should().Be(FeedPosition.Start);
    }

    /// <summary>A released lease can be taken by another owner at once; the checkpoint stays.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ReleaseLeaseAsync_ByTheHolder_LetsAnotherOwnerTakeItAtOnce()
    {
        var (_, feed) = await OpenFeedStoreAsync();
        (await feed.TryAcquireLeaseAsync(Handler, OwnerA, LongLease)).Should().BeTrue();
        (await feed.TrySaveCheckpointAsync(Handler, OwnerA, new FeedPosition(5, 0))).Should().BeTrue();

        await feed.ReleaseLeaseAsync(Handler, OwnerA);

        (await feed.TrySaveCheckpointAsync(Handler, OwnerA, new FeedPosition(6, 0))).Should().BeFalse("A gave the lease up");
        (await feed.TryAcquireLeaseAsync(Handler, OwnerB, LongLease)).Should().BeTrue();
        (await feed.GetCheckpointAsync(Handler)).Should().Be(new FeedPosition(5, 0), "the checkpoint outlives the lease");
        (await feed.TrySaveCheckpointAsync(Handler, OwnerB, new FeedPosition(6, 0))).Should().BeTrue();
    }

    /// <summary>Releasing a lease one does not hold changes nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ReleaseLeaseAsync_ByAnotherOwner_LeavesTheLeaseWithItsHolder()
    {
        var (_, feed) = await OpenFeedStoreAsync();
        (await feed.TryAcquireLeaseAsync(Handler, OwnerA, LongLease)).Should().BeTrue();

        await feed.ReleaseLeaseAsync(Handler, OwnerB);
        await feed.ReleaseLeaseAsync("never-leased", OwnerB);

        (await feed.TryAcquireLeaseAsync(Handler, OwnerB, LongLease)).Should().BeFalse();
        (await feed.TrySaveCheckpointAsync(Handler, OwnerA, new FeedPosition(1, 0))).Should().BeTrue();
    }

    /// <summary>An expired lease can be taken by another owner, and then the old owner can no longer save its checkpoint.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TryAcquireLeaseAsync_LeaseExpired_AnotherOwnerTakesItAndTheOldOwnerCannotSave()
    {
        var (_, feed) = await OpenFeedStoreAsync();
        (await feed.TryAcquireLeaseAsync(Handler, OwnerA, TimeSpan.FromMilliseconds(300))).Should().BeTrue();
        (await feed.TrySaveCheckpointAsync(Handler, OwnerA, new FeedPosition(2, 0))).Should().BeTrue();

        // The store's own clock decides expiry (the database's, for a database store): wait well past it.
        await Task.Delay(TimeSpan.FromMilliseconds(900));

        (await feed.TryAcquireLeaseAsync(Handler, OwnerB, LongLease)).Should().BeTrue("A's lease expired");
        (await feed.TrySaveCheckpointAsync(Handler, OwnerA, new FeedPosition(3, 0))).Should().BeFalse("A lost the lease to B");
        (await feed.TryAcquireLeaseAsync(Handler, OwnerA, LongLease)).Should().BeFalse("B holds the lease now");
        (await feed.GetCheckpointAsync(Handler)).Should().Be(new FeedPosition(2, 0));
    }

    /// <summary>An owner whose lease expired cannot save its checkpoint.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveCheckpointAsync_OwnLeaseExpired_ReturnsFalse()
    {
        var (_, feed) = await OpenFeedStoreAsync();
        (await feed.TryAcquireLeaseAsync(Handler, OwnerA, TimeSpan.FromMilliseconds(300))).Should().BeTrue();

        await Task.Delay(TimeSpan.FromMilliseconds(900));

        (await feed.TrySaveCheckpointAsync(Handler, OwnerA, new FeedPosition(3, 0))).Should().BeFalse("a handler whose lease expired may already have been replaced");
        (await feed.GetCheckpointAsync(Handler)).Should().Be(FeedPosition.Start);
    }

    /// <summary>Checkpoints and leases survive a restart (a new store object on the same database).</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task GetCheckpointAsync_AfterRestart_ReturnsTheSavedCheckpointAndTheLeaseHolds()
    {
        RequireIndependentStores();
        var (first, firstFeed) = await OpenFeedStoreAsync();
        (await firstFeed.TryAcquireLeaseAsync(Handler, OwnerA, LongLease)).Should().BeTrue();
        (await firstFeed.TrySaveCheckpointAsync(Handler, OwnerA, new FeedPosition(11, 3))).Should().BeTrue();
        await CloseAsync(first);

        var (_, restarted) = await OpenFeedStoreAsync();

        (await restarted.GetCheckpointAsync(Handler)).Should().Be(new FeedPosition(11, 3));
        (await restarted.TryAcquireLeaseAsync(Handler, OwnerB, LongLease)).Should().BeFalse("A's lease is kept in the database");
        (await restarted.TrySaveCheckpointAsync(Handler, OwnerA, new FeedPosition(12, 0))).Should().BeTrue();
    }

    /// <summary>Owners racing for a lease through separate store objects: exactly one gets it.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TryAcquireLeaseAsync_TwoStoreObjectsRacing_GrantsTheLeaseToOneOwner()
    {
        RequireIndependentStores();
        var feeds = new List<IEventFeedStore>();
        for (var i = 0; i < 4; i++)
        {
            feeds.Add((await OpenFeedStoreAsync()).Feed);
        }

        var granted = await Task.WhenAll(feeds.Select((feed, i) => Task.Run(async () => await feed.TryAcquireLeaseAsync(Handler, $"process-{i}", LongLease))));

        granted.Count(g => g).Should().Be(1, "one process at a time holds a handler's lease");
    }

    /// <summary>Every event feed member refuses blank or overlong names and non-positive lease durations.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task EventFeedMembers_InvalidArguments_Throw()
    {
        var (_, feed) = await OpenFeedStoreAsync();
        var tooLong = new string('h', 201);

        foreach (var blank in new[] { null!, "", "   " })
        {
            await FluentActions.Awaiting(async () => await feed.GetCheckpointAsync(blank)).Should().ThrowAsync<ArgumentException>();
            await FluentActions.Awaiting(async () => await feed.TryAcquireLeaseAsync(blank, OwnerA, LongLease)).Should().ThrowAsync<ArgumentException>();
            await FluentActions.Awaiting(async () => await feed.TryAcquireLeaseAsync(Handler, blank, LongLease)).Should().ThrowAsync<ArgumentException>();
            await FluentActions.Awaiting(async () => await feed.TrySaveCheckpointAsync(blank, OwnerA, FeedPosition.Start)).Should().ThrowAsync<ArgumentException>();
            await FluentActions.Awaiting(async () => await feed.TrySaveCheckpointAsync(Handler, blank, FeedPosition.Start)).Should().ThrowAsync<ArgumentException>();
            await FluentActions.Awaiting(async () => await feed.ReleaseLeaseAsync(blank, OwnerA)).Should().ThrowAsync<ArgumentException>();
            await FluentActions.Awaiting(async () => await feed.ReleaseLeaseAsync(Handler, blank)).Should().ThrowAsync<ArgumentException>();
        }

        await FluentActions.Awaiting(async () => await feed.GetCheckpointAsync(tooLong)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await feed.TryAcquireLeaseAsync(Handler, tooLong, LongLease)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await feed.TryAcquireLeaseAsync(Handler, OwnerA, TimeSpan.Zero)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(async () => await feed.TryAcquireLeaseAsync(Handler, OwnerA, TimeSpan.FromSeconds(-1))).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(async () => await feed.ReadFeedAsync(FeedPosition.Start, 0)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        (await feed.TryAcquireLeaseAsync(Handler, OwnerB, LongLease)).Should().BeTrue("no refused call took the lease");
    }
}
