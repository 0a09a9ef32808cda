using System.Globalization;
using SalesFlow;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Retail;
using SalesFlow.PostgreSql;
using SalesFlow.Sqlite;

// The event feed crash test's child process (run by SalesFlow.Storage.Tests, Feed/EventFeedCrashTests):
//   SalesFlow.FeedCrashHost sqlite <database file>
//   SalesFlow.FeedCrashHost postgres <connection string> [schema]
// It commits deal events, lets the handler "crash-test" handle some of them (checkpoint saved), commits more, and
// dies with Environment.FailFast right after the last commit, before the handler gets to the new events. Every line
// it writes is a fact the test checks against the store afterwards:
//   HANDLED <commit>.<offset> <deal id> <sequence>   the handler completed this event
//   CHECKPOINT <commit>.<offset>                     the handler's saved checkpoint before the last commits
//   COMMITTED <deal id> <trigger or "start">         a commit stands
//   FAILFAST                                         written just before the process kills itself
if (args.Length < 2 || args[0] is not ("sqlite" or "postgres"))
{
    await Console.Error.WriteLineAsync("Usage: SalesFlow.FeedCrashHost sqlite <file> | postgres <connection string> [schema]");
    return 2;
}

var registry = new PipelineRegistry(SalesPipelines.All);
IDealStore store;
if (args[0] == "sqlite")
{
    var sqlite = new SqliteDealStore(registry, new SqliteDealStoreOptions { DataSource = args[1] });
    await sqlite.EnsureSchemaAsync();
    store = sqlite;
}
else
{
    var postgres = new PostgreSqlDealStore(registry, new PostgreSqlDealStoreOptions
    {
        ConnectionString = args[1],
        Schema = args.Length > 2 ? args[2] : PostgreSqlDealStoreOptions.DefaultSchema,
    });
    await postgres.EnsureSchemaAsync();
    store = postgres;
}

if (store is not IEventFeedStore feed)
{
    await Console.Error.WriteLineAsync($"{store.GetType().Name} does not implement {nameof(IEventFeedStore)}: it keeps no event feed yet.");
    return 3;
}

var engine = new SalesFlowEngine(registry, store);
var processor = new EventFeedProcessor(
    feed,
    CrashScenario.Handler,
    (feedEvent, _) =>
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"HANDLED {feedEvent.Position} {feedEvent.Event.DealId} {feedEvent.Event.Sequence}"));
        return ValueTask.CompletedTask;
    },
    new EventFeedProcessorOptions { BatchSize = 2, LeaseDuration = CrashScenario.LeaseDuration, Owner = $"crash-host-{Environment.ProcessId}" });

// Commits the handler handles, in full.
await StartAsync("crash-1");
await StartAsync("crash-2");
await MoveAsync("crash-1", RetailTriggers.ShowsCuriosity);
await MoveAsync("crash-2", RetailTriggers.ShowsCuriosity);
await MoveAsync("crash-1", RetailTriggers.SharesPersonalContext);
Require((await processor.ProcessAsync()).Status == EventFeedProcessStatus.CaughtUp, "the first run catches up");

// Commits the handler handles in part: one batch of two, the checkpoint saved between them.
await StartAsync("crash-3");
await MoveAsync("crash-2", RetailTriggers.WalkAway);
await MoveAsync("crash-3", RetailTriggers.ShowsCuriosity);
Require((await processor.ProcessBatchAsync()).Status == EventFeedProcessStatus.MoreAvailable, "one full batch is handled");
Console.WriteLine($"CHECKPOINT {await feed.GetCheckpointAsync(CrashScenario.Handler)}");

// Commits the handler never gets to: the process dies right after the last one.
await MoveAsync("crash-1", RetailTriggers.AsksPriceCarefully);
await MoveAsync("crash-3", RetailTriggers.SharesPersonalContext);
await MoveAsync("crash-1", RetailTriggers.Purchase);
Console.WriteLine("FAILFAST");
Environment.FailFast("FeedCrashHost: dying between a commit and its after-commit work, as the crash test intends.");
Console.WriteLine("UNREACHABLE");
return 0;

async Task StartAsync(string dealId)
{
    await engine.StartAsync(SalesPipelines.RetailFloorId, dealId, new RetailDeal(), CrashScenario.Actor);
    Console.WriteLine($"COMMITTED {dealId} start");
}

async Task MoveAsync(string dealId, string trigger)
{
    (await engine.FireAsync(dealId, trigger, new FireRequest(CrashScenario.Actor) { Reason = "crash test" })).EnsureAccepted();
    Console.WriteLine($"COMMITTED {dealId} {trigger}");
}

static void Require(bool condition, string what)
{
    if (!condition)
    {
        throw new InvalidOperationException("FeedCrashHost: expected " + what + ".");
    }
}

/// <summary>What the crash host and the crash test agree on.</summary>
internal static class CrashScenario
{
    public const string Handler = "crash-test";

    public const string Actor = "crash-host";

    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(2);
}
