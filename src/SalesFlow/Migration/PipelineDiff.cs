using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace SalesFlow;

/// <summary>
/// What changed between two pipeline definitions (usually two versions of one pipeline): stages and transitions
/// added, removed and changed. Immutable; made by <see cref="Compare"/>.
/// </summary>
/// <remarks>
/// Stages are matched by id. Transitions are matched by trigger and from-stage; when one trigger has several
/// alternatives from one stage, alternatives leading to the same stage with the same kind are paired first, the
/// rest in declaration order. Guards are compared by code (a guard's predicate cannot be compared), the implicit
/// <c>checklist.&lt;item&gt;</c> guards of required checklist items included.
/// </remarks>
public sealed class PipelineDiff
{
    private PipelineDiff(
        PipelineDefinition from,
        PipelineDefinition to,
        IReadOnlyList<StageDefinition> addedStages,
        IReadOnlyList<StageDefinition> removedStages,
        IReadOnlyList<StageChange> changedStages,
        IReadOnlyList<TransitionDefinition> addedTransitions,
        IReadOnlyList<TransitionDefinition> removedTransitions,
        IReadOnlyList<TransitionChange> changedTransitions)
    {
        From = from;
        To = to;
        AddedStages = addedStages.ToImmutableArray();
        RemovedStages = removedStages.ToImmutableArray();
        ChangedStages = changedStages.ToImmutableArray();
        AddedTransitions = addedTransitions.ToImmutableArray();
        RemovedTransitions = removedTransitions.ToImmutableArray();
        ChangedTransitions = changedTransitions.ToImmutableArray();
    }

    /// <summary>Gets the definition compared from (the old version).</summary>
    public PipelineDefinition From { get; }

    /// <summary>Gets the definition compared to (the new version).</summary>
    public PipelineDefinition To { get; }

    /// <summary>Gets a value indicating whether new deals start in another stage.</summary>
    public bool InitialStageChanged => !string.Equals(From.InitialStage, To.InitialStage, StringComparison.Ordinal);

    /// <summary>Gets the stages only <see cref="To"/> has, in its order.</summary>
    public IReadOnlyList<StageDefinition> AddedStages { get; }

    /// <summary>Gets the stages only <see cref="From"/> has, in its order.</summary>
    public IReadOnlyList<StageDefinition> RemovedStages { get; }

    /// <summary>Gets the stages both have whose properties differ, in <see cref="To"/>'s order.</summary>
    public IReadOnlyList<StageChange> ChangedStages { get; }

    /// <summary>Gets the transitions only <see cref="To"/> has, in declaration order.</summary>
    public IReadOnlyList<TransitionDefinition> AddedTransitions { get; }

    /// <summary>Gets the transitions only <see cref="From"/> has, in declaration order.</summary>
    public IReadOnlyList<TransitionDefinition> RemovedTransitions { get; }

    /// <summary>Gets the transitions both have (same trigger and from-stage) that differ, in <see cref="To"/>'s declaration order.</summary>
    public IReadOnlyList<TransitionChange> ChangedTransitions { get; }

    /// <summary>Gets a value indicating whether the two definitions have the same stages, transitions and initial stage.</summary>
    public bool IsEmpty =>
        !InitialStageChanged && AddedStages.Count == 0 && RemovedStages.Count == 0 && ChangedStages.Count == 0
        && AddedTransitions.Count == 0 && RemovedTransitions.Count == 0 && ChangedTransitions.Count == 0;

    /// <summary>Compares two pipeline definitions.</summary>
    /// <param name="from">The old definition.</param>
    /// <param name="to">The new definition.</param>
    /// <returns>What changed from <paramref name="from"/> to <paramref name="to"/>.</returns>
    public static PipelineDiff Compare(PipelineDefinition from, PipelineDefinition to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);

        var added = to.Stages.Where(s => !from.TryGetStage(s.Id, out _)).ToArray();
        var removed = from.Stages.Where(s => !to.TryGetStage(s.Id, out _)).ToArray();
        var changed = new List<StageChange>();
        foreach (var stage in to.Stages)
        {
            if (from.TryGetStage(stage.Id, out var old) && StageChange.Differences(old, stage) is var properties && properties != StageProperties.None)
            {
                changed.Add(new StageChange(old, stage, properties));
            }
        }

