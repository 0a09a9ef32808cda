using Microsoft.Extensions.Time.Testing;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Retail;

namespace SalesFlow.Tests.Feed;

/// <summary>An engine on the retail floor pipeline over an in-memory store whose leases expire by a fake clock.</summary>
public sealed class FeedHarness
{
    public const string Seller = "seller-1";
    public const string Handler = "feed-tests";

    public FeedHarness()
    {
        Store = new InMemoryDealStore(Time);
        Engine = new SalesFlowEngine(new PipelineRegistry(SalesPipelines.RetailFloor()), Store, new SalesFlowEngineOptions { TimeProvider = Time });
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    public InMemoryDealStore Store { get; }

    public SalesFlowEngine Engine { get; }

    public Task StartAsync(string dealId) =>
        Engine.StartAsync(SalesPipelines.RetailFloorId, dealId, new RetailDeal(), Seller).AsTask();

    public async Task MoveAsync(string dealId, string trigger)
    {
        var result = await Engine.FireAsync(dealId, trigger, new FireRequest(Seller) { Reason = "feed test" });
        result.EnsureAccepted();
    }

    /// <summary>Starts two deals and moves them in turns: 7 commits, one event each.</summary>
    public async Task CommitSevenEventsAsync(string first = "d1", string second = "d2")
    {
        await StartAsync(first);
        await StartAsync(second);
        await MoveAsync(first, RetailTriggers.ShowsCuriosity);
        await MoveAsync(second, RetailTriggers.ShowsCuriosity);
        await MoveAsync(first, RetailTriggers.SharesPersonalContext);
        await MoveAsync(second, RetailTriggers.WalkAway);
        await MoveAsync(first, RetailTriggers.AsksPriceCarefully);
    }

    /// <summary>Every committed event, in feed order, as the store holds it.</summary>
    public async Task<IReadOnlyList<FeedEvent>> AllEventsAsync() =>
        await Store.ReadFeedAsync(FeedPosition.Start, 10_000);

    public EventFeedProcessor Processor(IDealEventHandler handler, string owner, int batchSize = 100) =>
        new(Store, Handler, handler, new EventFeedProcessorOptions { Owner = owner, BatchSize = batchSize, LeaseDuration = TimeSpan.FromSeconds(30) });
}

/// <summary>Records what it is handed; can fail on chosen events or wait on a gate.</summary>
public sealed class RecordingHandler : IDealEventHandler
{
    private readonly List<FeedEvent> _handled = [];

    public IReadOnlyList<FeedEvent> Handled
    {
        get
        {
            lock (_handled)
            {
                return [.. _handled];
            }
        }
    }

    /// <summary>Throws for an event it returns true for (the event is not recorded).</summary>
    public Func<FeedEvent, bool>? FailWhen { get; set; }

    /// <summary>Runs before each event is recorded.</summary>
    public Func<FeedEvent, CancellationToken, Task>? Before { get; set; }

    public async ValueTask HandleAsync(FeedEvent feedEvent, CancellationToken cancellationToken)
    {
        if (Before is { } before)
        {
            await before(feedEvent, cancellationToken);
        }

        if (FailWhen?.Invoke(feedEvent) == true)
        {
            throw new InvalidOperationException("handler failed on purpose");
        }

        lock (_handled)
        {
            _handled.Add(feedEvent);
        }
    }
}
