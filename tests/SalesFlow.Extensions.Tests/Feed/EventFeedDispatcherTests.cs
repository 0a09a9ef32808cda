using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SalesFlow.Pipelines.Retail;
using static SalesFlow.Extensions.Tests.Feed.FeedHosts;

namespace SalesFlow.Extensions.Tests.Feed;

public class EventFeedDispatcherTests
{
    private readonly FeedLog _log = new();

    [Fact]
    public async Task Host_AfterCommits_HandlerReceivesEveryEventInOrder()
    {
        var store = new InMemoryDealStore();
        using var host = Build(store, _log);
        await host.StartAsync();
        var engine = host.Services.GetRequiredService<SalesFlowEngine>();

        await CommitAsync(engine, "d1", RetailTriggers.ShowsCuriosity);
        await CommitAsync(engine, "d2", RetailTriggers.WalkAway);
        await CommitAsync(engine, "d1", RetailTriggers.SharesPersonalContext, RetailTriggers.Purchase);
        await EventuallyAsync(() => _log.Events.Count >= 6, "six events handled");
        await host.StopAsync();

        _log.Events.Should().Equal(await AllEventsAsync(store));
        _log.Events.Where(e => e.Event.DealId == "d1").Select(e => e.Event).Should().Equal(await engine.GetHistoryAsync("d1"));
        (await store.GetCheckpointAsync(Handler)).Should().Be(_log.Events[^1].Position);
    }

    [Fact]
    public async Task Host_Tenants_HandlerRunsPerTenantOnItsOwnFeedCheckpointAndLease()
    {
        var store = new InMemoryDealStore();
        using var host = Build(store, _log, configuration: new Dictionary<string, string?>
        {
            ["SalesFlow:EventFeed:PollInterval"] = "00:00:00.020",
            ["SalesFlow:EventFeed:Owner"] = "host-1",
            ["SalesFlow:EventFeed:Tenants:0"] = "acme",
            ["SalesFlow:EventFeed:Tenants:1"] = "globex",
        });
        await host.StartAsync();
        var engine = host.Services.GetRequiredService<SalesFlowEngine>();

        // The same deal id in two tenants, and a default-tenant deal no listed tenant's handler may see.
        await CommitAsync(engine.ForTenant("acme"), "d1", RetailTriggers.ShowsCuriosity);
        await CommitAsync(engine.ForTenant("globex"), "d1", RetailTriggers.ShowsCuriosity, RetailTriggers.WalkAway);
        await CommitAsync(engine, "d0", RetailTriggers.ShowsCuriosity);
        await EventuallyAsync(() => _log.Events.Count >= 5, "the tenants' five events handled");
        await Task.Delay(100);
        await host.StopAsync();

        var acme = store.ForTenant("acme");
        var globex = store.ForTenant("globex");
        _log.Events.Should().HaveCount(5, "the default tenant is not listed, so its events are not delivered");
        _log.Events.Where(e => e.TenantId == "acme").Select(e => e.Event).Should().Equal(await acme.GetEventsAsync("d1"));
        _log.Events.Where(e => e.TenantId == "globex").Select(e => e.Event).Should().Equal(await globex.GetEventsAsync("d1"));
        (await acme.GetCheckpointAsync(Handler)).Should().Be((await AllEventsAsync(acme))[^1].Position);
        (await globex.GetCheckpointAsync(Handler)).Should().Be((await AllEventsAsync(globex))[^1].Position);
        (await store.GetCheckpointAsync(Handler)).Should().Be(FeedPosition.Start);
    }

    [Fact]
    public async Task Host_HandlerType_IsResolvedFromANewScopePerBatchAndTheScopeIsDisposed()
    {
        var store = new InMemoryDealStore();
        using (var seed = Build(store, new FeedLog(), configure: b => { }))
        {
            var engine = seed.Services.GetRequiredService<SalesFlowEngine>();
            await CommitAsync(engine, "d1", RetailTriggers.ShowsCuriosity, RetailTriggers.SharesPersonalContext);
            await CommitAsync(engine, "d2", RetailTriggers.WalkAway);
        }

        using var host = Build(store, _log, configure: b => b.AddEventHandler<RecordingFeedHandler>(Handler).ConfigureEventFeed(o => o.BatchSize = 2));
        await host.StartAsync();
        await EventuallyAsync(() => _log.Events.Count >= 5, "five events handled");
        await host.StopAsync();

        var scopes = _log.Entries.Select(e => e.Scope).ToList();
        scopes.Distinct().Should().HaveCount(3, "five events in batches of two make three batches");
        scopes.Should().Equal(scopes[0], scopes[0], scopes[2], scopes[2], scopes[4]);
        BatchScopeMarker.All.Where(m => scopes.Contains(m.Id)).Should().HaveCount(3).And.OnlyContain(m => m.Disposed);
    }

