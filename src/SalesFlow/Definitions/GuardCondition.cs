using System.Globalization;
using System.Text.Json;

namespace SalesFlow;

/// <summary>
/// A guard condition over the deal's data that needs no code: a field is present, equals a value, is at least or at
/// most a value, a collection has no item matching a condition, combined with <see cref="All"/>, <see cref="Any"/>
/// and <see cref="Not"/>. Paths name members as the data is written to JSON (for example <c>Bant.BudgetConfirmed</c>),
/// separated by dots. Immutable. Used by <see cref="PipelineBuilder{TData}.When(string, GuardCondition, string)"/> and
/// by JSON definitions (<c>"when"</c>).
/// </summary>
public sealed class GuardCondition
{
    private GuardCondition(GuardConditionKind kind, string? path, JsonElement? value, IReadOnlyList<GuardCondition> operands)
    {
        Kind = kind;
        Path = path;
        Value = value;
        Operands = operands;
    }

    /// <summary>Gets what the condition checks.</summary>
    public GuardConditionKind Kind { get; }

    /// <summary>Gets the data path the condition reads; <see langword="null"/> for <see cref="All"/>, <see cref="Any"/> and <see cref="Not"/>.</summary>
    public string? Path { get; }

    /// <summary>Gets the value compared with, for <see cref="GuardConditionKind.Equal"/>, <see cref="GuardConditionKind.AtLeast"/> and <see cref="GuardConditionKind.AtMost"/>.</summary>
    public JsonElement? Value { get; }

    /// <summary>
    /// Gets the nested conditions: the combined ones for <see cref="All"/> and <see cref="Any"/>, the negated one for
    /// <see cref="Not"/>, and the item condition (over each item, paths relative to it) for <see cref="None"/>.
    /// </summary>
    public IReadOnlyList<GuardCondition> Operands { get; }

    /// <summary>The member at <paramref name="path"/> is present: not missing, not null, not a blank string, not an empty collection.</summary>
    /// <param name="path">The data path.</param>
    /// <returns>The condition.</returns>
    public static GuardCondition Present(string path) => new(GuardConditionKind.Present, CheckPath(path), null, []);

    /// <summary>The member at <paramref name="path"/> is absent: missing, null, a blank string or an empty collection.</summary>
    /// <param name="path">The data path.</param>
    /// <returns>The condition.</returns>
    public static GuardCondition Absent(string path) => new(GuardConditionKind.Absent, CheckPath(path), null, []);

    /// <summary>The member at <paramref name="path"/> equals <paramref name="value"/> (numbers compare by value).</summary>
    /// <param name="path">The data path.</param>
    /// <param name="value">The value: a string, number, Boolean, <see langword="null"/> or a <see cref="JsonElement"/>.</param>
    /// <returns>The condition.</returns>
    public static GuardCondition Equal(string path, object? value) => new(GuardConditionKind.Equal, CheckPath(path), ToElement(value), []);

    /// <summary>The member at <paramref name="path"/> is a number (or a date or text, compared as such) at least <paramref name="value"/>.</summary>
    /// <param name="path">The data path.</param>
    /// <param name="value">The lower bound: a number, a date (<see cref="DateTimeOffset"/>, <see cref="DateOnly"/>) or text.</param>
    /// <returns>The condition.</returns>
    public static GuardCondition AtLeast(string path, object value) =>
        new(GuardConditionKind.AtLeast, CheckPath(path), ToComparable(value, nameof(value)), []);

    /// <summary>The member at <paramref name="path"/> is a number (or a date or text, compared as such) at most <paramref name="value"/>.</summary>
    /// <param name="path">The data path.</param>
    /// <param name="value">The upper bound: a number, a date (<see cref="DateTimeOffset"/>, <see cref="DateOnly"/>) or text.</param>
    /// <returns>The condition.</returns>
    public static GuardCondition AtMost(string path, object value) =>
        new(GuardConditionKind.AtMost, CheckPath(path), ToComparable(value, nameof(value)), []);

    /// <summary>The collection at <paramref name="path"/> has no item matching <paramref name="item"/> (a missing collection has none).</summary>
    /// <param name="path">The data path of the collection.</param>
    /// <param name="item">The condition over one item; its paths are relative to the item (an empty path is the item itself).</param>
    /// <returns>The condition.</returns>
    public static GuardCondition None(string path, GuardCondition item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new(GuardConditionKind.None, CheckPath(path), null, [item]);
    }

