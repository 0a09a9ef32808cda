namespace SalesFlow.Testing;

/// <summary>A guard the test paths need a satisfier for (or a violator, to refuse an alternative) and that has none.</summary>
public sealed class MissingGuardSatisfier
{
    internal MissingGuardSatisfier(IReadOnlyList<GuardDefinition> guards, bool toRefuseAlternative, IReadOnlyList<string> neededBy)
    {
        Guards = guards;
        ToRefuseAlternative = toRefuseAlternative;
        NeededBy = neededBy;
    }

    /// <summary>
    /// Gets the guard that needs a satisfier; when <see cref="ToRefuseAlternative"/> is true, the guards of the alternative
    /// of which any one needs a satisfier that can make it unmet.
    /// </summary>
    public IReadOnlyList<GuardDefinition> Guards { get; }

    /// <summary>
    /// Gets a value indicating whether what is missing is a way to make a guard unmet (a satisfier created with a violate
    /// function), to refuse an alternative declared before a step's transition.
    /// </summary>
    public bool ToRefuseAlternative { get; }

    /// <summary>Gets the steps that need it (<c>path 2, step 3 (Qualify: qualification -&gt; needs-assessment)</c>).</summary>
    public IReadOnlyList<string> NeededBy { get; }

    /// <inheritdoc/>
    public override string ToString()
    {
        var steps = NeededBy.Count <= 3 ? string.Join("; ", NeededBy) : $"{string.Join("; ", NeededBy.Take(3))} and {NeededBy.Count - 3} more";
        return ToRefuseAlternative
            ? $"a satisfier that can make one of [{string.Join(", ", Guards.Select(g => g.Code))}] unmet, to refuse an alternative, for {steps}"
            : $"{Guards[0].Code} ({Guards[0].Reason}), for {steps}";
    }
}
