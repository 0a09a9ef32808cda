using BenchmarkDotNet.Attributes;
using SalesFlow.Pipelines.B2B;
using Stateless;

namespace SalesFlow.Benchmarks;

/// <summary>
/// Listing what a deal can do next, with reasons, in the Qualification stage of the B2B graph (two BANT
/// answers missing): Stateless's <c>CanFire(trigger, out unmetGuards)</c> over every trigger, against
/// SalesFlow's available moves (every transition from the stage with its unmet guards, codes and reasons).
/// </summary>
[MemoryDiagnoser]
[GcServer(false)] // Stated so the server GC the project sets for the throughput harness never reaches the benchmarks.
[GcConcurrent(true)]
public class AvailableMovesBenchmarks
{
    private static readonly B2BScenario.Trigger[] AllTriggers = Enum.GetValues<B2BScenario.Trigger>();
    private readonly B2BScenario.RawDeal _rawDeal = new();
    private StateMachine<B2BScenario.Stage, B2BScenario.Trigger> _rawMachine = null!;
    private SalesFlowEngine _engine = null!;
    private Deal _deal = null!;

    [GlobalSetup]
    public void Setup()
    {
        var ready = B2BScenario.ReadyData();
        var data = ready with { Bant = ready.Bant with { BudgetConfirmed = false, TimelineConfirmed = false } };
        _rawDeal.Data = data;
        _rawDeal.State = B2BScenario.Stage.Qualification;
        _rawDeal.Reason = null;
        _rawMachine = B2BScenario.BuildRawMachine(_rawDeal);

        var store = new InMemoryDealStore();
        _engine = new SalesFlowEngine(new PipelineRegistry(B2BScenario.Pipeline), store);
        var started = B2BScenario.StartedDeal("deal-1", data, DateTimeOffset.UtcNow);
        _deal = started.Deal with { StageId = B2BStages.Qualification };
        store.ImportAsync([started with { Deal = _deal }]).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "Stateless CanFire(trigger, out unmet) x all triggers")]
    public int StatelessCanFireAllTriggers()
    {
        var unmetCount = 0;
        foreach (var trigger in AllTriggers)
        {
            if (!_rawMachine.CanFire(trigger, out var unmet))
            {
                unmetCount += unmet?.Count ?? 0; // null for a trigger the state does not configure
            }
        }

        return unmetCount;
    }

    [Benchmark(Description = "SalesFlow GetAvailableMoves (loaded deal)")]
    public int SalesFlowAvailableMoves()
    {
        var unmetCount = 0;
        foreach (var move in _engine.GetAvailableMoves(_deal))
        {
            unmetCount += move.UnmetGuards.Count;
        }

        return unmetCount;
    }

    [Benchmark(Description = "SalesFlow GetAvailableMovesAsync (load + list)")]
    public async Task<int> SalesFlowAvailableMovesAsync()
    {
        var unmetCount = 0;
        foreach (var move in await _engine.GetAvailableMovesAsync("deal-1"))
        {
            unmetCount += move.UnmetGuards.Count;
        }

        return unmetCount;
    }
}