        var (addedTransitions, removedTransitions, changedTransitions) = CompareTransitions(from.Transitions, to.Transitions);
        return new PipelineDiff(from, to, added, removed, changed, addedTransitions, removedTransitions, changedTransitions);
    }

    /// <summary>Describes the differences in plain lines, for a review or a log.</summary>
    /// <returns>One line per difference under a heading naming both definitions; "No differences." when there are none.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{From} -> {To}").AppendLine();
        if (IsEmpty)
        {
            return text.Append("No differences.").ToString();
        }

        if (InitialStageChanged)
        {
            text.Append(CultureInfo.InvariantCulture, $"Initial stage: {From.InitialStage} -> {To.InitialStage}").AppendLine();
        }

        foreach (var stage in AddedStages)
        {
            text.Append(CultureInfo.InvariantCulture, $"+ stage {stage.Id} ({stage.Name}, {stage.Kind})").AppendLine();
        }

        foreach (var stage in RemovedStages)
        {
            text.Append(CultureInfo.InvariantCulture, $"- stage {stage.Id} ({stage.Name}, {stage.Kind})").AppendLine();
        }

        foreach (var change in ChangedStages)
        {
            text.Append("~ ").Append(change).AppendLine();
        }

        foreach (var transition in AddedTransitions)
        {
            text.Append("+ transition ").Append(Describe(transition)).AppendLine();
        }

        foreach (var transition in RemovedTransitions)
        {
            text.Append("- transition ").Append(Describe(transition)).AppendLine();
        }

        foreach (var change in ChangedTransitions)
        {
            text.Append("~ ").Append(change).AppendLine();
        }

        return text.ToString().TrimEnd();
    }

    internal static string Describe(TransitionDefinition t)
    {
        var target = t.Kind switch
        {
            TransitionKind.Internal => "(internal)",
            TransitionKind.Return => "(previous stage)",
            _ => t.To,
        };
        var guards = t.Guards.Count == 0 ? "" : " [" + string.Join(", ", t.Guards.Select(g => g.Code)) + "]";
        return $"{t.Trigger}: {t.From} -> {target}{guards}";
    }

    private static (TransitionDefinition[] Added, TransitionDefinition[] Removed, TransitionChange[] Changed) CompareTransitions(
        IReadOnlyList<TransitionDefinition> from, IReadOnlyList<TransitionDefinition> to)
    {
        var oldByKey = from.GroupBy(t => (t.Trigger, t.From)).ToDictionary(g => g.Key, g => g.ToList());
        var paired = new Dictionary<TransitionDefinition, TransitionDefinition>(ReferenceEqualityComparer.Instance);
        foreach (var group in to.GroupBy(t => (t.Trigger, t.From)))
        {
            if (!oldByKey.TryGetValue(group.Key, out var candidates))
            {
                continue;
            }

            var unpaired = group.ToList();

            // Alternatives to the same stage with the same kind first, then the rest in declaration order.
            foreach (var t in unpaired.ToArray())
            {
                var same = candidates.Find(o => o.Kind == t.Kind && string.Equals(o.To, t.To, StringComparison.Ordinal));
                if (same is not null)
                {
                    paired[t] = same;
                    candidates.Remove(same);
                    unpaired.Remove(t);
                }
            }

            for (var i = 0; i < unpaired.Count && candidates.Count > 0; i++)
            {
                paired[unpaired[i]] = candidates[0];
                candidates.RemoveAt(0);
            }
        }

        var matchedOld = new HashSet<TransitionDefinition>(paired.Values, ReferenceEqualityComparer.Instance);
        var added = to.Where(t => !paired.ContainsKey(t)).ToArray();
        var removed = from.Where(t => !matchedOld.Contains(t)).ToArray();
        var changed = to
            .Where(paired.ContainsKey)
            .Select(t => TransitionChange.Between(paired[t], t))
            .OfType<TransitionChange>()
            .ToArray();
        return (added, removed, changed);
    }
}

/// <summary>The properties of a stage that a <see cref="StageChange"/> reports as changed.</summary>
[Flags]
public enum StageProperties
{
    /// <summary>Nothing changed.</summary>
    None = 0,

    /// <summary>The display name (<see cref="StageDefinition.Name"/>).</summary>
    Name = 1,

