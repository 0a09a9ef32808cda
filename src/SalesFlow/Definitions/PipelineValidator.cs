using static SalesFlow.DiagnosticCodes;

namespace SalesFlow;

/// <summary>
/// Checks a pipeline being built and collects every problem, so one exception can list them all: the structure
/// (ids, references, ambiguity), reachability, and the static analysis of the process (every open stage can still end
/// won and end otherwise; warnings for missing guidance and falling win probabilities).
/// </summary>
internal static class PipelineValidator
{
    public static (IReadOnlyList<StageDefinition> Stages, IReadOnlyList<TransitionDefinition> Transitions, string? Initial) Validate(
        PipelineParts parts, List<PipelineDiagnostic> problems)
    {
        if (string.IsNullOrWhiteSpace(parts.Id))
        {
            problems.Add(Error(EmptyPipelineId, "The pipeline id is empty: give the pipeline an id such as 'renewals'.", "/id"));
        }

        if (parts.Version < 1)
        {
            problems.Add(Error(BadVersion, $"The pipeline version is {parts.Version}; versions start at 1.", "/version"));
        }

        var built = BuildStages(parts.Stages, problems);
        var stages = built.OrderBy(b => b.Stage.Order).Select(b => b.Stage).ToList();
        var byId = new Dictionary<string, StageDefinition>(StringComparer.Ordinal);
        foreach (var (builder, stage) in built)
        {
            if (!byId.TryAdd(stage.Id, stage) && stage.Id.Length > 0)
            {
                problems.Add(Error(DuplicateStageId, $"Stage id '{stage.Id}' is declared more than once: give each stage its own id.", builder.Pointer + "/id"));
            }
        }

        var initial = parts.InitialStage ?? (parts.Stages.Count > 0 ? parts.Stages[0].Id : null);
        if (initial is null)
        {
            problems.Add(Error(NoInitialStage, "The pipeline has no initial stage: declare at least one stage.", "/stages"));
        }
        else if (!byId.TryGetValue(initial, out var initialDefinition))
        {
            problems.Add(Error(UnknownInitialStage, $"The initial stage '{initial}' is not a declared stage.", "/initialStage"));
        }
        else if (!initialDefinition.IsOpen)
        {
            problems.Add(Error(InitialStageNotOpen, $"The initial stage '{initial}' is {initialDefinition.Kind}; deals must start in an open stage.", "/initialStage"));
        }

        if (stages.Count > 0 && !stages.Any(s => s.Kind == StageKind.Won))
        {
            problems.Add(Error(NoWonStage, "The pipeline has no won stage: mark one stage with Won().", "/stages"));
        }

        if (stages.Count > 0 && !stages.Any(s => s.Kind == StageKind.Lost))
        {
            problems.Add(Error(NoLostStage, "The pipeline has no lost stage: mark one stage with Lost().", "/stages"));
        }

        var transitions = BuildTransitions(parts.Transitions, byId, problems);
        CheckAmbiguity(transitions, problems);
        var pointers = parts.Stages.GroupBy(s => s.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Pointer, StringComparer.Ordinal);
        if (initial is not null && byId.ContainsKey(initial))
        {
            CheckReachability(initial, stages, transitions, pointers, problems);
        }

        var stuck = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stage in stages.Where(s => s.IsOpen))
        {
            if (!transitions.Any(t => t.Kind != TransitionKind.Internal && string.Equals(t.From, stage.Id, StringComparison.Ordinal)))
            {
                stuck.Add(stage.Id);
                problems.Add(Error(NoWayOut, $"Open stage '{stage.Id}' has no way out: add a transition from it (for example to the lost stage).", pointers[stage.Id]));
            }
        }

        CheckEndings(stages, transitions, stuck, pointers, problems);
        CheckHooks(parts.Hooks, byId, transitions, problems);
        if (initial is not null && byId.ContainsKey(initial))
        {
            WarnAboutProcess(initial, stages, transitions, pointers, problems);
        }