    [Fact]
    public async Task Host_DelegateHandler_ReceivesTheEvents()
    {
        var store = new InMemoryDealStore();
        var positions = new List<FeedPosition>();
        using var host = Build(store, _log, configure: b => b.AddEventHandler("delegate", (e, _) =>
        {
            lock (positions)
            {
                positions.Add(e.Position);
            }

            return ValueTask.CompletedTask;
        }));
        await host.StartAsync();

        await CommitAsync(host.Services.GetRequiredService<SalesFlowEngine>(), "d1", RetailTriggers.ShowsCuriosity);
        await EventuallyAsync(() => { lock (positions) { return positions.Count >= 2; } }, "two events handled");
        await host.StopAsync();

        positions.Should().Equal((await AllEventsAsync(store)).Select(e => e.Position));
        (await store.GetCheckpointAsync("delegate")).Should().Be(positions[^1]);
    }

    [Fact]
    public async Task Host_CaughtUp_WaitsThePollIntervalOfTheHostClockBeforeReadingAgain()
    {
        var clock = LeaseClock();
        var store = new InMemoryDealStore();
        using var host = Build(store, _log, configuration: new Dictionary<string, string?> { ["SalesFlow:EventFeed:PollInterval"] = "00:01:00", ["SalesFlow:EventFeed:LeaseDuration"] = "00:05:00" }, configure: b =>
        {
            b.Services.AddSingleton<TimeProvider>(clock);
            b.AddEventHandler<RecordingFeedHandler>(Handler);
        });
        var engine = host.Services.GetRequiredService<SalesFlowEngine>();
        await CommitAsync(engine, "d1");
        await host.StartAsync();
        await EventuallyAsync(() => _log.Events.Count >= 1, "the first poll handles the first event");

        await CommitAsync(engine, "d1", RetailTriggers.ShowsCuriosity);
        await Task.Delay(200);
        var beforeTheInterval = _log.Events.Count;
        // Advanced until the poll's timer fires: the loop may not have reached its wait when the clock first moves.
        await EventuallyAsync(
            () =>
            {
                clock.Advance(TimeSpan.FromMinutes(1));
                return _log.Events.Count >= 2;
            },
            "the next poll handles the second event");
        await host.StopAsync();

        beforeTheInterval.Should().Be(1, "a caught-up handler waits the poll interval");
    }

