using BenchmarkDotNet.Attributes;
using SalesFlow;

namespace SalesFlow.Benchmarks;

/// <summary>Listing the moves of a deal with their unmet guards, against evaluating one trigger.</summary>
[MemoryDiagnoser]
public class AvailableMovesBenchmarks
{
    private SalesFlowEngine _engine = null!;
    private Deal _deal = null!;

    [GlobalSetup]
    public void Setup()
    {
        var pipeline = PipelineBuilder.Create<Data>("bench", 1)
            .Stage("open").Stage("next").Stage("won", s => s.Won()).Stage("lost", s => s.Lost())
            .Transition("advance", "open", "next").When("flag", d => d.Flag, "Flag not set")
            .Transition("win", "next", "won")
            .Transition("lose", ["open", "next"], "lost")
            .Build();
        _engine = new SalesFlowEngine(new PipelineRegistry(pipeline), new InMemoryDealStore());
        _deal = _engine.StartAsync("bench", "d1", new Data(), "bench").AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public int AvailableMoves() => _engine.GetAvailableMoves(_deal).Count;

    public sealed class Data
    {
        public bool Flag { get; set; }
    }
}
