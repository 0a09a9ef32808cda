using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests.Faults;

/// <summary>
/// One deal moved under a fault: started, the event feed run, one move that fails at a save step, then what the store
/// holds checked through a fresh store (the move whole or absent) and the feed run again after a move that succeeds
/// (every stored event delivered exactly once, in order, the checkpoint on the last one).
/// </summary>
internal sealed class MoveFaultScenario
{
    public const string Handler = "fault-feed";

    private readonly List<FeedEvent> _delivered = [];
    private readonly IDealStore _store;
    private readonly EventFeedProcessor _feed;

    public MoveFaultScenario(IDealStore store, string dealId)
    {
        _store = store;
        DealId = dealId;
        Engine = new SalesFlowEngine(ContractPipeline.Registry(), store);
        _feed = new EventFeedProcessor((IEventFeedStore)store, Handler, (e, _) =>
        {
            _delivered.Add(e);
            return ValueTask.CompletedTask;
        });
    }

    public string DealId { get; }

    public SalesFlowEngine Engine { get; }

    /// <summary>Starts the deal (stage open, version 1) and delivers its start event.</summary>
    public async Task StartAsync()
    {
        await Engine.StartAsync(ContractPipeline.Id, DealId, new ContractDealData(), "alice");
        await DeliverAsync();
    }

    /// <summary>The move that the fault hits: open → working.</summary>
    public Task<FireResult> MoveAsync() => MoveWithKeyAsync(null);

    /// <summary>The move, with an idempotency key.</summary>
    public Task<FireResult> MoveWithKeyAsync(string? idempotencyKey) =>
        Engine.FireAsync(DealId, "toggle", new FireRequest("bob") { IdempotencyKey = idempotencyKey }).AsTask();

    /// <summary>
    /// Checks through <paramref name="fresh"/> that the deal's row, events, sequence and version agree and that the
    /// failed move is either wholly stored or not at all; returns whether it is stored.
    /// </summary>
    public async Task<bool> AssertWholeOrAbsentAsync(IDealStore fresh)
    {
        var deal = (await fresh.GetAsync(DealId))!;
        var events = await fresh.GetEventsAsync(DealId);
        events.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), "sequences are gapless");
        deal.LastSequence.Should().Be(events.Count);
        deal.Version.Should().Be(events.Count, "every write of this scenario adds one event");
        deal.StageId.Should().Be(events[^1].ToStage, "the state equals the replay of its events");
        var stored = events.Count == 2;
        if (stored)
        {
            (deal.StageId, events[1].Trigger, events[1].FromStage).Should().Be(("working", "toggle", "open"));
        }
        else
        {
            events.Should().ContainSingle().Which.Kind.Should().Be(DealEventKind.Started);
            deal.StageId.Should().Be("open");
        }

        var mine = (await _store.GetAsync(DealId))!;
        (mine.Version, mine.StageId, mine.LastSequence).Should().Be((deal.Version, deal.StageId, deal.LastSequence), "the faulted store reads what a fresh one reads");
        return stored;
    }

    /// <summary>
    /// Moves the deal once more (it must succeed), runs the feed and checks that it delivered every stored event exactly
    /// once, in feed order, and saved its checkpoint on the last one.
    /// </summary>
    public async Task AssertFeedDeliversEveryEventOnceAfterAnotherMoveAsync()
    {
        (await Engine.FireAsync(DealId, "toggle", new FireRequest("carol"))).Accepted.Should().BeTrue("the store works again after the fault");
        var feedStore = (IEventFeedStore)_store;
        var stored = await _store.GetEventsAsync(DealId);

        // PostgreSQL's feed holds back events of transactions younger than one still running (a killed backend may take
        // a moment to end): late, never skipped, so wait for them rather than call the feed caught up.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (_delivered.Count < stored.Count && DateTime.UtcNow < deadline)
        {
            await DeliverAsync();
            if (_delivered.Count < stored.Count)
            {
                await Task.Delay(50);
            }
        }

        _delivered.Select(e => (e.Event.DealId, e.Event.Sequence)).Should().Equal(stored.Select(e => (e.DealId, e.Sequence)), "every stored event once, in order");
        _delivered.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        var all = await feedStore.ReadFeedAsync(FeedPosition.Start, 1000);
        all.Select(e => e.Position).Should().Equal(_delivered.Select(e => e.Position), "the feed holds no event that was not delivered");
        (await feedStore.GetCheckpointAsync(Handler)).Should().Be(_delivered[^1].Position, "the checkpoint is on the last event, none skipped");
    }

    private async Task DeliverAsync()
    {
        var result = await _feed.ProcessAsync();
        result.Status.Should().Be(EventFeedProcessStatus.CaughtUp);
    }
}
