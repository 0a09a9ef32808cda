namespace SalesFlow;

/// <summary>Checks a pipeline being built and collects every problem, so one exception can list them all.</summary>
internal static class PipelineValidator
{
    public static (IReadOnlyList<StageDefinition> Stages, IReadOnlyList<TransitionDefinition> Transitions, string? Initial) Validate(
        string id,
        int version,
        IReadOnlyList<StageBuilder> stageBuilders,
        IReadOnlyList<TransitionDraft> drafts,
        string? initialStage,
        IReadOnlyList<HookRegistration> hooks,
        List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            problems.Add("The pipeline id is empty.");
        }

        if (version < 1)
        {
            problems.Add($"The pipeline version is {version}; versions start at 1.");
        }

        var stages = BuildStages(stageBuilders, problems);
        var byId = new Dictionary<string, StageDefinition>(StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            if (!byId.TryAdd(stage.Id, stage) && stage.Id.Length > 0)
            {
                problems.Add($"Stage id '{stage.Id}' is declared more than once.");
            }
        }

        var initial = initialStage ?? (stageBuilders.Count > 0 ? stageBuilders[0].Id : null);
        if (initial is null)
        {
            problems.Add("The pipeline has no initial stage: declare at least one stage.");
        }
        else if (!byId.TryGetValue(initial, out var initialDefinition))
        {
            problems.Add($"The initial stage '{initial}' is not a declared stage.");
        }
        else if (!initialDefinition.IsOpen)
        {
            problems.Add($"The initial stage '{initial}' is {initialDefinition.Kind}; deals must start in an open stage.");
        }

        if (stages.Count > 0 && !stages.Any(s => s.Kind == StageKind.Won))
        {
            problems.Add("The pipeline has no won stage: mark one stage with Won().");
        }

        if (stages.Count > 0 && !stages.Any(s => s.Kind == StageKind.Lost))
        {
            problems.Add("The pipeline has no lost stage: mark one stage with Lost().");
        }

        var transitions = BuildTransitions(drafts, byId, problems);
        CheckAmbiguity(transitions, problems);
        if (initial is not null && byId.ContainsKey(initial))
        {
            CheckReachability(initial, stages, transitions, problems);
        }

        foreach (var stage in stages.Where(s => s.IsOpen))
        {
            if (!transitions.Any(t => t.Kind != TransitionKind.Internal && string.Equals(t.From, stage.Id, StringComparison.Ordinal)))
            {
                problems.Add($"Open stage '{stage.Id}' has no way out: add a transition from it (for example to the lost stage).");
            }
        }

