using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace SalesFlow.Benchmarks;

/// <summary>
/// The import benchmarks run in interleaved rounds: each round imports the export through the raw baseline, through the
/// store alone (the importer's batches made beforehand) and through <see cref="CrmImporter"/>, each into a fresh schema
/// or file, in a rotating order, and the ratios to the baseline are taken per round. BenchmarkDotNet measures one
/// method's iterations after the other's, so a machine that gets busier or quieter between them (a shared 2-core
/// machine does, by 10–30 %) moves its ratio; here both sides of a ratio are seconds apart. It reuses the
/// BenchmarkDotNet classes' setup and methods, so the rows and batching are the same.
/// <code>dotnet run -c Release --project benchmarks/SalesFlow.Benchmarks -- import-pairs [--store postgres|sqlite|both] [--rounds N] [--warm-up N] [--deals N]</code>
/// (<c>--deals</c>: the size of the PostgreSQL export, 4,000 by default). PostgreSQL needs the server in
/// <c>SALESFLOW_POSTGRES</c>; without it only SQLite runs.
/// Each side's row also gives its client CPU time (this process's; the database server is another one) and the
/// collections that ran during its imports, so what a ratio is made of (work or collections) can be seen. The project
/// runs server GC (for the throughput harness) and BenchmarkDotNet's jobs run workstation GC; <c>DOTNET_gcServer=0</c>
/// runs the pairs like the BenchmarkDotNet classes, and the table's heading names the GC that ran. On Linux, with the
/// PostgreSQL server on the same machine, the PostgreSQL table also gives the server's CPU time per import: that of
/// every process named <c>postgres</c> (its backends and background writers), read from <c>/proc</c> in clock ticks
/// (10 ms), so only its mean over the rounds is shown. Set beside the wall time, it says how much of an import the
/// server was busy.
/// </summary>
public static class ImportPairsHarness
{
    /// <summary>Runs the pairs and prints a Markdown table per store.</summary>
    /// <param name="args">The options after <c>import-pairs</c>.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args)
    {
        var store = ThroughputHarness.Option(args, "--store") ?? "both";
        var rounds = int.Parse(ThroughputHarness.Option(args, "--rounds") ?? "40", CultureInfo.InvariantCulture);
        var warmUp = int.Parse(ThroughputHarness.Option(args, "--warm-up") ?? "30", CultureInfo.InvariantCulture);
        var deals = int.Parse(ThroughputHarness.Option(args, "--deals") ?? "4000", CultureInfo.InvariantCulture);
        Console.WriteLine($"SalesFlow import pairs: {rounds} rounds after {warmUp} warm-up rounds, .NET {Environment.Version}, {Environment.ProcessorCount} cores");

        if (store is "sqlite" or "both")
        {
            var sqlite = new SqliteImportBenchmarks();
            Run(rounds, warmUp, "SQLite", server: () => null, sqlite.GlobalSetup, sqlite.GlobalCleanup, () => sqlite.Events, sqlite.FreshFile,
                ("raw ADO.NET, prepared INSERTs", sqlite.RawInserts), ("SqliteDealStore.ImportAsync alone", sqlite.StoreImport), ("CrmImporter, CSV to store", sqlite.SalesFlowImport));
        }

        if (store is "postgres" or "both")
        {
            if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("SALESFLOW_POSTGRES")))
            {
                Console.WriteLine("PostgreSQL skipped: set SALESFLOW_POSTGRES to an Npgsql connection string to run it.");
                return store == "postgres" ? 1 : 0;
            }

