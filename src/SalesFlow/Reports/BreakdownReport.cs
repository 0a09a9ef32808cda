using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

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

    /// <summary>Reads a deal's group key (for stores that compute a breakdown themselves).</summary>
    /// <param name="deal">The deal's current snapshot.</param>
    /// <returns>The key; <see langword="null"/> for the group of deals without one.</returns>
    public string? KeyOf(Deal deal)
    {
        ArgumentNullException.ThrowIfNull(deal);
        return Key(deal);
    }

    /// <summary>
    /// A grouping by a value of the deal's data at a dotted path (for example <c>Account.Region</c>): for
    /// <see cref="JsonDealData"/> the JSON value (a string as is, any other value as its JSON text); for typed data the
    /// public property at each step (names compared ignoring case), formatted with the invariant culture. Deals where the
    /// path leads nowhere, or to null, form the group with a <see langword="null"/> key.
    /// </summary>
    /// <param name="path">The dotted path.</param>
    /// <returns>The grouping, named after the path.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static DealGrouping ByData(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var steps = path.Split('.');
        return new(path, deal => deal.Data is JsonDealData json ? JsonKey(json.Get(path)) : TypedKey(deal.Data, steps));
    }

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

    private static string? JsonKey(JsonElement? value) => value switch
    {
        null => null,
        { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
        { ValueKind: JsonValueKind.String } element => element.GetString(),
        { } element => element.GetRawText(),
    };

    private static string? TypedKey(object? value, string[] steps)
    {
        foreach (var step in steps)
        {
            if (value is null)
            {
                return null;
            }

            var property = value.GetType().GetProperty(step, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || property.GetIndexParameters().Length > 0)
            {
                return null;
            }

            value = property.GetValue(value);
        }

        return value switch
        {
            null => null,
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
    }
}

/// <summary>Outcomes and the funnel's cohort size per group of deals, the top groups first.</summary>
/// <param name="PipelineId">The pipeline's id.</param>
/// <param name="Window">The window (as in <see cref="OutcomesReport"/>; <see cref="BreakdownRow.Started"/> counts deals started in it).</param>
/// <param name="Grouping">The grouping's name.</param>
/// <param name="Rows">The top groups: by won value, then deals won, then deals started, then key (ordinal; the <see langword="null"/> key last).</param>
/// <param name="OtherGroups">How many groups did not make the top.</param>
public sealed record BreakdownReport(string PipelineId, ReportWindow Window, string Grouping, ImmutableArray<BreakdownRow> Rows, int OtherGroups)
{
    /// <summary>Orders every group as the reports do (by won value, deals won, deals started, then key) and keeps the top ones.</summary>
    /// <param name="pipelineId">The pipeline's id.</param>
    /// <param name="window">The window.</param>
    /// <param name="grouping">The grouping's name.</param>
    /// <param name="rows">Every group, in any order.</param>
    /// <param name="top">How many groups to keep, at least 1.</param>
    /// <returns>The breakdown.</returns>
    public static BreakdownReport Create(string pipelineId, ReportWindow window, string grouping, IEnumerable<BreakdownRow> rows, int top)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var ordered = rows
            .OrderByDescending(r => r.Outcomes.WonValue)
            .ThenByDescending(r => r.Outcomes.Won)
            .ThenByDescending(r => r.Started)
            .ThenBy(r => r.Key is null ? 1 : 0)
            .ThenBy(r => r.Key, StringComparer.Ordinal)
            .ToList();
        return new BreakdownReport(pipelineId, window, grouping, [.. ordered.Take(top)], Math.Max(0, ordered.Count - top));
    }
}

/// <summary>One group of a <see cref="BreakdownReport"/>.</summary>
/// <param name="Key">The group's key; <see langword="null"/> for deals without one.</param>
/// <param name="Started">How many deals of the group started in the window.</param>
/// <param name="Outcomes">The group's outcomes, computed as for the whole pipeline.</param>
public sealed record BreakdownRow(string? Key, int Started, OutcomesReport Outcomes);
