using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Retail;

namespace SalesFlow.Extensions.Tests.Feed;

/// <summary>What the test handlers were handed, by which host and in which service scope.</summary>
public sealed class FeedLog
{
    private readonly ConcurrentQueue<(string Host, FeedEvent Event, Guid Scope)> _entries = new();

    public IReadOnlyList<(string Host, FeedEvent Event, Guid Scope)> Entries => [.. _entries];

    public IReadOnlyList<FeedEvent> Events => [.. _entries.Select(e => e.Event)];

    /// <summary>Throws instead of recording for an event it returns true for.</summary>
    public Func<FeedEvent, bool>? FailWhen { get; set; }

    /// <summary>Runs before each event is handled.</summary>
    public Func<FeedEvent, CancellationToken, Task>? Before { get; set; }

    public async ValueTask RecordAsync(string host, FeedEvent feedEvent, Guid scope, CancellationToken cancellationToken)
    {
        if (Before is { } before)
        {
            await before(feedEvent, cancellationToken);
        }

        if (FailWhen?.Invoke(feedEvent) == true)
        {
            throw new InvalidOperationException("customer Jane Doe, +1 555 0100");
        }

        _entries.Enqueue((host, feedEvent, scope));
    }
}

/// <summary>A scoped service: one per batch, disposed with the batch's scope.</summary>
public sealed class BatchScopeMarker : IDisposable
{
    public static ConcurrentBag<BatchScopeMarker> All { get; } = [];

    public BatchScopeMarker() => All.Add(this);

    public Guid Id { get; } = Guid.NewGuid();

    public bool Disposed { get; private set; }

    public void Dispose() => Disposed = true;
}

public sealed class HostName(string name)
{
    public string Name { get; } = name;
}

/// <summary>A handler type resolved per batch.</summary>
public sealed class RecordingFeedHandler(FeedLog log, BatchScopeMarker scope, HostName host) : IDealEventHandler
{
    public ValueTask HandleAsync(FeedEvent feedEvent, CancellationToken cancellationToken) =>
        log.RecordAsync(host.Name, feedEvent, scope.Id, cancellationToken);
}

/// <summary>A store that keeps deals but no event feed.</summary>
public sealed class StoreWithoutFeed : IDealStore
{
    private readonly InMemoryDealStore _inner = new();

    public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default) => _inner.GetAsync(dealId, cancellationToken);

    public ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default) => _inner.TrySaveAsync(writes, cancellationToken);

    public ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default) =>
        _inner.GetEventsAsync(dealId, afterSequence, limit, cancellationToken);

    public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default) => _inner.QueryAsync(query, cancellationToken);

    public ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default) => _inner.ImportAsync(batch, cancellationToken);
}

public static class FeedHosts
{
    public const string Handler = "recording";

    public static FakeTimeProvider LeaseClock() => new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    /// <summary>A host with the retail pipeline, <paramref name="store"/>, the recording handler and fast polling.</summary>
    public static IHost Build(
        IDealStore store,
        FeedLog log,
        string name = "host-1",
        IDictionary<string, string?>? configuration = null,
        Action<ISalesFlowBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>
        {
            ["SalesFlow:EventFeed:PollInterval"] = "00:00:00.020",
            ["SalesFlow:EventFeed:MaxFailureBackoff"] = "00:00:00.100",
            ["SalesFlow:EventFeed:Owner"] = name,
        });
        builder.Logging.AddFakeLogging().SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton(log);
        builder.Services.AddSingleton(new HostName(name));
        builder.Services.AddScoped<BatchScopeMarker>();
        var salesFlow = builder.Services.AddSalesFlow().AddRetailFloor().UseStore(_ => store);
        if (configure is null)
        {
            salesFlow.AddEventHandler<RecordingFeedHandler>(Handler);
        }
        else
        {
            configure(salesFlow);
        }

        return builder.Build();
    }

    public static async Task CommitAsync(SalesFlowEngine engine, string dealId, params string[] triggers)
    {
        if (await engine.Store.GetAsync(dealId) is null)
        {
            await engine.StartAsync(SalesPipelines.RetailFloorId, dealId, new RetailDeal(), "seller-1");
        }

        foreach (var trigger in triggers)
        {
            (await engine.FireAsync(dealId, trigger, new FireRequest("seller-1") { Reason = "feed test" })).EnsureAccepted();
        }
    }

    public static async Task EventuallyAsync(Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting: " + because);
            }

            await Task.Delay(10);
        }
    }

    public static async Task<IReadOnlyList<FeedEvent>> AllEventsAsync(IEventFeedStore store) =>
        await store.ReadFeedAsync(FeedPosition.Start, 10_000);
}
