namespace SalesFlow.Testing;

/// <summary>Where a deal stands for the path search: its stage and its previous stage (-1 for none), as indexes.</summary>
internal readonly record struct PathState(int Stage, int Previous);

/// <summary>A pipeline's transitions as edges between <see cref="PathState"/>s, with the engine's rules for alternatives.</summary>
internal sealed class TransitionGraph
{
    private readonly PipelineDefinition _pipeline;
    private readonly Dictionary<string, int> _stageIndex;
    private readonly List<int>[] _fromStage;
    private readonly int[] _from;
    private readonly int[] _to;
    private readonly int[][] _preceding;

    public TransitionGraph(PipelineDefinition pipeline)
    {
        _pipeline = pipeline;
        _stageIndex = pipeline.Stages.Select((s, i) => (s.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        Transitions = pipeline.Transitions;
        _fromStage = [.. pipeline.Stages.Select(_ => new List<int>())];
        _from = new int[Transitions.Count];
        _to = new int[Transitions.Count];
        _preceding = new int[Transitions.Count][];
        for (var t = 0; t < Transitions.Count; t++)
        {
            var transition = Transitions[t];
            _from[t] = _stageIndex[transition.From];
            _to[t] = transition.Kind == TransitionKind.Return ? -1 : _stageIndex[transition.To!];
            // The engine tries a trigger's transitions from one stage in declaration order and takes the first allowed.
            _preceding[t] = [.. _fromStage[_from[t]].Where(p => string.Equals(Transitions[p].Trigger, transition.Trigger, StringComparison.Ordinal))];
            _fromStage[_from[t]].Add(t);
        }
    }

    public IReadOnlyList<TransitionDefinition> Transitions { get; }

    public int Count => Transitions.Count;

    public int StageIndex(string stageId) => _stageIndex[stageId];

    public string StageId(int stage) => _pipeline.Stages[stage].Id;

    public List<int> From(int stage) => _fromStage[stage];

    /// <summary>Whether the transition can be taken from the state: a return needs a previous stage, and every earlier alternative must be refusable.</summary>
    public bool Usable(int t, PathState state)
    {
        if (Transitions[t].Kind == TransitionKind.Return && state.Previous < 0)
        {
            return false;
        }

        foreach (var p in _preceding[t])
        {
            if (!RefusedAnyway(p, state) && GuardsOnlyIn(p, t).Count == 0)
            {
                return false;
            }
        }

        return true;
    }

    public PathState Next(int t, PathState state) => Transitions[t].Kind switch
    {
        TransitionKind.Internal => state,
        TransitionKind.Return => new PathState(state.Previous, state.Stage),
        _ => new PathState(_to[t], state.Stage),
    };

    public IReadOnlyList<TestPathAlternative> AlternativesToRefuse(int t, PathState state) =>
        [.. _preceding[t].Where(p => !RefusedAnyway(p, state)).Select(p => new TestPathAlternative(Transitions[p], GuardsOnlyIn(p, t)))];

    public HashSet<PathState> ReachableStates(PathState start)
    {
        var reached = new HashSet<PathState> { start };
        var queue = new Queue<PathState>([start]);
        while (queue.TryDequeue(out var state))
        {
            foreach (var t in _fromStage[state.Stage])
            {
                if (Usable(t, state) && reached.Add(Next(t, state)))
                {
                    queue.Enqueue(Next(t, state));
                }
            }
        }

        return reached;
    }

    /// <summary>The fewest transitions from the state that end by firing an uncovered one; <see langword="null"/> when none can be reached.</summary>
    public List<int>? ShortestToUncovered(PathState start, bool[] covered, bool lastDeclaredFirst)
    {
        var cameFrom = new Dictionary<PathState, (PathState State, int Transition)>();
        var seen = new HashSet<PathState> { start };
        var queue = new Queue<PathState>([start]);
        while (queue.TryDequeue(out var state))
        {
            var from = _fromStage[state.Stage];
            for (var i = 0; i < from.Count; i++)
            {
                var t = lastDeclaredFirst ? from[from.Count - 1 - i] : from[i];
                if (!Usable(t, state))
                {
                    continue;
                }

                if (!covered[t])
                {
                    var route = new List<int> { t };
                    for (var s = state; s != start; s = cameFrom[s].State)
                    {
                        route.Add(cameFrom[s].Transition);
                    }

                    route.Reverse();
                    return route;
                }

                var next = Next(t, state);
                if (seen.Add(next))
                {
                    cameFrom[next] = (state, t);
                    queue.Enqueue(next);
                }
            }
        }

        return null;
    }

    public string WhyUnreachable(int t, HashSet<PathState> reached)
    {
        var transition = Transitions[t];
        var statesInFrom = reached.Where(s => s.Stage == _from[t]).ToList();
        if (statesInFrom.Count == 0)
        {
            return $"Stage '{transition.From}' is never reached from the initial stage '{_pipeline.InitialStage}'; add a transition that leads to it.";
        }

        if (transition.Kind == TransitionKind.Return && statesInFrom.TrueForAll(s => s.Previous < 0))
        {
            return $"A deal in stage '{transition.From}' never has a previous stage to return to; it is only there before its first move.";
        }

        var shadowing = _preceding[t].First(p => GuardsOnlyIn(p, t).Count == 0);
        var codes = Transitions[shadowing].Guards.Select(g => g.Code).ToList();
        return $"The alternative '{Transitions[shadowing]}', declared before it, is allowed whenever this one is "
            + $"(its guards [{string.Join(", ", codes)}] are all guards of this one too), and the engine takes the first allowed; "
            + "give it a guard this one does not have, or declare this one first.";
    }

    // A return alternative without a previous stage is refused by the engine itself.
    private bool RefusedAnyway(int alternative, PathState state) =>
        Transitions[alternative].Kind == TransitionKind.Return && state.Previous < 0;

    private List<GuardDefinition> GuardsOnlyIn(int alternative, int t) =>
        [.. Transitions[alternative].Guards.Where(g => !Transitions[t].Guards.Any(o => string.Equals(o.Code, g.Code, StringComparison.Ordinal)))];
}
