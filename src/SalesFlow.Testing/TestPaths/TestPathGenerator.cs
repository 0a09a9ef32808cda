namespace SalesFlow.Testing;

/// <summary>
/// Generates test paths: a small set of trigger sequences from a pipeline's initial stage that together fire every
/// transition at least once — moves, re-entries, internal actions and return transitions (such as <c>Reopen</c>) included.
/// </summary>
/// <remarks>
/// <para>
/// The search runs over what decides where a deal can go next: its stage and its previous stage (a return transition
/// leads to the previous stage; a move, a re-entry or a return sets it to the stage left; an internal action keeps it).
/// Unlike simple paths, a path may come back to a state it has already visited, so back edges are taken.
/// </para>
/// <para>
/// Greedy: a path is extended to the nearest transition not covered yet (breadth-first over those states); a new path
/// starts from the initial stage only when no uncovered transition can be reached from where the current one stands
/// (for example in a stage with no way out). The search runs twice, breaking ties between equally near transitions in
/// declaration order and in reverse, and keeps the plan with fewer paths, then fewer steps. Guards are assumed satisfiable — the harness satisfies them — except that
/// an alternative of a trigger (several transitions from one stage) can only be taken when every alternative declared
/// before it can be refused by a guard it does not share. Transitions that no path can fire are listed in
/// <see cref="TestPathPlan.Unreachable"/> with the reason.
/// </para>
/// </remarks>
public static class TestPathGenerator
{
    /// <summary>Generates the test paths of a pipeline.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <returns>The paths, their counts, and the transitions no path can fire.</returns>
    public static TestPathPlan Generate(PipelineDefinition pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var graph = new TransitionGraph(pipeline);
        var start = new PathState(graph.StageIndex(pipeline.InitialStage), -1);

        var reached = graph.ReachableStates(start);
        var firable = new bool[graph.Count];
        foreach (var state in reached)
        {
            foreach (var t in graph.From(state.Stage))
            {
                firable[t] |= graph.Usable(t, state);
            }
        }

        var unreachable = new List<UnreachableTransition>();
        for (var t = 0; t < graph.Count; t++)
        {
            if (!firable[t])
            {
                unreachable.Add(new UnreachableTransition(t, graph.Transitions[t], graph.WhyUnreachable(t, reached)));
            }
        }

        // Two tie-breaks among equally near transitions (declaration order, and its reverse); the plan with fewer paths, then fewer steps, wins.
        var first = Greedy(pipeline, graph, start, firable, lastDeclaredFirst: false);
        var second = Greedy(pipeline, graph, start, firable, lastDeclaredFirst: true);
        var best = (second.Count, second.Sum(p => p.Steps.Count)).CompareTo((first.Count, first.Sum(p => p.Steps.Count))) < 0 ? second : first;
        return new TestPathPlan(pipeline, best, unreachable);
    }

    private static List<TestPath> Greedy(PipelineDefinition pipeline, TransitionGraph graph, PathState start, bool[] firable, bool lastDeclaredFirst)
    {
        var covered = firable.Select(f => !f).ToArray(); // nothing to aim for in an unreachable transition
        var remaining = firable.Count(f => f);
        var paths = new List<TestPath>();
        while (remaining > 0)
        {
            var steps = new List<TestPathStep>();
            var state = start;
            while (remaining > 0 && graph.ShortestToUncovered(state, covered, lastDeclaredFirst) is { } route)
            {
                foreach (var t in route)
                {
                    var next = graph.Next(t, state);
                    steps.Add(new TestPathStep(
                        steps.Count + 1,
                        t,
                        graph.Transitions[t],
                        graph.StageId(state.Stage),
                        state.Previous < 0 ? null : graph.StageId(state.Previous),
                        graph.StageId(next.Stage),
                        graph.AlternativesToRefuse(t, state),
                        !covered[t]));
                    if (!covered[t])
                    {
                        covered[t] = true;
                        remaining--;
                    }

                    state = next;
                }
            }

            // Every transition left is firable from the initial stage, so a fresh path always covers at least one.
            paths.Add(new TestPath(paths.Count + 1, pipeline.InitialStage, steps));
        }

        return paths;
    }
}