    /// <summary>The position in the process (<see cref="StageDefinition.Order"/>).</summary>
    Order = 2,

    /// <summary>The outcome kind (<see cref="StageDefinition.Kind"/>).</summary>
    Kind = 4,

    /// <summary>The win probability (<see cref="StageDefinition.WinProbability"/>).</summary>
    WinProbability = 8,

    /// <summary>The checklist: items added, removed, reworded, or made required or optional (<see cref="StageDefinition.Checklist"/>).</summary>
    Checklist = 16,

    /// <summary>The guidance text (<see cref="StageDefinition.Guidance"/>).</summary>
    Guidance = 32,

    /// <summary>The idle threshold (<see cref="StageDefinition.IdleThreshold"/>).</summary>
    IdleThreshold = 64,

    /// <summary>The free facts for hosts (<see cref="StageDefinition.Metadata"/>).</summary>
    Metadata = 128,
}

/// <summary>A stage both definitions have (same id) whose properties differ.</summary>
public sealed class StageChange
{
    internal StageChange(StageDefinition before, StageDefinition after, StageProperties changed)
    {
        Before = before;
        After = after;
        Changed = changed;
    }

    /// <summary>Gets the stage's id.</summary>
    public string StageId => After.Id;

    /// <summary>Gets the stage in the old definition.</summary>
    public StageDefinition Before { get; }

    /// <summary>Gets the stage in the new definition.</summary>
    public StageDefinition After { get; }

    /// <summary>Gets every property that changed.</summary>
    public StageProperties Changed { get; }

    /// <inheritdoc/>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Changed.HasFlag(StageProperties.Name))
        {
            parts.Add($"name '{Before.Name}' -> '{After.Name}'");
        }

        if (Changed.HasFlag(StageProperties.Order))
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"order {Before.Order} -> {After.Order}"));
        }

        if (Changed.HasFlag(StageProperties.Kind))
        {
            parts.Add($"kind {Before.Kind} -> {After.Kind}");
        }

        if (Changed.HasFlag(StageProperties.WinProbability))
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"win probability {Before.WinProbability} -> {After.WinProbability}"));
        }

        if (Changed.HasFlag(StageProperties.Checklist))
        {
            parts.Add("checklist " + DescribeChecklist(Before.Checklist, After.Checklist));
        }

        if (Changed.HasFlag(StageProperties.Guidance))
        {
            parts.Add("guidance");
        }

        if (Changed.HasFlag(StageProperties.IdleThreshold))
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"idle threshold {Before.IdleThreshold?.ToString() ?? "none"} -> {After.IdleThreshold?.ToString() ?? "none"}"));
        }

        if (Changed.HasFlag(StageProperties.Metadata))
        {
            parts.Add("metadata");
        }

        return $"stage {StageId}: " + string.Join("; ", parts);
    }

    internal static StageProperties Differences(StageDefinition a, StageDefinition b)
    {
        var changed = StageProperties.None;
        if (!string.Equals(a.Name, b.Name, StringComparison.Ordinal))
        {
            changed |= StageProperties.Name;
        }

        if (a.Order != b.Order)
        {
            changed |= StageProperties.Order;
        }

        if (a.Kind != b.Kind)
        {
            changed |= StageProperties.Kind;
        }

        if (!a.WinProbability.Equals(b.WinProbability))
        {
            changed |= StageProperties.WinProbability;
        }

        if (!a.Checklist.SequenceEqual(b.Checklist))
        {
            changed |= StageProperties.Checklist;
        }

        if (!string.Equals(a.Guidance, b.Guidance, StringComparison.Ordinal))
        {
            changed |= StageProperties.Guidance;
        }

        if (a.IdleThreshold != b.IdleThreshold)
        {
            changed |= StageProperties.IdleThreshold;
        }

        if (a.Metadata.Count != b.Metadata.Count || a.Metadata.Any(m => !b.Metadata.TryGetValue(m.Key, out var value) || !string.Equals(value, m.Value, StringComparison.Ordinal)))
        {
            changed |= StageProperties.Metadata;
        }

        return changed;
    }

    private static string DescribeChecklist(IReadOnlyList<ChecklistItem> before, IReadOnlyList<ChecklistItem> after)
    {
        static string Item(ChecklistItem i) => i.Required ? i.Id + " (required)" : i.Id;
        var parts = new List<string>();
        parts.AddRange(after.Where(a => !before.Any(b => b.Id == a.Id)).Select(a => "+" + Item(a)));
        parts.AddRange(before.Where(b => !after.Any(a => a.Id == b.Id)).Select(b => "-" + Item(b)));
        foreach (var a in after)
        {
            if (before.FirstOrDefault(b => b.Id == a.Id) is { } b && b != a)
            {
                parts.Add(b.Required != a.Required ? $"{a.Id} {(a.Required ? "now required" : "now optional")}" : $"{a.Id} reworded");
            }
        }

        return parts.Count == 0 ? "reordered" : "(" + string.Join(", ", parts) + ")";
    }
}

