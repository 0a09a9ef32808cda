using Stateless.Reflection;

namespace SalesFlow.Export;

/// <summary>
/// What a graph of a pipeline shows, read from Stateless's description of a configured machine
/// (<see cref="CompiledPipeline.Describe"/>) and mapped back to the definition's stages, triggers and guard
/// reasons; optionally overlaid with the path one deal took. The Mermaid and DOT writers only format it.
/// </summary>
internal sealed class PipelineGraph
{
    private PipelineGraph(string title, IReadOnlyList<GraphStage> stages, int initialIndex, IReadOnlyList<GraphEdge> edges, int currentIndex)
    {
        Title = title;
        Stages = stages;
        InitialIndex = initialIndex;
        Edges = edges;
        CurrentIndex = currentIndex;
    }

    /// <summary>Gets the graph's title: the pipeline id and version.</summary>
    public string Title { get; }

    /// <summary>Gets the stages; a stage's position is its index (its node id is <c>s</c> + index).</summary>
    public IReadOnlyList<GraphStage> Stages { get; }

    /// <summary>Gets the index of the initial stage.</summary>
    public int InitialIndex { get; }

    /// <summary>Gets every transition, internal action and return transition, in declaration order.</summary>
    public IReadOnlyList<GraphEdge> Edges { get; }

    /// <summary>Gets the index of the deal's current stage; -1 for a graph of the pipeline alone.</summary>
    public int CurrentIndex { get; }

    /// <summary>Gets a value indicating whether the graph shows one deal.</summary>
    public bool IsDealGraph => CurrentIndex >= 0;

    /// <summary>Builds the static graph of a pipeline.</summary>
    public static PipelineGraph Of(PipelineDefinition definition) => Build(definition, trace: null);

    /// <summary>Builds the graph of a pipeline with one deal's current stage and the moves its history records.</summary>
    public static PipelineGraph Of(PipelineDefinition definition, Deal deal, IReadOnlyList<DealEvent> history)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(deal);
        ArgumentNullException.ThrowIfNull(history);
        if (!string.Equals(deal.PipelineId, definition.Id, StringComparison.Ordinal) || deal.PipelineVersion != definition.Version)
        {
            throw new ArgumentException(
                $"Deal '{deal.Id}' runs on pipeline '{deal.PipelineId}' v{deal.PipelineVersion}, not on '{definition.Id}' v{definition.Version}: "
                + "draw it with the definition it is pinned to (PipelineRegistry.Get(deal.PipelineId, deal.PipelineVersion)).",
                nameof(deal));
        }

        var compiled = definition.Compiled;
        var current = compiled.StageIndexOf(deal.StageId);
        if (current < 0)
        {
            throw new ArgumentException($"Deal '{deal.Id}' is in stage '{deal.StageId}', which pipeline '{definition.Id}' v{definition.Version} does not have.", nameof(deal));
        }

        for (var i = 0; i < history.Count; i++)
        {
            if (history[i] is not { } e)
            {
                throw new ArgumentException($"History entry {i} is null.", nameof(history));
            }

            if (!string.Equals(e.DealId, deal.Id, StringComparison.Ordinal))
            {
                throw new ArgumentException($"History entry {i} (sequence {e.Sequence}) belongs to deal '{e.DealId}', not to deal '{deal.Id}'.", nameof(history));
            }
        }

