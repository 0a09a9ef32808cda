namespace SalesFlow.Testing;

/// <summary>Thrown before any path runs when guards on the paths have no satisfier; lists every one.</summary>
public sealed class GuardSatisfiersMissingException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="GuardSatisfiersMissingException"/> class.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="missing">Every missing satisfier.</param>
    public GuardSatisfiersMissingException(PipelineDefinition pipeline, IReadOnlyList<MissingGuardSatisfier> missing)
        : base(Describe(pipeline, missing))
    {
        Missing = missing;
    }

    /// <summary>Gets every missing satisfier.</summary>
    public IReadOnlyList<MissingGuardSatisfier> Missing { get; }

    /// <summary>Gets the codes of the guards that need a satisfier (for an alternative to refuse, each of its guards).</summary>
    public IReadOnlyList<string> Codes => [.. Missing.SelectMany(m => m.Guards).Select(g => g.Code).Distinct(StringComparer.Ordinal)];

    private static string Describe(PipelineDefinition pipeline, IReadOnlyList<MissingGuardSatisfier> missing)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(missing);
        return $"The test paths of {pipeline} need {missing.Count} guard satisfier(s) that are not registered; add them to GuardSatisfiers "
            + "(by code, or through a source):" + Environment.NewLine + "- " + string.Join(Environment.NewLine + "- ", missing);
    }
}
