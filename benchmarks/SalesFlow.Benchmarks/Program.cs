using BenchmarkDotNet.Running;
using SalesFlow.Benchmarks;

if (args.Length > 0 && args[0] == "throughput")
{
    return await ThroughputHarness.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "import-pairs")
{
    return ImportPairsHarness.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
