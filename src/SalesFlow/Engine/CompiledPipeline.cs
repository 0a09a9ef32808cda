using System.Collections.Concurrent;
using System.Collections.Frozen;
using Stateless;
using Stateless.Reflection;

namespace SalesFlow;

/// <summary>
/// A pipeline compiled once for moves: stage and trigger indexes, a transition table, and a pool of
/// Stateless machines configured up front. A machine serves one deal at a time; the deal's stage lives in
/// the deal (external state), so machines are reused across deals and never built per move.
/// </summary>
internal sealed class CompiledPipeline
{
    private readonly PipelineDefinition _definition;
    private readonly FrozenDictionary<string, int> _stageIndex;
    private readonly FrozenDictionary<string, int> _triggerIndex;
    private readonly CompiledTransition[]?[] _table;
    private readonly IReadOnlyList<string>[] _permittedTriggers;
    private readonly CompiledTransition[][] _fromStage;
    private readonly ConcurrentBag<PooledMachine> _pool = [];
    private PooledMachine? _ready;
    private int _machinesBuilt;

    public CompiledPipeline(PipelineDefinition definition)
    {
        _definition = definition;
        Stages = [.. definition.Stages];
        _stageIndex = Stages.Select((s, i) => (s.Id, i)).ToFrozenDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        var triggers = definition.Triggers;
        _triggerIndex = triggers.Select((t, i) => (t, i)).ToFrozenDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
        TriggerNames = [.. triggers];

        var transitions = definition.Transitions
            .Select((t, i) => new CompiledTransition(
                i,
                t,
                _stageIndex[t.From],
                _triggerIndex[t.Trigger],
                t.Kind == TransitionKind.Return ? -1 : _stageIndex[t.To!],
                [.. t.Guards]))
            .ToArray();
        Transitions = transitions;

        _table = new CompiledTransition[]?[Stages.Length * TriggerNames.Length];
        foreach (var group in transitions.GroupBy(t => (t.FromIndex, t.TriggerIndex)))
        {
            _table[(group.Key.FromIndex * TriggerNames.Length) + group.Key.TriggerIndex] = [.. group];
        }

        _fromStage = new CompiledTransition[Stages.Length][];
        _permittedTriggers = new IReadOnlyList<string>[Stages.Length];
        for (var s = 0; s < Stages.Length; s++)
        {
            var stage = s;
            _fromStage[s] = [.. transitions.Where(t => t.FromIndex == stage)];
            _permittedTriggers[s] = _fromStage[s].Select(t => t.Definition.Trigger).Distinct(StringComparer.Ordinal).ToArray();
        }

        TransitioningHooks = [.. definition.Hooks.Where(h => h.Phase == HookPhase.Transitioning).OrderBy(h => h.Scope.Kind)];
        TransitionedHooks = [.. definition.Hooks.Where(h => h.Phase == HookPhase.Transitioned).OrderBy(h => h.Scope.Kind)];
    }

    public StageDefinition[] Stages { get; }

    public string[] TriggerNames { get; }

    public CompiledTransition[] Transitions { get; }

    public HookRegistration[] TransitioningHooks { get; }

    public HookRegistration[] TransitionedHooks { get; }

    /// <summary>Gets how many Stateless machines were ever built for this pipeline (bounded by concurrency, not by moves).</summary>
    public int MachinesBuilt => Volatile.Read(ref _machinesBuilt);

    public int StageIndexOf(string stageId) => _stageIndex.TryGetValue(stageId, out var i) ? i : -1;

    public int TriggerIndexOf(string trigger) => _triggerIndex.TryGetValue(trigger, out var i) ? i : -1;

    public IReadOnlyList<string> PermittedTriggers(int stageIndex) => stageIndex < 0 ? [] : _permittedTriggers[stageIndex];

    public CompiledTransition[] TransitionsFrom(int stageIndex) => stageIndex < 0 ? [] : _fromStage[stageIndex];

    public CompiledTransition[]? Candidates(int stageIndex, int triggerIndex) =>
        stageIndex < 0 || triggerIndex < 0 ? null : _table[(stageIndex * TriggerNames.Length) + triggerIndex];

    /// <summary>Returns the unmet guards of one transition for a deal; <see langword="null"/> when every guard is met.</summary>
    public List<UnmetGuard>? UnmetGuards(CompiledTransition transition, Deal deal, FireRequest? options)
    {
        List<UnmetGuard>? unmet = null;
        if (transition.Definition.Kind == TransitionKind.Return && ReturnTarget(deal) < 0)
        {
            (unmet ??= []).Add(NoPreviousStage);
        }

        var context = new GuardContext(deal, options);
        foreach (var guard in transition.Guards)
        {
            if (!guard.Predicate(context))
            {
                (unmet ??= []).Add(new UnmetGuard(guard.Code, guard.Reason));
            }
        }

        return unmet;
    }

    public int ReturnTarget(Deal deal) => deal.PreviousStageId is { } previous ? StageIndexOf(previous) : -1;