        return Build(definition, new DealTrace(current, history));
    }

    private static PipelineGraph Build(PipelineDefinition definition, DealTrace? trace)
    {
        var compiled = definition.Compiled;
        var info = compiled.Describe();
        var matched = new CompiledPipeline.CompiledTransition?[compiled.Transitions.Length];

        // Walk what Stateless was configured with, and map each of its transitions back to the definition's.
        foreach (var state in info.States)
        {
            var from = (int)state.UnderlyingState;
            foreach (var t in state.FixedTransitions)
            {
                var kind = t.IsInternalTransition ? TransitionKind.Internal : TransitionKind.Transition;
                Claim(compiled, matched, from, t, kind, (int)t.DestinationState.UnderlyingState);
            }

            foreach (var t in state.DynamicTransitions)
            {
                Claim(compiled, matched, from, t, TransitionKind.Return, to: -1);
            }
        }

        if (Array.FindIndex(matched, m => m is null) is var missing and >= 0)
        {
            throw new InvalidOperationException($"Transition {compiled.Transitions[missing].Definition} of pipeline '{definition.Id}' is not in the configured state machine.");
        }

        var returnTargets = PossibleReturnTargets(compiled);
        var taken = trace?.Count(compiled);
        var edges = new List<GraphEdge>(matched.Length);
        foreach (var t in matched)
        {
            var targets = t!.Definition.Kind == TransitionKind.Return
                ? ReturnTargetsOf(t, returnTargets[t.FromIndex], taken)
                : [];
            edges.Add(new GraphEdge(
                t.FromIndex,
                t.ToIndex,
                t.Definition.Trigger,
                t.Definition.Kind,
                [.. t.Guards.Select(g => g.Reason)],
                taken?.ByTransition[t.Index] ?? 0,
                targets));
        }

        // Stateless's InitialState is the state the machine was built in; the definition knows the real one.
        var initial = compiled.StageIndexOf(definition.InitialStage);
        var stages = compiled.Stages.Select((s, i) => new GraphStage(i, s.Name, s.Kind, i == initial)).ToArray();
        return new PipelineGraph($"{definition.Id} v{definition.Version}", stages, initial, edges, trace?.Current ?? -1);
    }

    // Finds the one definition transition Stateless's transition stands for: same stage, trigger, kind, target and guards.
    private static void Claim(CompiledPipeline compiled, CompiledPipeline.CompiledTransition?[] matched, int from, TransitionInfo info, TransitionKind kind, int to)
    {
        var trigger = (int)info.Trigger.UnderlyingTrigger;
        var descriptions = info.GuardConditionsMethodDescriptions.Select(g => g.Description).ToArray();
        foreach (var candidate in compiled.Candidates(from, trigger) ?? [])
        {
            if (matched[candidate.Index] is null
                && candidate.Definition.Kind == kind
                && (kind == TransitionKind.Return || candidate.ToIndex == to)
                && (GuardDescriptions(candidate) is not { } expected || expected.SequenceEqual(descriptions, StringComparer.Ordinal)))
            {
                matched[candidate.Index] = candidate;
                return;
            }
        }

        throw new InvalidOperationException(
            $"The state machine has a {kind} on trigger #{trigger} from stage #{from} with guards [{string.Join(", ", descriptions)}] that no transition of the definition explains.");
    }

    // What CompiledPipeline gives Stateless as guard descriptions: guard codes; an internal action's guards are one
    // condition described by its trigger (an unguarded one gets Stateless's own always-true condition, whatever its
    // description); a return transition first needs a previous stage.
    private static IEnumerable<string>? GuardDescriptions(CompiledPipeline.CompiledTransition t) => t.Definition.Kind switch
    {
        TransitionKind.Internal when t.Guards.Length == 0 => null,
        TransitionKind.Internal => [t.Definition.Trigger],
        TransitionKind.Return => ["return.previous-stage", .. t.Guards.Select(g => g.Code)],
        _ => t.Guards.Select(g => g.Code),
    };

    // A return goes to the stage the deal was in before: any stage a move can come from into the return's stage.
    private static HashSet<int>[] PossibleReturnTargets(CompiledPipeline compiled)
    {
        var previous = new HashSet<int>[compiled.Stages.Length];
        for (var s = 0; s < previous.Length; s++)
        {
            previous[s] = [];
        }

        bool changed;
        do
        {
            changed = false;
            foreach (var t in compiled.Transitions)
            {
                switch (t.Definition.Kind)
                {
                    case TransitionKind.Transition:
                        changed |= previous[t.ToIndex].Add(t.FromIndex);
                        break;
                    case TransitionKind.Return:
                        foreach (var target in previous[t.FromIndex].ToArray())
                        {
                            changed |= previous[target].Add(t.FromIndex);
                        }

                        break;
                }
            }
        }
        while (changed);
        return previous;
    }

    private static GraphReturnTarget[] ReturnTargetsOf(CompiledPipeline.CompiledTransition t, HashSet<int> possible, DealCounts? taken)
    {
        var targets = new SortedSet<int>(possible);
        if (taken is not null)
        {
            targets.UnionWith(taken.ByReturn.Keys.Where(k => k.Transition == t.Index).Select(k => k.Target));
        }

        return [.. targets.Select(s => new GraphReturnTarget(s, taken?.ByReturn.GetValueOrDefault((t.Index, s)) ?? 0))];
    }

    private sealed record DealTrace(int Current, IReadOnlyList<DealEvent> History)
    {
        // Each recorded move counts on the transition that made it; moves this version does not have (recorded
        // before a migration) are left out.
        public DealCounts Count(CompiledPipeline compiled)
        {
            var counts = new DealCounts(new int[compiled.Transitions.Length], []);
            foreach (var e in History)
            {
                if (e.Kind != DealEventKind.Transition || e.Trigger is null || e.FromStage is null)
                {
                    continue;
                }

                var from = compiled.StageIndexOf(e.FromStage);
                var to = compiled.StageIndexOf(e.ToStage);
                var candidates = compiled.Candidates(from, compiled.TriggerIndexOf(e.Trigger));
                if (candidates is null || to < 0)
                {
                    continue;
                }

                var t = Array.Find(candidates, c => c.Definition.Kind == TransitionKind.Transition && c.ToIndex == to)
                    ?? Array.Find(candidates, c => c.Definition.Kind == TransitionKind.Internal && to == from)
                    ?? Array.Find(candidates, c => c.Definition.Kind == TransitionKind.Return);
                if (t is null)
                {
                    continue;
                }

                counts.ByTransition[t.Index]++;
                if (t.Definition.Kind == TransitionKind.Return)
                {
                    counts.ByReturn[(t.Index, to)] = counts.ByReturn.GetValueOrDefault((t.Index, to)) + 1;
                }
            }

            return counts;
        }
    }

    private sealed record DealCounts(int[] ByTransition, Dictionary<(int Transition, int Target), int> ByReturn);
}

/// <summary>One stage of a <see cref="PipelineGraph"/>.</summary>
internal sealed record GraphStage(int Index, string Name, StageKind Kind, bool IsInitial);

/// <summary>
/// One transition of a <see cref="PipelineGraph"/>: <see cref="To"/> is -1 for a return transition, whose possible
/// targets are <see cref="ReturnTargets"/>; <see cref="Taken"/> counts the deal's moves on it.
/// </summary>
internal sealed record GraphEdge(
    int From,
    int To,
    string Trigger,
    TransitionKind Kind,
    IReadOnlyList<string> GuardReasons,
    int Taken,
    IReadOnlyList<GraphReturnTarget> ReturnTargets);

/// <summary>A stage a return transition can lead back to, and how often the deal went there.</summary>
internal sealed record GraphReturnTarget(int Stage, int Taken);
