using System.Collections.Immutable;

namespace SalesFlow;

/// <summary>How a breakdown groups deals: a name and a key read from each deal's current snapshot.</summary>
public sealed record DealGrouping
{
    private DealGrouping(string name, Func<Deal, string?> key)
    {
        Name = name;
        Key = key;
    }

    /// <summary>Gets the grouping's name, shown in the report.</summary>
    public string Name { get; }

    /// <summary>Gets the grouping by <see cref="Deal.Owner"/>.</summary>
    public static DealGrouping ByOwner { get; } = new("owner", d => d.Owner);

    internal Func<Deal, string?> Key { get; }

    /// <summary>
    /// A grouping by a key the caller reads from the deal (for example a field of its data: product, account, region).
    /// Deals whose key is <see langword="null"/> form one group with a <see langword="null"/> key.
    /// </summary>
    /// <param name="name">The grouping's name, shown in the report.</param>
    /// <param name="key">Reads the group key from a deal; must not throw.</param>
    /// <returns>The grouping.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public static DealGrouping By(string name, Func<Deal, string?> key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(key);
        return new(name, key);
    }
}

/// <summary>Outcomes and the funnel's cohort size per group of deals, the top groups first.</summary>
/// <param name="PipelineId">The pipeline's id.</param>
/// <param name="Window">The window (as in <see cref="OutcomesReport"/>; <see cref="BreakdownRow.Started"/> counts deals started in it).</param>
/// <param name="Grouping">The grouping's name.</param>
/// <param name="Rows">The top groups: by won value, then deals won, then deals started, then key (ordinal; the <see langword="null"/> key last).</param>
/// <param name="OtherGroups">How many groups did not make the top.</param>
public sealed record BreakdownReport(string PipelineId, ReportWindow Window, string Grouping, ImmutableArray<BreakdownRow> Rows, int OtherGroups);

/// <summary>One group of a <see cref="BreakdownReport"/>.</summary>
/// <param name="Key">The group's key; <see langword="null"/> for deals without one.</param>
/// <param name="Started">How many deals of the group started in the window.</param>
/// <param name="Outcomes">The group's outcomes, computed as for the whole pipeline.</param>
public sealed record BreakdownRow(string? Key, int Started, OutcomesReport Outcomes);
