using System.Diagnostics;
using System.Globalization;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Sqlite;

namespace SalesFlow.Benchmarks;

/// <summary>
/// A whole-run throughput measurement: start N B2B deals, then move every one through the six moves of the
/// happy path on all cores, and print moves per second, bytes allocated per move and the peak working set.
/// <code>dotnet run -c Release --project benchmarks/SalesFlow.Benchmarks -- throughput [--store memory|sqlite|both] [--deals N] [--sqlite-deals N] [--db path]</code>
/// </summary>
public static class ThroughputHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var store = Option(args, "--store") ?? "both";
        var deals = int.Parse(Option(args, "--deals") ?? "200000", CultureInfo.InvariantCulture);
        var sqliteDeals = int.Parse(Option(args, "--sqlite-deals") ?? "5000", CultureInfo.InvariantCulture);
        var workers = Environment.ProcessorCount;
        Console.WriteLine($"SalesFlow throughput: seven-step B2B happy path ({B2BScenario.HappyPath.Length} moves per deal), {workers} workers, .NET {Environment.Version}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC");

        // Warm up (tiered JIT, pools) on a throw-away store so the measured runs see steady-state code.
        await MeasureAsync("warm-up", new InMemoryDealStore(), 30_000, workers);

        if (store is "memory" or "both")
        {
            var report = await MeasureAsync("in-memory", new InMemoryDealStore(), deals, workers);
            Console.WriteLine(report);
        }

        if (store is "sqlite" or "both")
        {
            var path = Option(args, "--db") ?? Path.Combine(Path.GetTempPath(), $"salesflow-throughput-{Guid.NewGuid():N}.db");
            var registry = new PipelineRegistry(B2BScenario.Pipeline);
            var sqlite = new SqliteDealStore(registry, new SqliteDealStoreOptions { DataSource = path });
            try
            {
                var report = await MeasureAsync("sqlite", sqlite, sqliteDeals, workers, registry);
                Console.WriteLine(report + $" (file {path})");
            }
            finally
            {
                await sqlite.DisposeAsync();
                if (Option(args, "--db") is null)
                {
                    foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                    {
                        File.Delete(file);
                    }
                }
            }
        }

        return 0;
    }

    private static async Task<string> MeasureAsync(string name, IDealStore store, int deals, int workers, PipelineRegistry? registry = null)
    {
        var engine = new SalesFlowEngine(registry ?? new PipelineRegistry(B2BScenario.Pipeline), store);
        var data = B2BScenario.ReadyData();
        var ids = Enumerable.Range(0, deals).Select(i => $"tp-{i:D7}").ToArray();

        var startClock = Stopwatch.StartNew();
        await RunOnWorkersAsync(ids, workers, async id => await engine.StartAsync(B2BScenario.Pipeline.Id, id, data, "harness"));
        var startSeconds = startClock.Elapsed.TotalSeconds;

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var options = new FireRequest("harness");
        var moveClock = Stopwatch.StartNew();
        await RunOnWorkersAsync(ids, workers, async id =>
        {
            foreach (var trigger in B2BScenario.HappyPath)
            {
                var result = await engine.FireAsync(id, trigger, options);
                if (!result.Accepted)
                {
                    throw new InvalidOperationException($"{trigger} on {id} was {result.Status}.");
                }
            }
        });
        var moveSeconds = moveClock.Elapsed.TotalSeconds;
        var moves = (long)deals * B2BScenario.HappyPath.Length;
        var bytesPerMove = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)moves;

        var won = await store.QueryAsync(new DealQuery { PipelineId = B2BScenario.Pipeline.Id, StageId = B2BStages.FollowUp, Limit = 1 });
        if (won.Deals.Count == 0)
        {
            throw new InvalidOperationException("No deal reached Follow-up: the run did not do what it says.");
        }

        using var process = Process.GetCurrentProcess();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{name,-10} {deals,9:N0} deals  starts {deals / startSeconds,12:N0}/s  moves {moves,10:N0} in {moveSeconds,7:F2} s = {moves / moveSeconds,12:N0} moves/s  {bytesPerMove,7:N0} B allocated/move  peak working set {process.PeakWorkingSet64 / (1024.0 * 1024.0),7:N0} MiB");
    }

    private static Task RunOnWorkersAsync(string[] ids, int workers, Func<string, Task> work) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            for (var i = w; i < ids.Length; i += workers)
            {
                await work(ids[i]);
            }
        })));

    internal static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
