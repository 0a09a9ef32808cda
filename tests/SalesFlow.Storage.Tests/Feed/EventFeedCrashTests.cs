using SalesFlow.Pipelines;
using SalesFlow.PostgreSql;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Tests.Support;

namespace SalesFlow.Storage.Tests.Feed;

/// <summary>
/// Issue 9's crash test of the event feed: a process commits deal events, its handler handles some, and the process
/// dies (Environment.FailFast) right after a commit, before its after-commit work. After the restart the handler
/// receives exactly the events after its checkpoint: none before it, every one after it, in order per deal.
/// </summary>
[Collection(PostgresServerTests.Name)]
public class EventFeedCrashTests
{
    private static readonly string[] Deals = ["crash-1", "crash-2", "crash-3"];

    [Fact]
    public async Task Restart_SqliteProcessDiedRightAfterACommit_HandlerReceivesExactlyTheEventsAfterItsCheckpoint()
    {
        using var file = new TemporarySqliteFile();

        var crashed = await FeedCrashHostProcess.RunAsync("sqlite", file.Path);

        await using var store = new SqliteDealStore(new PipelineRegistry(SalesPipelines.All), new SqliteDealStoreOptions { DataSource = file.Path });
        await AssertRestartResumesFromTheCheckpointAsync(store, crashed);
    }

    [PostgresFact]
    public async Task Restart_PostgreSqlProcessDiedRightAfterACommit_HandlerReceivesExactlyTheEventsAfterItsCheckpoint()
    {
        await using var schema = new TemporaryPostgresSchema();

        var crashed = await FeedCrashHostProcess.RunAsync("postgres", schema.ConnectionString, schema.Name);

        await using var store = new PostgreSqlDealStore(
            new PipelineRegistry(SalesPipelines.All),
            new PostgreSqlDealStoreOptions { ConnectionString = schema.ConnectionString, Schema = schema.Name });
        await AssertRestartResumesFromTheCheckpointAsync(store, crashed);
    }

    private static async Task AssertRestartResumesFromTheCheckpointAsync(IDealStore store, FeedCrashHostProcess crashed)
    {
        if (crashed.ExitCode == FeedCrashHostProcess.StoreWithoutFeedExitCode)
        {
            throw new NotSupportedException("The crash host could not run the scenario: " + crashed.Errors.Trim());
        }

        crashed.ExitCode.Should().NotBe(0, "the host kills itself ({0})", crashed);
        crashed.LastLines.Should().Equal(["COMMITTED crash-1 Purchase", "FAILFAST"], "the host died right after its last commit ({0})", crashed);
        crashed.Output.Should().NotContain("UNREACHABLE");
        var feed = store as IEventFeedStore ?? throw new NotSupportedException(
            $"{store.GetType().Name} does not implement {nameof(IEventFeedStore)} yet, so the restart cannot read the event feed.");

        // The checkpoint survived the crash, in the middle of the history.
        var checkpoint = await feed.GetCheckpointAsync(FeedCrashHostProcess.Handler);
        crashed.Checkpoint.Should().Be(checkpoint, "the store keeps the checkpoint the host saved ({0})", crashed);
        crashed.Handled.Should().HaveCount(7).And.OnlyContain(h => h.Position <= checkpoint);

        // The restarted handler: another owner, once the dead process's lease has expired.
        var delivered = new List<FeedEvent>();
        var restarted = new EventFeedProcessor(feed, FeedCrashHostProcess.Handler, (e, _) =>
        {
            delivered.Add(e);
            return ValueTask.CompletedTask;
        }, new EventFeedProcessorOptions { Owner = "restarted", BatchSize = 3 });
        var result = await RunUntilTheLeaseIsFreeAsync(restarted);

        result.Status.Should().Be(EventFeedProcessStatus.CaughtUp);
        var all = await feed.ReadFeedAsync(FeedPosition.Start, 10_000);
        all.Should().HaveCount(11, "the host committed eleven events");
        Keys(delivered).Should().Equal(Keys(all.Where(e => e.Position > checkpoint)), "exactly the events after the checkpoint, in feed order");
        delivered.Should().HaveCount(4);
        delivered.Should().NotContain(e => e.Position <= checkpoint);
        delivered[^1].Event.DealId.Should().Be("crash-1");
        delivered[^1].Event.Trigger.Should().Be("Purchase", "the last commit before the crash is delivered");
        foreach (var dealId in Deals)
        {
            var history = await store.GetEventsAsync(dealId);
            var before = crashed.Handled.Where(h => h.DealId == dealId).Select(h => h.Sequence);
            var after = delivered.Where(e => e.Event.DealId == dealId).Select(e => e.Event.Sequence);
            before.Concat(after).Should().Equal(history.Select(e => e.Sequence), $"deal {dealId}'s history is handled whole, once, in order across the crash");
        }

        (await feed.GetCheckpointAsync(FeedCrashHostProcess.Handler)).Should().Be(all[^1].Position);
    }

    private static async Task<EventFeedProcessResult> RunUntilTheLeaseIsFreeAsync(EventFeedProcessor processor)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var result = await processor.ProcessAsync();
            if (result.Status != EventFeedProcessStatus.NotLeaseHolder || DateTime.UtcNow > deadline)
            {
                return result;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    private static IEnumerable<(FeedPosition, string, long)> Keys(IEnumerable<FeedEvent> events) =>
        events.Select(e => (e.Position, e.Event.DealId, e.Event.Sequence));
}
