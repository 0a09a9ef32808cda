namespace SalesFlow;

/// <summary>Describes one stage while a pipeline is being built.</summary>
public sealed class StageBuilder
{
    private readonly List<ChecklistItem> _checklist = [];
    private readonly SortedDictionary<string, string> _metadata = new(StringComparer.Ordinal);

    internal StageBuilder(string id, int order)
    {
        Id = id;
        DisplayName = id;
        StageOrder = order;
    }

    internal string Id { get; }

    internal string DisplayName { get; private set; }

    internal int StageOrder { get; private set; }

    internal StageKind StageKind { get; private set; }

    internal double WinProbability { get; private set; }

    internal bool ProbabilitySet { get; private set; }

    internal string GuidanceText { get; private set; } = "";

    internal TimeSpan? IdleThreshold { get; private set; }

    internal IReadOnlyList<ChecklistItem> ChecklistItems => _checklist;

    internal IReadOnlyDictionary<string, string> MetadataItems => _metadata;

    // Where the stage is in the definition's JSON form, for diagnostics.
    internal string Pointer { get; set; } = "";

    /// <summary>Sets the display name.</summary>
    /// <param name="name">The name.</param>
    /// <value>The default is the stage id.</value>
    /// <returns>This builder.</returns>
    public StageBuilder Name(string name)
    {
        DisplayName = name ?? throw new ArgumentNullException(nameof(name));
        return this;
    }

    /// <summary>Sets the stage's position in the process.</summary>
    /// <param name="order">The position.</param>
    /// <value>The default is the declaration position, starting at 1.</value>
    /// <returns>This builder.</returns>
    public StageBuilder Order(int order)
    {
        StageOrder = order;
        return this;
    }

    /// <summary>Sets what the stage means for the outcome.</summary>
    /// <param name="kind">The kind.</param>
    /// <value>The default is <see cref="SalesFlow.StageKind.Open"/>.</value>
    /// <returns>This builder.</returns>
    public StageBuilder Kind(StageKind kind)
    {
        StageKind = kind;
        return this;
    }

    /// <summary>Marks the stage as won (win probability 1 unless set).</summary>
    /// <returns>This builder.</returns>
    public StageBuilder Won() => Kind(StageKind.Won);

    /// <summary>Marks the stage as lost (win probability 0).</summary>
    /// <returns>This builder.</returns>
    public StageBuilder Lost() => Kind(StageKind.Lost);

    /// <summary>Marks the stage as closed without a win or a loss (for example cancelled).</summary>
    /// <returns>This builder.</returns>
    public StageBuilder Closed() => Kind(StageKind.Closed);

    /// <summary>Sets the probability, between 0 and 1, that a deal in this stage is won.</summary>
    /// <param name="probability">The probability.</param>
    /// <returns>This builder.</returns>
    public StageBuilder Probability(double probability)
    {
        WinProbability = probability;
        ProbabilitySet = true;
        return this;
    }

    /// <summary>Adds a checklist item.</summary>
    /// <param name="id">The item id, unique within the pipeline.</param>
    /// <param name="text">What to do.</param>
    /// <param name="required">When <see langword="true"/>, moves forward out of the stage wait for the item.</param>
    /// <returns>This builder.</returns>
    public StageBuilder Checklist(string id, string text, bool required = false)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(text);
        _checklist.Add(new ChecklistItem(id, text, required));
        return this;
    }

    /// <summary>Sets what the seller should do in this stage.</summary>
    /// <param name="guidance">The guidance text.</param>
    /// <returns>This builder.</returns>
    public StageBuilder Guidance(string guidance)
    {
        GuidanceText = guidance ?? throw new ArgumentNullException(nameof(guidance));
        return this;
    }

    /// <summary>Sets how long a deal may stay in this stage without activity before it counts as idle.</summary>
    /// <param name="threshold">The threshold.</param>
    /// <returns>This builder.</returns>
    public StageBuilder IdleAfter(TimeSpan threshold)
    {
        IdleThreshold = threshold;
        return this;
    }

    /// <summary>Adds a free fact about the stage for hosts, such as a forecast category or a colour.</summary>
    /// <param name="key">The key, for example <c>forecastCategory</c>.</param>
    /// <param name="value">The value, for example <c>pipeline</c>.</param>
    /// <returns>This builder.</returns>
    public StageBuilder Metadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        _metadata[key] = value;
        return this;
    }
}