            var postgres = new PostgreSqlImportBenchmarks { Deals = deals };
            Run(rounds, warmUp, "PostgreSQL", PostgresProcessesCpu, postgres.GlobalSetup, postgres.GlobalCleanup, () => postgres.Events, postgres.FreshSchema,
                ("raw Npgsql, binary COPY", postgres.RawCopy), ("PostgreSqlDealStore.ImportAsync alone", postgres.StoreImport), ("CrmImporter, CSV to store", postgres.SalesFlowImport));
        }

        return 0;
    }

    // One store: set up, the rounds, the table, clean up (the first side is the baseline).
    private static void Run(int rounds, int warmUp, string store, Func<double?> server, Action setup, Action cleanup, Func<long> events, Action fresh, params (string Name, Func<int> Run)[] sides)
    {
        setup();
        try
        {
            Print(store, events(), [.. sides.Select(s => s.Name)], Measure(rounds, warmUp, server, fresh, [.. sides.Select(s => s.Run)]));
        }
        finally
        {
            cleanup();
        }
    }

    // Per round: a fresh target before each side, the sides in a rotating order; per side its wall time, the process's CPU
    // time (client side: the database server is another process), the server's CPU time when it can be read, and the
    // collections that ran during it. The server's reading (about 1 ms of this process's CPU: /proc is scanned) is taken
    // outside the client's.
    private static List<Sample[]> Measure(int rounds, int warmUp, Func<double?> server, Action fresh, params Func<int>[] sides)
    {
        var samples = new List<Sample[]>(rounds);
        using var process = Process.GetCurrentProcess();
        for (var round = 0; round < warmUp + rounds; round++)
        {
            var sample = new Sample[sides.Length];
            for (var k = 0; k < sides.Length; k++)
            {
                var side = (round + k) % sides.Length;
                fresh();
                GC.Collect();
                var serverCpu = server();
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                var collections = GC.CollectionCount(0);
                var pauses = GC.GetTotalPauseDuration();
                var clock = Stopwatch.StartNew();
                sides[side]();
                var time = clock.Elapsed.TotalMilliseconds;
                process.Refresh();
                var clientCpu = (process.TotalProcessorTime - cpu).TotalMilliseconds;
                collections = GC.CollectionCount(0) - collections;
                pauses = GC.GetTotalPauseDuration() - pauses;
                serverCpu = server() - serverCpu;
                sample[side] = new Sample(time, clientCpu, serverCpu, collections, pauses.TotalMilliseconds);
            }

            if (round >= warmUp)
            {
                samples.Add(sample);
            }
        }

        return samples;
    }

    // The CPU time (user and system, ms) of every process named postgres on this machine, or null where /proc cannot tell.
    private static double? PostgresProcessesCpu()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        long ticks = 0;
        var found = false;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(directory, "comm")).StartsWith("postgres", StringComparison.Ordinal))
                {
                    continue;
                }

                // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after the command's closing parenthesis.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                found = true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // A process that ended between the listing and the read, or one this user may not read.
            }
        }

        return found ? ticks * 10.0 : null; // USER_HZ is 100 on Linux
    }

    private static double Quantile(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }

    private static void Print(string store, long events, string[] names, List<Sample[]> samples)
    {
        Console.WriteLine();
        Console.WriteLine($"### {store}: {events:N0} events per import, {samples.Count} interleaved rounds, {(GCSettings.IsServerGC ? "server" : "workstation")} GC");
        Console.WriteLine();
        var server = samples.All(t => t.All(s => s.Server is not null));
        Console.WriteLine("| | median time | events/s | time ÷ baseline, per round: median | quartiles | rounds at or under 1.25× (rate ≥ 0.8×) | client CPU, median |"
            + (server ? " server CPU, mean |" : "") + " collections per import (pauses) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|" + (server ? "---:|" : "") + "---:|");
        for (var side = 0; side < names.Length; side++)
        {
            var median = Quantile(samples.Select(t => t[side].Time), 0.5);
            var head = $"| {names[side]}{(side == 0 ? " (baseline)" : "")} | {median:F1} ms | {events / median * 1000:N0} |";
            var client = $" {Quantile(samples.Select(t => t[side].Cpu), 0.5):F1} ms |"
                + (server ? $" {samples.Average(t => t[side].Server!.Value):F1} ms |" : "")
                + $" {samples.Average(t => t[side].Collections):F1} ({samples.Average(t => t[side].Pauses):F1} ms) |";
            if (side == 0)
            {
                Console.WriteLine(head + " 1.00× | | |" + client);
                continue;
            }

            var ratios = samples.Select(t => t[side].Time / t[0].Time).ToList();
            var ratio = Quantile(ratios, 0.5);
            Console.WriteLine(head + $" **{ratio:F2}×** (rate {1 / ratio:F2}×) | {Quantile(ratios, 0.25):F2}×–{Quantile(ratios, 0.75):F2}× | {ratios.Count(r => r <= 1.25)} of {ratios.Count} |" + client);
        }
    }

    // One side's import in one round: wall time, client CPU time, the server's CPU time (null: not known), collections (of
    // any generation) and their pauses, in ms.
    private readonly record struct Sample(double Time, double Cpu, double? Server, int Collections, double Pauses);
}