        return (stages, transitions, initial);
    }

    private static List<(StageBuilder Builder, StageDefinition Stage)> BuildStages(IReadOnlyList<StageBuilder> builders, List<PipelineDiagnostic> problems)
    {
        var checklistIds = new HashSet<string>(StringComparer.Ordinal);
        var stages = new List<(StageBuilder, StageDefinition)>(builders.Count);
        foreach (var b in builders)
        {
            var label = string.IsNullOrWhiteSpace(b.Id) ? $"#{b.StageOrder}" : $"'{b.Id}'";
            if (string.IsNullOrWhiteSpace(b.Id))
            {
                problems.Add(Error(EmptyStageId, $"Stage {label} has an empty id.", b.Pointer + "/id"));
            }

            if (string.IsNullOrWhiteSpace(b.DisplayName))
            {
                problems.Add(Error(EmptyStageName, $"Stage {label} has an empty name.", b.Pointer + "/name"));
            }

            if (b.ProbabilitySet && (double.IsNaN(b.WinProbability) || b.WinProbability < 0 || b.WinProbability > 1))
            {
                problems.Add(Error(ProbabilityOutOfRange, $"Stage {label} has win probability {b.WinProbability}; it must be between 0 and 1.", b.Pointer + "/winProbability"));
            }

            if (b.IdleThreshold is { } idle && idle <= TimeSpan.Zero)
            {
                problems.Add(Error(IdleThresholdNotPositive, $"Stage {label} has idle threshold {idle}; it must be positive.", b.Pointer + "/idleAfter"));
            }

            for (var i = 0; i < b.ChecklistItems.Count; i++)
            {
                var item = b.ChecklistItems[i];
                var pointer = $"{b.Pointer}/checklist/{i}";
                if (string.IsNullOrWhiteSpace(item.Id))
                {
                    problems.Add(Error(EmptyChecklistId, $"Stage {label} has a checklist item with an empty id.", pointer + "/id"));
                }
                else if (!checklistIds.Add(item.Id))
                {
                    problems.Add(Error(DuplicateChecklistId, $"Checklist item id '{item.Id}' is used more than once in the pipeline.", pointer + "/id"));
                }

                if (string.IsNullOrWhiteSpace(item.Text))
                {
                    problems.Add(Error(EmptyChecklistText, $"Checklist item '{item.Id}' of stage {label} has an empty text.", pointer + "/text"));
                }
            }

            var probability = b.ProbabilitySet ? b.WinProbability : b.StageKind == StageKind.Won ? 1.0 : 0.0;
            stages.Add((b, new StageDefinition(
                b.Id, b.DisplayName, b.StageOrder, b.StageKind, probability, [.. b.ChecklistItems], b.GuidanceText, b.IdleThreshold,
                new SortedDictionary<string, string>(b.MetadataItems.ToDictionary(), StringComparer.Ordinal).AsReadOnly())));
        }

        return stages;
    }

    private static List<TransitionDefinition> BuildTransitions(IReadOnlyList<TransitionDraft> drafts, Dictionary<string, StageDefinition> byId, List<PipelineDiagnostic> problems)
    {
        var transitions = new List<TransitionDefinition>(drafts.Count);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in drafts)
        {
            var ok = true;
            if (string.IsNullOrWhiteSpace(d.Trigger))
            {
                problems.Add(Error(EmptyTrigger, $"A transition from '{d.From}' has an empty trigger name.", d.Pointer + "/trigger"));
                ok = false;
            }

            if (!byId.TryGetValue(d.From, out var from))
            {
                problems.Add(Error(UnknownFromStage, $"Trigger '{d.Trigger}' starts from unknown stage '{d.From}'.", d.FromPointer));
                ok = false;
            }

            StageDefinition? to = null;
            if (d.Kind == TransitionKind.Transition && !byId.TryGetValue(d.To!, out to) && reported.Add(d.Pointer + "/to"))
            {
                problems.Add(Error(UnknownToStage, $"Trigger '{d.Trigger}' from '{d.From}' leads to unknown stage '{d.To}'.", d.Pointer + "/to"));
                ok = false;
            }
            else if (d.Kind == TransitionKind.Transition && to is null)
            {
                ok = false;
            }

            var codes = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < d.Guards.Count; i++)
            {
                var guard = d.Guards[i];
                var pointer = $"{d.Pointer}/guards/{i}";
                if (!reported.Add(pointer))
                {
                    continue; // One declaration from several stages shares its guards: report each once.
                }

                if (string.IsNullOrWhiteSpace(guard.Code))
                {
                    problems.Add(Error(EmptyGuardCode, $"Trigger '{d.Trigger}' from '{d.From}' has a guard with an empty code.", pointer));
                }
                else if (!codes.Add(guard.Code))
                {
                    problems.Add(Error(DuplicateGuard, $"Trigger '{d.Trigger}' from '{d.From}' has guard '{guard.Code}' more than once.", pointer));
                }

                if (string.IsNullOrWhiteSpace(guard.Reason))
                {
                    problems.Add(Error(EmptyGuardReason, $"Guard '{guard.Code}' of trigger '{d.Trigger}' has an empty reason.", pointer + "/reason"));
                }
            }

            if (!ok)
            {
                continue;
            }

            var guards = new List<GuardDefinition>(d.Guards);
            if (IsForward(from!, to))
            {
                foreach (var item in from!.Checklist.Where(i => i.Required))
                {
                    var itemId = item.Id;
                    guards.Add(new GuardDefinition(
                        $"checklist.{itemId}",
                        $"Checklist item not done: {item.Text}",
                        ctx => ctx.Deal.CompletedChecklistItems.Contains(itemId),
                        isChecklistGuard: true));
                }
            }

            transitions.Add(new TransitionDefinition(d.Trigger, d.From, d.To, d.Kind, guards, d.FollowUp, d.FollowUpName)
            {
                Declaration = d.Declaration,
                Pointer = d.Pointer,
            });
        }

        return transitions;
    }

    // Required checklist items hold back moves forward: to a won stage, or to a later open stage.
    private static bool IsForward(StageDefinition from, StageDefinition? to) =>
        to is not null && (to.Kind == StageKind.Won || (to.IsOpen && to.Order > from.Order));

    private static void CheckAmbiguity(List<TransitionDefinition> transitions, List<PipelineDiagnostic> problems)
    {
        foreach (var group in transitions.GroupBy(t => (t.From, t.Trigger)).Where(g => g.Count() > 1))
        {
            var list = group.ToList();
            for (var i = 0; i < list.Count; i++)
            {
                for (var j = i + 1; j < list.Count; j++)
                {
                    var a = list[i];
                    var b = list[j];
                    var aCodes = a.Guards.Where(g => !g.IsChecklistGuard).Select(g => g.Code).ToHashSet(StringComparer.Ordinal);
                    var bCodes = b.Guards.Where(g => !g.IsChecklistGuard).Select(g => g.Code).ToHashSet(StringComparer.Ordinal);
                    if (aCodes.Count == 0 || bCodes.Count == 0 || aCodes.SetEquals(bCodes))
                    {
                        problems.Add(Error(
                            AmbiguousAlternatives,
                            $"Trigger '{a.Trigger}' from stage '{a.From}' leads to '{a.To ?? "(previous stage)"}' and to '{b.To ?? "(previous stage)"}' without guards that tell them apart.",
                            b.Pointer));
                    }
                }
            }
        }
    }

    private static void CheckReachability(string initial, List<StageDefinition> stages, List<TransitionDefinition> transitions, Dictionary<string, string> pointers, List<PipelineDiagnostic> problems)
    {
        var reached = Reach(initial, transitions);
        foreach (var stage in stages.Where(s => !reached.Contains(s.Id)))
        {
            problems.Add(Error(UnreachableStage, $"Stage '{stage.Id}' is unreachable from the initial stage '{initial}': add a transition into it or remove it.", pointers[stage.Id]));
        }
    }

    // A deal in an open stage must still be able to end both ways: won, and lost or closed. Otherwise it is trapped in a cycle.
    private static void CheckEndings(List<StageDefinition> stages, List<TransitionDefinition> transitions, HashSet<string> stuck, Dictionary<string, string> pointers, List<PipelineDiagnostic> problems)
    {
        var won = stages.Where(s => s.Kind == StageKind.Won).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var ends = stages.Where(s => s.Kind is StageKind.Lost or StageKind.Closed).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var edges = Edges(transitions);
        foreach (var stage in stages.Where(s => s.IsOpen && !stuck.Contains(s.Id)))
        {
            var reached = Reach(stage.Id, edges);
            if (won.Count > 0 && !reached.Overlaps(won))
            {
                problems.Add(Error(CannotReachWon, $"Open stage '{stage.Id}' cannot lead to a won stage: deals that enter it can never be won. Add a way towards the won stage.", pointers[stage.Id]));
            }

            if (ends.Count > 0 && !reached.Overlaps(ends))
            {
                problems.Add(Error(CannotReachEnd, $"Open stage '{stage.Id}' cannot lead to a lost or closed stage: deals that enter it can never be given up. Add a transition to the lost stage.", pointers[stage.Id]));
            }
        }
    }

    // Stages reachable from a stage by transitions; a return transition may go back to any stage that leads into its source.
    private static HashSet<string> Reach(string start, List<TransitionDefinition> transitions) => Reach(start, Edges(transitions));

    private static HashSet<string> Reach(string start, Dictionary<string, List<string>> edges)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal) { start };
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            if (!edges.TryGetValue(queue.Dequeue(), out var targets))
            {
                continue;
            }

            foreach (var target in targets)
            {
                if (reached.Add(target))
                {
                    queue.Enqueue(target);
                }
            }
        }

        return reached;
    }

    private static Dictionary<string, List<string>> Edges(List<TransitionDefinition> transitions)
    {
        var edges = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var into = transitions.Where(t => t.Kind == TransitionKind.Transition).ToLookup(t => t.To!, t => t.From, StringComparer.Ordinal);
        foreach (var t in transitions)
        {
            var targets = t.Kind switch
            {
                TransitionKind.Transition => [t.To!],
                TransitionKind.Return => into[t.From],
                _ => [],
            };
            if (!edges.TryGetValue(t.From, out var list))
            {
                edges[t.From] = list = [];
            }

            list.AddRange(targets);
        }

        return edges;
    }

    private static void CheckHooks(IReadOnlyList<HookRegistration> hooks, Dictionary<string, StageDefinition> byId, List<TransitionDefinition> transitions, List<PipelineDiagnostic> problems)
    {
        foreach (var hook in hooks)
        {
            var key = hook.Scope.Key;
            switch (hook.Scope.Kind)
            {
                case HookScopeKind.Trigger when !transitions.Any(t => string.Equals(t.Trigger, key, StringComparison.Ordinal)):
                    problems.Add(Error(HookUnknownTrigger, $"Hook '{hook.Name}' is attached to unknown trigger '{key}'.", hook.Pointer + "/on"));
                    break;
                case HookScopeKind.Enter or HookScopeKind.Exit when !byId.ContainsKey(key!):
                    problems.Add(Error(HookUnknownStage, $"Hook '{hook.Name}' is attached to unknown stage '{key}'.", hook.Pointer + "/on"));
                    break;
            }
        }
    }

    private static void WarnAboutProcess(string initial, List<StageDefinition> stages, List<TransitionDefinition> transitions, Dictionary<string, string> pointers, List<PipelineDiagnostic> problems)
    {
        foreach (var stage in stages.Where(s => s.IsOpen && string.IsNullOrWhiteSpace(s.Guidance)))
        {
            problems.Add(Warning(NoGuidance, $"Open stage '{stage.Id}' has no guidance: tell the seller what to do in it.", pointers[stage.Id]));
        }

        var path = MainPath(initial, stages, transitions);
        for (var i = 1; i < path.Count; i++)
        {
            if (path[i].WinProbability < path[i - 1].WinProbability)
            {
                problems.Add(Warning(
                    ProbabilityFalls,
                    $"Win probability falls along the main path: '{path[i - 1].Id}' has {path[i - 1].WinProbability:0.##} and the next stage '{path[i].Id}' has {path[i].WinProbability:0.##}. A stage nearer the win should not be less likely to win.",
                    pointers[path[i].Id] + "/winProbability"));
            }
        }
    }

    /// <summary>The shortest way from the initial stage to a won stage (fewest moves, first declared first).</summary>
    internal static List<StageDefinition> MainPath(string initial, List<StageDefinition> stages, IReadOnlyList<TransitionDefinition> transitions)
    {
        var byId = stages.GroupBy(s => s.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var previous = new Dictionary<string, string?>(StringComparer.Ordinal) { [initial] = null };
        var queue = new Queue<string>([initial]);
        while (queue.Count > 0)
        {
            var stage = queue.Dequeue();
            if (byId[stage].Kind == StageKind.Won)
            {
                var path = new List<StageDefinition>();
                for (string? at = stage; at is not null; at = previous[at])
                {
                    path.Add(byId[at]);
                }

                path.Reverse();
                return path;
            }

            foreach (var t in transitions.Where(t => t.Kind == TransitionKind.Transition && t.From == stage && previous.TryAdd(t.To!, stage)))
            {
                queue.Enqueue(t.To!);
            }
        }

        return [];
    }
}
