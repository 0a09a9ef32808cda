using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SalesFlow;
using SalesFlow.LoadWorker;
using SalesFlow.PostgreSql;
using SalesFlow.Sqlite;

// The two-process and SIGKILL tests' child process (run by SalesFlow.Storage.Tests, Processes/LoadWorkerProcess):
//   SalesFlow.LoadWorker sqlite <database file> <worker id> <seed> <moves | seconds with "s"> <deals> [concurrency [think ms]]
//   SalesFlow.LoadWorker postgres <connection string> <schema> <worker id> <seed> <moves | seconds with "s"> <deals> [concurrency [think ms]]
// It opens the store through the public API and, in [concurrency] loops (default 1), picks a random deal of the
// shared set (load-000 …, started by the test) and fires a random trigger of the load pipeline through
// SalesFlowEngine.FireAsync, or records an activity (one write in four). Conflict retries are off, so two writers on
// one deal really conflict; a conflict is the only handled outcome. With [think ms] above 0, a before-save hook waits
// that long between reading the deal and saving it (as a hook doing I/O would), outside the store's write lock, so
// the writers of both processes interleave instead of taking the lock in long turns. Lines on stdout:
//   READY                          the store is open; writes begin after one line on stdin (or its end), so a
//                                  test can start several workers at the same moment; a later line STOP on stdin
//                                  ends the run early (the loops finish their current write, the tally follows)
//   ACK <deal id> <sequence>       a write was accepted: the deal's event of that sequence is this worker's
//   TALLY {json}                   the last line: accepted moves and activities, conflicts, attempts, seconds
// Anything else (a refusal, an exception) is printed to stderr and the exit code is 1; bad arguments exit with 2.
if (!WorkerArguments.TryParse(args, out var arguments, out var problem))
{
    await Console.Error.WriteLineAsync(problem);
    await Console.Error.WriteLineAsync(
        "Usage: SalesFlow.LoadWorker sqlite <file> <worker> <seed> <moves|Ns> <deals> [concurrency]\n" +
        "       SalesFlow.LoadWorker postgres <connection string> <schema> <worker> <seed> <moves|Ns> <deals> [concurrency]");
    return 2;
}

var registry = new PipelineRegistry(LoadPipeline.Build());
IDealStore store = arguments.Store == "sqlite"
    ? new SqliteDealStore(registry, new SqliteDealStoreOptions { DataSource = arguments.Database })
    : new PostgreSqlDealStore(registry, new PostgreSqlDealStoreOptions { ConnectionString = arguments.Database, Schema = arguments.Schema! });
try
{
    var options = new SalesFlowEngineOptions { ConflictRetryCount = 0 };
    if (arguments.ThinkTime > TimeSpan.Zero)
    {
        options.Hooks.Add(new ThinkTimeHook(arguments.ThinkTime));
    }

    var engine = new SalesFlowEngine(registry, store, options);
    var actor = LoadPipeline.Actor(arguments.WorkerId);
    var tally = new Tally();
    var clock = Stopwatch.StartNew();
    var attempts = 0L;
    Console.WriteLine("READY");
    await Console.In.ReadLineAsync();
    clock.Restart();
    using var stop = new CancellationTokenSource();
    _ = Task.Run(async () =>
    {
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line == "STOP")
            {
                await stop.CancelAsync();
                return;
            }
        }
    });

    async Task RunLoopAsync(int loop)
    {
        var random = new Random(HashCode.Combine(arguments.Seed, loop));
        while (!stop.IsCancellationRequested
            && (arguments.Duration is { } duration ? clock.Elapsed < duration : Interlocked.Increment(ref attempts) <= arguments.Moves))
        {
            var dealId = LoadPipeline.DealId(random.Next(arguments.Deals));
            if (random.Next(4) == 0)
            {
                try
                {
                    var deal = await engine.RecordActivityAsync(dealId, new ActivityRequest(actor) { Activity = LoadPipeline.Activity, Note = "load call" });
                    tally.Activity(dealId, deal.LastSequence);
                }
                catch (DealConflictException)
                {
                    tally.ActivityConflict();
                }

                continue;
            }

            var trigger = LoadPipeline.Triggers[random.Next(LoadPipeline.Triggers.Length)];
            var result = await engine.FireAsync(dealId, trigger, new FireRequest(actor) { Note = "load move" });
            switch (result.Status)
            {
                case FireStatus.Accepted:
                    tally.Move(dealId, result.Deal.LastSequence);
                    break;
                case FireStatus.Conflict:
                    tally.MoveConflict();
                    break;
                default:
                    throw new InvalidOperationException($"LoadWorker: {result} — every trigger of the load pipeline is permitted from every stage; only Accepted or Conflict is expected.");
            }
        }
    }

    await Task.WhenAll(Enumerable.Range(0, arguments.Concurrency).Select(RunLoopAsync));
    Console.WriteLine("TALLY " + tally.ToJson(arguments.WorkerId, clock.Elapsed));
    return 0;
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync("LoadWorker failed: " + ex);
    return 1;
}
finally
{
    await ((IAsyncDisposable)store).DisposeAsync();
}