/// <summary>The properties of a transition that a <see cref="TransitionChange"/> reports as changed.</summary>
[Flags]
public enum TransitionProperties
{
    /// <summary>Nothing changed.</summary>
    None = 0,

    /// <summary>The stage the move leads to (<see cref="TransitionDefinition.To"/>).</summary>
    To = 1,

    /// <summary>How the trigger moves the deal (<see cref="TransitionDefinition.Kind"/>).</summary>
    Kind = 2,

    /// <summary>The guards, by code (<see cref="TransitionDefinition.Guards"/>).</summary>
    Guards = 4,
}

/// <summary>A transition both definitions have (same trigger, same from-stage) that differs.</summary>
public sealed class TransitionChange
{
    private TransitionChange(TransitionDefinition before, TransitionDefinition after, TransitionProperties changed, IReadOnlyList<string> addedGuards, IReadOnlyList<string> removedGuards)
    {
        Before = before;
        After = after;
        Changed = changed;
        AddedGuards = addedGuards.ToImmutableArray();
        RemovedGuards = removedGuards.ToImmutableArray();
    }

    /// <summary>Gets the trigger.</summary>
    public string Trigger => After.Trigger;

    /// <summary>Gets the stage the move starts from.</summary>
    public string From => After.From;

    /// <summary>Gets the transition in the old definition.</summary>
    public TransitionDefinition Before { get; }

    /// <summary>Gets the transition in the new definition.</summary>
    public TransitionDefinition After { get; }

    /// <summary>Gets every property that changed.</summary>
    public TransitionProperties Changed { get; }

    /// <summary>Gets the codes of the guards only the new transition has.</summary>
    public IReadOnlyList<string> AddedGuards { get; }

    /// <summary>Gets the codes of the guards only the old transition has.</summary>
    public IReadOnlyList<string> RemovedGuards { get; }

    /// <inheritdoc/>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Changed.HasFlag(TransitionProperties.To))
        {
            parts.Add($"to {Before.To ?? "(previous stage)"} -> {After.To ?? "(previous stage)"}");
        }

        if (Changed.HasFlag(TransitionProperties.Kind))
        {
            parts.Add($"kind {Before.Kind} -> {After.Kind}");
        }

        if (Changed.HasFlag(TransitionProperties.Guards))
        {
            parts.Add("guards (" + string.Join(", ", AddedGuards.Select(g => "+" + g).Concat(RemovedGuards.Select(g => "-" + g))) + ")");
        }

        return $"transition {Trigger} from {From}: " + string.Join("; ", parts);
    }

    internal static TransitionChange? Between(TransitionDefinition before, TransitionDefinition after)
    {
        var changed = TransitionProperties.None;
        if (!string.Equals(before.To, after.To, StringComparison.Ordinal))
        {
            changed |= TransitionProperties.To;
        }

        if (before.Kind != after.Kind)
        {
            changed |= TransitionProperties.Kind;
        }

        var beforeCodes = before.Guards.Select(g => g.Code).ToArray();
        var afterCodes = after.Guards.Select(g => g.Code).ToArray();
        var added = afterCodes.Except(beforeCodes, StringComparer.Ordinal).ToArray();
        var removed = beforeCodes.Except(afterCodes, StringComparer.Ordinal).ToArray();
        if (added.Length > 0 || removed.Length > 0)
        {
            changed |= TransitionProperties.Guards;
        }

        return changed == TransitionProperties.None ? null : new TransitionChange(before, after, changed, added, removed);
    }
}