        CheckHooks(hooks, byId, transitions, problems);
        return (stages, transitions, initial);
    }

    private static List<StageDefinition> BuildStages(IReadOnlyList<StageBuilder> builders, List<string> problems)
    {
        var checklistIds = new HashSet<string>(StringComparer.Ordinal);
        var stages = new List<StageDefinition>(builders.Count);
        foreach (var b in builders)
        {
            var label = string.IsNullOrWhiteSpace(b.Id) ? $"#{b.StageOrder}" : $"'{b.Id}'";
            if (string.IsNullOrWhiteSpace(b.Id))
            {
                problems.Add($"Stage {label} has an empty id.");
            }

            if (string.IsNullOrWhiteSpace(b.DisplayName))
            {
                problems.Add($"Stage {label} has an empty name.");
            }

            if (b.ProbabilitySet && (double.IsNaN(b.WinProbability) || b.WinProbability < 0 || b.WinProbability > 1))
            {
                problems.Add($"Stage {label} has win probability {b.WinProbability}; it must be between 0 and 1.");
            }

            if (b.IdleThreshold is { } idle && idle <= TimeSpan.Zero)
            {
                problems.Add($"Stage {label} has idle threshold {idle}; it must be positive.");
            }

            foreach (var item in b.ChecklistItems)
            {
                if (string.IsNullOrWhiteSpace(item.Id))
                {
                    problems.Add($"Stage {label} has a checklist item with an empty id.");
                }
                else if (!checklistIds.Add(item.Id))
                {
                    problems.Add($"Checklist item id '{item.Id}' is used more than once in the pipeline.");
                }

                if (string.IsNullOrWhiteSpace(item.Text))
                {
                    problems.Add($"Checklist item '{item.Id}' of stage {label} has an empty text.");
                }
            }

            var probability = b.ProbabilitySet ? b.WinProbability : b.StageKind == StageKind.Won ? 1.0 : 0.0;
            stages.Add(new StageDefinition(b.Id, b.DisplayName, b.StageOrder, b.StageKind, probability, [.. b.ChecklistItems], b.GuidanceText, b.IdleThreshold));
        }

        return [.. stages.OrderBy(s => s.Order)];
    }

    private static List<TransitionDefinition> BuildTransitions(IReadOnlyList<TransitionDraft> drafts, Dictionary<string, StageDefinition> byId, List<string> problems)
    {
        var transitions = new List<TransitionDefinition>(drafts.Count);
        foreach (var d in drafts)
        {
            var ok = true;
            if (string.IsNullOrWhiteSpace(d.Trigger))
            {
                problems.Add($"A transition from '{d.From}' has an empty trigger name.");
                ok = false;
            }

            if (!byId.TryGetValue(d.From, out var from))
            {
                problems.Add($"Trigger '{d.Trigger}' starts from unknown stage '{d.From}'.");
                ok = false;
            }

            StageDefinition? to = null;
            if (d.Kind == TransitionKind.Transition && !byId.TryGetValue(d.To!, out to))
            {
                problems.Add($"Trigger '{d.Trigger}' from '{d.From}' leads to unknown stage '{d.To}'.");
                ok = false;
            }

            var codes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var guard in d.Guards)
            {
                if (string.IsNullOrWhiteSpace(guard.Code))
                {
                    problems.Add($"Trigger '{d.Trigger}' from '{d.From}' has a guard with an empty code.");
                }
                else if (!codes.Add(guard.Code))
                {
                    problems.Add($"Trigger '{d.Trigger}' from '{d.From}' has guard '{guard.Code}' more than once.");
                }

                if (string.IsNullOrWhiteSpace(guard.Reason))
                {
                    problems.Add($"Guard '{guard.Code}' of trigger '{d.Trigger}' has an empty reason.");
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

            transitions.Add(new TransitionDefinition(d.Trigger, d.From, d.To, d.Kind, guards, d.FollowUp));
        }

        return transitions;
    }

    // Required checklist items hold back moves forward: to a won stage, or to a later open stage.
    private static bool IsForward(StageDefinition from, StageDefinition? to) =>
        to is not null && (to.Kind == StageKind.Won || (to.IsOpen && to.Order > from.Order));

    private static void CheckAmbiguity(List<TransitionDefinition> transitions, List<string> problems)
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
                        problems.Add($"Trigger '{a.Trigger}' from stage '{a.From}' leads to '{a.To ?? "(previous stage)"}' and to '{b.To ?? "(previous stage)"}' without guards that tell them apart.");
                    }
                }
            }
        }
    }

    private static void CheckReachability(string initial, List<StageDefinition> stages, List<TransitionDefinition> transitions, List<string> problems)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal) { initial };
        var queue = new Queue<string>([initial]);
        while (queue.Count > 0)
        {
            var stage = queue.Dequeue();
            foreach (var t in transitions)
            {
                if (t.Kind == TransitionKind.Transition && string.Equals(t.From, stage, StringComparison.Ordinal) && reached.Add(t.To!))
                {
                    queue.Enqueue(t.To!);
                }
            }
        }

        foreach (var stage in stages.Where(s => !reached.Contains(s.Id)))
        {
            problems.Add($"Stage '{stage.Id}' is unreachable from the initial stage '{initial}'.");
        }
    }

    private static void CheckHooks(IReadOnlyList<HookRegistration> hooks, Dictionary<string, StageDefinition> byId, List<TransitionDefinition> transitions, List<string> problems)
    {
        foreach (var hook in hooks)
        {
            var key = hook.Scope.Key;
            switch (hook.Scope.Kind)
            {
                case HookScopeKind.Trigger when !transitions.Any(t => string.Equals(t.Trigger, key, StringComparison.Ordinal)):
                    problems.Add($"Hook '{hook.Name}' is attached to unknown trigger '{key}'.");
                    break;
                case HookScopeKind.Enter or HookScopeKind.Exit when !byId.ContainsKey(key!):
                    problems.Add($"Hook '{hook.Name}' is attached to unknown stage '{key}'.");
                    break;
            }
        }
    }
}
