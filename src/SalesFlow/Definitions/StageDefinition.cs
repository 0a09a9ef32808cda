namespace SalesFlow;

/// <summary>One stage of a pipeline. Immutable; produced by <see cref="PipelineBuilder{TData}"/>.</summary>
public sealed class StageDefinition
{
    internal StageDefinition(
        string id,
        string name,
        int order,
        StageKind kind,
        double winProbability,
        IReadOnlyList<ChecklistItem> checklist,
        string guidance,
        TimeSpan? idleThreshold,
        IReadOnlyDictionary<string, string> metadata)
    {
        Id = id;
        Name = name;
        Order = order;
        Kind = kind;
        WinProbability = winProbability;
        Checklist = checklist;
        Guidance = guidance;
        IdleThreshold = idleThreshold;
        Metadata = metadata;
    }

    /// <summary>Gets the stage id, unique within its pipeline.</summary>
    public string Id { get; }

    /// <summary>Gets the display name.</summary>
    public string Name { get; }

    /// <summary>Gets the stage's position in the process (1 for the first stage declared unless set).</summary>
    public int Order { get; }

    /// <summary>Gets what the stage means for the deal's outcome.</summary>
    public StageKind Kind { get; }

    /// <summary>Gets the probability, between 0 and 1, that a deal in this stage is eventually won.</summary>
    public double WinProbability { get; }

    /// <summary>Gets the stage's checklist, in declaration order.</summary>
    public IReadOnlyList<ChecklistItem> Checklist { get; }

    /// <summary>Gets what the seller should do in this stage; empty when none was given.</summary>
    public string Guidance { get; }

    /// <summary>Gets how long a deal may stay in this stage without activity before it counts as idle.</summary>
    public TimeSpan? IdleThreshold { get; }

    /// <summary>Gets free facts about the stage for hosts, such as a forecast category or a colour (empty when none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Gets a value indicating whether the stage is <see cref="StageKind.Open"/>.</summary>
    public bool IsOpen => Kind == StageKind.Open;

    /// <inheritdoc/>
    public override string ToString() => Id;
}