    /// <summary>Every one of <paramref name="conditions"/> holds.</summary>
    /// <param name="conditions">The conditions (at least one).</param>
    /// <returns>The condition.</returns>
    public static GuardCondition All(params IEnumerable<GuardCondition> conditions) => Combine(GuardConditionKind.All, conditions);

    /// <summary>At least one of <paramref name="conditions"/> holds.</summary>
    /// <param name="conditions">The conditions (at least one).</param>
    /// <returns>The condition.</returns>
    public static GuardCondition Any(params IEnumerable<GuardCondition> conditions) => Combine(GuardConditionKind.Any, conditions);

    /// <summary><paramref name="condition"/> does not hold.</summary>
    /// <param name="condition">The condition.</param>
    /// <returns>The condition.</returns>
    public static GuardCondition Not(GuardCondition condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return new(GuardConditionKind.Not, null, null, [condition]);
    }

    /// <summary>Checks the condition against deal data written as JSON.</summary>
    /// <param name="data">The data as JSON (the root object).</param>
    /// <returns><see langword="true"/> when the condition holds.</returns>
    public bool IsMetBy(JsonElement data) => Kind switch
    {
        GuardConditionKind.Present => IsPresent(Resolve(data, Path!)),
        GuardConditionKind.Absent => !IsPresent(Resolve(data, Path!)),
        GuardConditionKind.Equal => Resolve(data, Path!) is { } found ? AreEqual(found, Value!.Value) : Value!.Value.ValueKind == JsonValueKind.Null,
        GuardConditionKind.AtLeast => Compare(Resolve(data, Path!), Value!.Value) is >= 0,
        GuardConditionKind.AtMost => Compare(Resolve(data, Path!), Value!.Value) is <= 0,
        GuardConditionKind.None => Resolve(data, Path!) is not { ValueKind: JsonValueKind.Array } items || !items.EnumerateArray().Any(Operands[0].IsMetBy),
        GuardConditionKind.All => Operands.All(c => c.IsMetBy(data)),
        GuardConditionKind.Any => Operands.Any(c => c.IsMetBy(data)),
        GuardConditionKind.Not => !Operands[0].IsMetBy(data),
        _ => false,
    };