    /// <summary>
    /// Fires the trigger on a pooled Stateless machine for the deal. Stateless evaluates the guards; when they
    /// refuse the move, nothing changes and this returns <see langword="false"/>. <paramref name="forced"/>
    /// selects one transition past its guards (an override, or a deterministic choice among several allowed
    /// alternatives); -1 lets Stateless decide.
    /// </summary>
    public bool TryFire(Deal deal, int stageIndex, int triggerIndex, FireRequest options, int forced, out int toIndex)
    {
        // One machine waits in a slot taken with a single interlocked exchange; the bag holds the rest.
        var machine = Interlocked.Exchange(ref _ready, null);
        if (machine is null && !_pool.TryTake(out machine))
        {
            machine = new PooledMachine(this);
            Interlocked.Increment(ref _machinesBuilt);
        }

        try
        {
            machine.Bind(deal, options, stageIndex, forced);
            machine.Machine.Fire(triggerIndex);
            toIndex = machine.State;
            return !machine.Refused;
        }
        finally
        {
            machine.Unbind();
            if (Interlocked.CompareExchange(ref _ready, machine, null) is not null)
            {
                _pool.Add(machine);
            }
        }
    }

    /// <summary>
    /// Describes a freshly configured machine through Stateless's reflection, for graph export. The machine serves no
    /// deal and joins no pool; no guard is evaluated. Its <c>InitialState</c> is stage 0 (the state when it was built),
    /// not the pipeline's initial stage.
    /// </summary>
    public StateMachineInfo Describe() => new PooledMachine(this).Machine.GetInfo();

    private static readonly UnmetGuard NoPreviousStage = new("return.previous-stage", "The deal has no previous stage to return to.");

    internal sealed record CompiledTransition(int Index, TransitionDefinition Definition, int FromIndex, int TriggerIndex, int ToIndex, GuardDefinition[] Guards);

    /// <summary>One configured Stateless machine plus the deal it is serving right now.</summary>
    private sealed class PooledMachine
    {
        private Deal? _deal;
        private FireRequest? _options;
        private int _forced = -1;
        private readonly CompiledPipeline _pipeline;

        public PooledMachine(CompiledPipeline pipeline)
        {
            _pipeline = pipeline;
            Machine = new StateMachine<int, int>(() => State, s => State = s, FiringMode.Immediate);

            // A refusal is an answer, not an error: record it instead of letting Stateless throw.
            Machine.OnUnhandledTrigger((_, _, _) => Refused = true);
            for (var s = 0; s < pipeline.Stages.Length; s++)
            {
                var configuration = Machine.Configure(s);
                foreach (var t in pipeline._fromStage[s])
                {
                    Configure(configuration, t);
                }
            }
        }

        public StateMachine<int, int> Machine { get; }

        public int State { get; private set; }

        public bool Refused { get; private set; }

        public void Bind(Deal deal, FireRequest options, int stageIndex, int forced)
        {
            _deal = deal;
            _options = options;
            _forced = forced;
            State = stageIndex;
            Refused = false;
        }

        public void Unbind()
        {
            _deal = null;
            _options = null;
            _forced = -1;
        }

        private void Configure(StateMachine<int, int>.StateConfiguration configuration, CompiledTransition t)
        {
            var guards = t.Guards.Select(g => Tuple.Create<Func<bool>, string>(() => Met(t, g), g.Code)).ToArray();
            // Alternatives for one trigger always carry guards (validation), so an unguarded transition is alone.
            switch (t.Definition.Kind)
            {
                case TransitionKind.Internal when guards.Length == 0:
                    configuration.InternalTransition(t.TriggerIndex, static () => { });
                    break;
                case TransitionKind.Internal:
                    configuration.InternalTransitionIf(t.TriggerIndex, _ => AllMet(t), static () => { }, t.Definition.Trigger);
                    break;
                case TransitionKind.Return:
                    // Without a previous stage there is nowhere to return to: refused like an unmet guard.
                    configuration.PermitDynamicIf(t.TriggerIndex, () => _pipeline.ReturnTarget(_deal!), null, [Tuple.Create<Func<bool>, string>(() => _pipeline.ReturnTarget(_deal!) >= 0, "return.previous-stage"), .. guards]);
                    break;
                case TransitionKind.Transition when t.ToIndex == t.FromIndex && guards.Length == 0:
                    configuration.PermitReentry(t.TriggerIndex);
                    break;
                case TransitionKind.Transition when t.ToIndex == t.FromIndex:
                    configuration.PermitReentryIf(t.TriggerIndex, guards);
                    break;
                case TransitionKind.Transition when guards.Length == 0:
                    configuration.Permit(t.TriggerIndex, t.ToIndex);
                    break;
                default:
                    configuration.PermitIf(t.TriggerIndex, t.ToIndex, guards);
                    break;
            }
        }

        // With no forced choice Stateless evaluates the real guard; a forced choice selects exactly one transition.
        private bool Met(CompiledTransition t, GuardDefinition g) =>
            _forced >= 0 ? _forced == t.Index : g.Predicate(new GuardContext(_deal!, _options));

        private bool AllMet(CompiledTransition t)
        {
            if (_forced >= 0)
            {
                return _forced == t.Index;
            }

            foreach (var g in t.Guards)
            {
                if (!g.Predicate(new GuardContext(_deal!, _options)))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
