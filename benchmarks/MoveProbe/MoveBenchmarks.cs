using BenchmarkDotNet.Attributes;
using SalesFlow.Pipelines.B2B;
using Stateless;

namespace SalesFlow.Benchmarks;

/// <summary>
/// The cost of one move on the seven-step B2B graph. Each operation takes one fresh deal through the six
/// moves of the happy path (results are per move: <c>OperationsPerInvoke = 6</c>).
/// <list type="bullet">
/// <item>Baseline: a preconfigured raw Stateless machine firing the same triggers with the same guards.</item>
/// <item>Raw Stateless built and configured for every move, as many applications do per request.</item>
/// <item>A SalesFlow move on the in-memory store: load, guards, Stateless fire, event, hooks, save.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[GcServer(false)] // Stated so the server GC the project sets for the throughput harness never reaches the benchmarks.
[GcConcurrent(true)]
[InvocationCount(InvocationsPerIteration, 1)]
public class MoveBenchmarks
{
    private const int InvocationsPerIteration = 8192;
    private const int MovesPerOperation = 6;

    private readonly B2BScenario.RawDeal _rawDeal = new();
    private StateMachine<B2BScenario.Stage, B2BScenario.Trigger> _rawMachine = null!;
    private SalesFlowEngine _engine = null!;
    private InMemoryDealStore _store = null!;
    private readonly FireRequest _fire = new("bench");
    private string[] _dealIds = [];
    private int _next;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _rawMachine = B2BScenario.BuildRawMachine(_rawDeal);
        _dealIds = Enumerable.Range(0, InvocationsPerIteration).Select(i => $"deal-{i:D5}").ToArray();
    }

    [IterationSetup(Target = nameof(SalesFlowMove))]
    public void FreshDeals()
    {
        // A new store per iteration, so every invocation moves a deal that has not moved yet.
        _store = new InMemoryDealStore();
        var options = new SalesFlowEngineOptions();
        options.Hooks.Add(new CountingHook());
        _engine = new SalesFlowEngine(new PipelineRegistry(B2BScenario.Pipeline), _store, options);
        var data = B2BScenario.ReadyData();
        var at = DateTimeOffset.UtcNow;
        _store.ImportAsync(_dealIds.Select(id => B2BScenario.StartedDeal(id, data, at)).ToArray()).AsTask().GetAwaiter().GetResult();
        _next = 0;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = MovesPerOperation, Description = "Raw Stateless, preconfigured")]
    public B2BScenario.Stage RawStatelessPreconfigured()
    {
        _rawDeal.State = B2BScenario.Stage.Prospecting;
        foreach (var trigger in B2BScenario.RawHappyPath)
        {
            _rawMachine.Fire(trigger);
        }

        return _rawDeal.State;
    }

    [Benchmark(OperationsPerInvoke = MovesPerOperation, Description = "Raw Stateless, built per move")]
    public B2BScenario.Stage RawStatelessBuiltPerMove()
    {
        _rawDeal.State = B2BScenario.Stage.Prospecting;
        foreach (var trigger in B2BScenario.RawHappyPath)
        {
            var machine = B2BScenario.BuildRawMachine(_rawDeal);
            machine.Fire(trigger);
        }

        return _rawDeal.State;
    }

    [Benchmark(OperationsPerInvoke = MovesPerOperation, Description = "SalesFlow move, in-memory store")]
    public string SalesFlowMove()
    {
        var id = _dealIds[_next++];
        FireResult? result = null;
        foreach (var trigger in B2BScenario.HappyPath)
        {
            var pending = _engine.FireAsync(id, trigger, _fire);
            result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            if (!result.Accepted)
            {
                throw new InvalidOperationException($"{trigger} was {result.Status}");
            }
        }

        return result!.Deal.StageId;
    }

    /// <summary>An engine hook that runs on both phases of every move, so the hook path is measured.</summary>
    private sealed class CountingHook : IDealHook
    {
        public long Count;

        public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken)
        {
            Count++;
            return ValueTask.CompletedTask;
        }

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken)
        {
            Count++;
            return ValueTask.CompletedTask;
        }
    }
}