    /// <summary>Formats the condition as the JSON a definition file holds.</summary>
    /// <returns>The JSON text.</returns>
    public override string ToString()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Resolves a dotted path in JSON data; <see langword="null"/> when a segment is missing. An empty path is the element itself.</summary>
    internal static JsonElement? Resolve(JsonElement element, string path)
    {
        if (path.Length == 0)
        {
            return element;
        }

        foreach (var segment in path.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element))
            {
                return null;
            }
        }

        return element;
    }

    internal void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        switch (Kind)
        {
            case GuardConditionKind.All or GuardConditionKind.Any:
                writer.WriteStartArray(Kind == GuardConditionKind.All ? "all" : "any");
                foreach (var operand in Operands)
                {
                    operand.WriteTo(writer);
                }

                writer.WriteEndArray();
                break;
            case GuardConditionKind.Not:
                writer.WritePropertyName("not");
                Operands[0].WriteTo(writer);
                break;
            default:
                writer.WriteString("path", Path);
                switch (Kind)
                {
                    case GuardConditionKind.Present or GuardConditionKind.Absent:
                        writer.WriteBoolean("present", Kind == GuardConditionKind.Present);
                        break;
                    case GuardConditionKind.None:
                        writer.WritePropertyName("none");
                        Operands[0].WriteTo(writer);
                        break;
                    default:
                        writer.WritePropertyName(Kind switch { GuardConditionKind.Equal => "equals", GuardConditionKind.AtLeast => "atLeast", _ => "atMost" });
                        Value!.Value.WriteTo(writer);
                        break;
                }

                break;
        }

        writer.WriteEndObject();
    }

    /// <summary>Every path the condition reads, with the collection paths its item conditions are relative to.</summary>
    internal IEnumerable<(string? CollectionPath, string Path)> Paths(string? collection = null)
    {
        if (Path is not null)
        {
            yield return (collection, Path);
        }

        var inner = Kind == GuardConditionKind.None ? (collection is null ? Path : collection + "[]." + Path) : collection;
        foreach (var operand in Operands)
        {
            foreach (var path in operand.Paths(inner))
            {
                yield return path;
            }
        }
    }

    internal static GuardCondition FromParts(GuardConditionKind kind, string? path, JsonElement? value, IReadOnlyList<GuardCondition> operands) =>
        new(kind, path, value, operands);

    private static GuardCondition Combine(GuardConditionKind kind, IEnumerable<GuardCondition> conditions)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        var list = conditions.ToArray();
        if (list.Length == 0 || list.Any(c => c is null))
        {
            throw new ArgumentException($"{kind} needs at least one condition and no null.", nameof(conditions));
        }

        return new(kind, null, null, list);
    }

    private static string CheckPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Split('.').Any(s => s.Length == 0) && path.Length > 0)
        {
            throw new ArgumentException($"Path '{path}' has an empty segment; write member names separated by single dots.", nameof(path));
        }

        return path;
    }

    private static JsonElement ToElement(object? value) => value switch
    {
        JsonElement element => element.Clone(),
        _ => JsonSerializer.SerializeToElement(value, value?.GetType() ?? typeof(object)),
    };

    private static JsonElement ToComparable(object value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        var element = value switch
        {
            DateTimeOffset d => JsonSerializer.SerializeToElement(d),
            DateTime d => JsonSerializer.SerializeToElement(d),
            DateOnly d => JsonSerializer.SerializeToElement(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            _ => ToElement(value),
        };
        return element.ValueKind is JsonValueKind.Number or JsonValueKind.String
            ? element
            : throw new ArgumentException("A bound must be a number, a date or text.", name);
    }

    private static bool IsPresent(JsonElement? element) => element is { } e && e.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => false,
        JsonValueKind.String => !string.IsNullOrWhiteSpace(e.GetString()),
        JsonValueKind.Array => e.GetArrayLength() > 0,
        _ => true,
    };

    private static bool AreEqual(JsonElement actual, JsonElement expected)
    {
        if (actual.ValueKind == JsonValueKind.Number && expected.ValueKind == JsonValueKind.Number)
        {
            return actual.TryGetDecimal(out var a) && expected.TryGetDecimal(out var b) ? a == b : actual.GetDouble() == expected.GetDouble();
        }

        return JsonElement.DeepEquals(actual, expected);
    }

    // Numbers by value; text that reads as a date on both sides by time; other text ordinally; anything else does not compare.
    private static int? Compare(JsonElement? actual, JsonElement bound)
    {
        if (actual is not { } a)
        {
            return null;
        }

        if (a.ValueKind == JsonValueKind.Number && bound.ValueKind == JsonValueKind.Number)
        {
            return a.TryGetDecimal(out var x) && bound.TryGetDecimal(out var y) ? x.CompareTo(y) : a.GetDouble().CompareTo(bound.GetDouble());
        }

        if (a.ValueKind == JsonValueKind.String && bound.ValueKind == JsonValueKind.String)
        {
            var left = a.GetString()!;
            var right = bound.GetString()!;
            return DateTimeOffset.TryParse(left, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var l)
                   && DateTimeOffset.TryParse(right, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var r)
                ? l.CompareTo(r)
                : string.CompareOrdinal(left, right);
        }

        return null;
    }
}

/// <summary>What a <see cref="GuardCondition"/> checks.</summary>
public enum GuardConditionKind
{
    /// <summary>The member is present (not missing, null, blank or empty).</summary>
    Present = 0,

    /// <summary>The member is absent (missing, null, blank or empty).</summary>
    Absent = 1,

    /// <summary>The member equals a value.</summary>
    Equal = 2,

    /// <summary>The member is at least a value.</summary>
    AtLeast = 3,

    /// <summary>The member is at most a value.</summary>
    AtMost = 4,

    /// <summary>The collection has no item matching the item condition.</summary>
    None = 5,

    /// <summary>Every nested condition holds.</summary>
    All = 6,

    /// <summary>At least one nested condition holds.</summary>
    Any = 7,

    /// <summary>The nested condition does not hold.</summary>
    Not = 8,
}