    [Fact]
    public async Task Host_HandlerFails_LogsIdsOnlyBacksOffAndRedeliversFromTheFailedEvent()
    {
        var store = new InMemoryDealStore();
        using var host = Build(store, _log);
        var engine = host.Services.GetRequiredService<SalesFlowEngine>();
        await CommitAsync(engine, "d1", RetailTriggers.ShowsCuriosity, RetailTriggers.SharesPersonalContext, RetailTriggers.Purchase);
        var all = await AllEventsAsync(store);
        var failuresLeft = 2;
        _log.FailWhen = e => e.Position == all[2].Position && Interlocked.Decrement(ref failuresLeft) >= 0;

        await host.StartAsync();
        await EventuallyAsync(() => _log.Events.Count >= 4, "every event handled after the failures");
        await host.StopAsync();

        _log.Events.Should().Equal(all, "the events before the failed one are not delivered again, the failed one and those after it are");
        var failures = host.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Id.Id == 1202).ToList();
        failures.Should().HaveCount(2);
        failures.Should().OnlyContain(r => r.Level == LogLevel.Error && r.Category == "SalesFlow.EventFeed");
        failures[0].Message.Should().Contain(all[2].Position.ToString()).And.Contain("d1").And.NotContain("Jane");
        failures[0].GetStructuredStateValue("Backoff").Should().Be(TimeSpan.FromMilliseconds(40).ToString(), "the first wait is twice the poll interval");
        failures[1].GetStructuredStateValue("Backoff").Should().Be(TimeSpan.FromMilliseconds(80).ToString(), "and doubles");
        failures[0].GetStructuredStateValue("Checkpoint").Should().Be(all[1].Position.ToString());
    }

    [Fact]
    public async Task Host_TwoHostsOnOneStore_OnlyOneHandlesAndTheOtherTakesOverWhenItStops()
    {
        var store = new InMemoryDealStore(LeaseClock());
        using var first = Build(store, _log, "host-1");
        using var second = Build(store, _log, "host-2");
        var engine = first.Services.GetRequiredService<SalesFlowEngine>();
        await CommitAsync(engine, "d1");
        await first.StartAsync();
        await EventuallyAsync(() => _log.Events.Count >= 1, "host-1 took the lease and handled the first event");
        await second.StartAsync();

        await CommitAsync(engine, "d1", RetailTriggers.ShowsCuriosity, RetailTriggers.SharesPersonalContext);
        await EventuallyAsync(() => _log.Events.Count >= 3, "three events handled");
        await Task.Delay(100);
        var whileBothRun = _log.Entries;
        await first.StopAsync();
        await CommitAsync(engine, "d1", RetailTriggers.Purchase);
        await EventuallyAsync(() => _log.Events.Count >= 4, "the fourth event handled");
        await second.StopAsync();

        whileBothRun.Should().HaveCount(3).And.OnlyContain(e => e.Host == "host-1");
        _log.Entries.Should().HaveCount(4);
        _log.Entries[3].Host.Should().Be("host-2", "a stopped host releases its lease, so the other takes over at once");
        _log.Events.Should().Equal(await AllEventsAsync(store));
    }

    [Fact]
    public async Task Host_HolderDiesWithoutReleasing_AnotherHostTakesOverAfterTheLeaseExpires()
    {
        var clock = LeaseClock();
        var store = new InMemoryDealStore(clock);
        using var first = Build(store, _log, "host-1");
        using var second = Build(store, _log, "host-2");
        var engine = first.Services.GetRequiredService<SalesFlowEngine>();
        await CommitAsync(engine, "d1", RetailTriggers.ShowsCuriosity);
        await first.StartAsync();
        await EventuallyAsync(() => _log.Events.Count >= 2, "host-1 handles the first events");
        using (var dead = new CancellationTokenSource())
        {
            await dead.CancelAsync();
            await first.StopAsync(dead.Token); // no time left to release: the lease stays, as when a process dies
        }

        await second.StartAsync();
        await CommitAsync(engine, "d1", RetailTriggers.Purchase);
        await Task.Delay(200);
        var beforeExpiry = _log.Events.Count;
        clock.Advance(TimeSpan.FromSeconds(31));
        await EventuallyAsync(() => _log.Events.Count >= 3, "host-2 takes over");
        await second.StopAsync();

        beforeExpiry.Should().Be(2, "the dead host's lease holds until it expires");
        _log.Entries[2].Host.Should().Be("host-2");
        _log.Events.Should().Equal(await AllEventsAsync(store));
    }

    [Fact]
    public async Task StopAsync_ReleasesTheLeases()
    {
        var store = new InMemoryDealStore(LeaseClock());
        using var host = Build(store, _log, "host-1");
        await CommitAsync(host.Services.GetRequiredService<SalesFlowEngine>(), "d1");
        await host.StartAsync();
        await EventuallyAsync(() => _log.Events.Count >= 1, "host-1 took the lease and handled the event");
        (await store.TryAcquireLeaseAsync(Handler, "other", TimeSpan.FromSeconds(30))).Should().BeFalse();

        await host.StopAsync();

        (await store.TryAcquireLeaseAsync(Handler, "other", TimeSpan.FromSeconds(30))).Should().BeTrue();
        var logs = host.Services.GetFakeLogCollector().GetSnapshot();
        logs.Should().Contain(r => r.Id.Id == 1200 && r.Message.Contains("recording") && r.Message.Contains("host-1"));
        logs.Should().Contain(r => r.Id.Id == 1206);
    }

    [Fact]
    public async Task StopAsync_WhileAHandlerRuns_CancelsItAndKeepsTheCheckpoint()
    {
        var store = new InMemoryDealStore();
        using var host = Build(store, _log);
        await CommitAsync(host.Services.GetRequiredService<SalesFlowEngine>(), "d1", RetailTriggers.ShowsCuriosity);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var observedCancellation = false;
        _log.Before = async (e, ct) =>
        {
            entered.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                observedCancellation = true;
                throw;
            }
        };
        await host.StartAsync();
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(15));

        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(15));

        observedCancellation.Should().BeTrue();
        _log.Events.Should().BeEmpty();
        (await store.GetCheckpointAsync(Handler)).Should().Be(FeedPosition.Start);
    }

    [Fact]
    public async Task StartAsync_StoreWithoutAFeed_FailsNamingTheStoreType()
    {
        using var host = Build(new StoreWithoutFeed(), _log);

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<InvalidOperationException>())
            .Which.Message.Should().Contain(typeof(StoreWithoutFeed).FullName).And.Contain(nameof(IEventFeedStore)).And.Contain(Handler);
    }
}