/// <summary>What one worker counted; safe for its concurrent loops.</summary>
internal sealed class Tally
{
    private long _moves;
    private long _activities;
    private long _moveConflicts;
    private long _activityConflicts;

    public void Move(string dealId, long sequence)
    {
        Interlocked.Increment(ref _moves);
        Acknowledge(dealId, sequence);
    }

    public void Activity(string dealId, long sequence)
    {
        Interlocked.Increment(ref _activities);
        Acknowledge(dealId, sequence);
    }

    public void MoveConflict() => Interlocked.Increment(ref _moveConflicts);

    public void ActivityConflict() => Interlocked.Increment(ref _activityConflicts);

    public string ToJson(string workerId, TimeSpan elapsed) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["worker"] = workerId,
        ["moves"] = _moves,
        ["activities"] = _activities,
        ["moveConflicts"] = _moveConflicts,
        ["activityConflicts"] = _activityConflicts,
        ["seconds"] = Math.Round(elapsed.TotalSeconds, 3),
    });

    // Written once the write is accepted: a killed worker's last acknowledged writes are all in the store.
    private static void Acknowledge(string dealId, long sequence) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ACK {dealId} {sequence}"));
}

/// <summary>Waits between reading a deal and saving it, as a before-save hook doing I/O would.</summary>
internal sealed class ThinkTimeHook(TimeSpan thinkTime) : IDealHook
{
    public async ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken) =>
        await Task.Delay(thinkTime, cancellationToken);

    public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>The worker's command line.</summary>
internal sealed record WorkerArguments(string Store, string Database, string? Schema, string WorkerId, int Seed, long Moves, TimeSpan? Duration, int Deals, int Concurrency, TimeSpan ThinkTime)
{
    public static bool TryParse(string[] args, out WorkerArguments arguments, out string problem)
    {
        arguments = null!;
        problem = "";
        var rest = args.Length > 0 && args[0] == "postgres" ? 3 : 2;
        if (args.Length < rest + 4 || args.Length > rest + 6 || args[0] is not ("sqlite" or "postgres"))
        {
            problem = "Wrong number of arguments, or an unknown store kind.";
            return false;
        }

        var schema = args[0] == "postgres" ? args[2] : null;
        var run = args[rest + 2];
        TimeSpan? duration = null;
        long moves = 0;
        if (run.EndsWith('s') && double.TryParse(run[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            duration = TimeSpan.FromSeconds(seconds);
        }
        else if (!long.TryParse(run, NumberStyles.None, CultureInfo.InvariantCulture, out moves) || moves <= 0)
        {
            problem = $"'{run}' is neither a number of moves nor a duration such as 20s.";
            return false;
        }

        if (!int.TryParse(args[rest + 1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed)
            || !int.TryParse(args[rest + 3], NumberStyles.None, CultureInfo.InvariantCulture, out var deals) || deals <= 0)
        {
            problem = "The seed must be a number and the deal count a positive number.";
            return false;
        }

        var concurrency = 1;
        if (args.Length > rest + 4 && (!int.TryParse(args[rest + 4], NumberStyles.None, CultureInfo.InvariantCulture, out concurrency) || concurrency <= 0))
        {
            problem = "The concurrency must be a positive number.";
            return false;
        }

        var think = 0;
        if (args.Length > rest + 5 && !int.TryParse(args[rest + 5], NumberStyles.None, CultureInfo.InvariantCulture, out think))
        {
            problem = "The think time must be a number of milliseconds.";
            return false;
        }

        arguments = new WorkerArguments(args[0], args[1], schema, args[rest], seed, moves, duration, deals, concurrency, TimeSpan.FromMilliseconds(think));
        return true;
    }
}
