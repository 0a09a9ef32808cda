using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace SalesFlow.Benchmarks;

/// <summary>
/// The settings every BenchmarkDotNet run uses: workstation, concurrent GC (the .NET default for console and
/// desktop processes, and the harsher setting for a store that keeps history on the heap), stated explicitly so
/// the server GC this project sets for the throughput harness never leaks into the benchmarks.
/// </summary>
public static class BenchmarkConfig
{
    public static IConfig Create() =>
        DefaultConfig.Instance.AddJob(Job.Default.WithGcServer(false).WithGcConcurrent(true).AsDefault());
}
