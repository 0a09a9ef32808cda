using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Compliance.Classification;

namespace SalesFlow;

/// <summary>
/// Finds the personal members of a deal data type (by their data classification attributes) as paths in the data's
/// JSON form, and reads or blanks the values at such paths. Paths use the guard conditions' syntax: member names as the
/// data is written to JSON, separated by dots, <c>[]</c> after a collection to mean each of its items.
/// </summary>
internal static partial class PersonalDataMap
{
    /// <summary>Lists the paths of the members of <paramref name="dataType"/> marked as personal, in declaration order.</summary>
    public static List<string> Find(Type dataType, JsonSerializerOptions options)
    {
        var paths = new List<string>();
        if (dataType == typeof(JsonDealData))
        {
            return paths; // Schemaless: its personal members are declared in the definition.
        }

        options = Readable(options);
        Find(dataType, options, "", paths, []);
        return paths;
    }

    /// <summary>Whether a member carries a data classification that marks it as personal.</summary>
    public static bool IsPersonal(ICustomAttributeProvider? member)
    {
        if (member is null)
        {
            return false;
        }

        if (Classified(member.GetCustomAttributes(typeof(DataClassificationAttribute), inherit: true)))
        {
            return true;
        }

        // A positional record's parameter attribute stays on the constructor parameter unless targeted at the property.
        if (member is PropertyInfo property && property.DeclaringType is { } declaring)
        {
            foreach (var constructor in declaring.GetConstructors())
            {
                foreach (var parameter in constructor.GetParameters())
                {
                    if (string.Equals(parameter.Name, property.Name, StringComparison.Ordinal)
                        && Classified(parameter.GetCustomAttributes(typeof(DataClassificationAttribute), inherit: true)))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>Visits the nodes a path selects (every item for <c>[]</c>), with the concrete path of each, for example <c>Contacts[1].Email</c>.</summary>
    public static void Select(JsonNode root, string path, Action<JsonObject, string, string> visit) =>
        Select(root, path.Split('.'), 0, "", visit);

    /// <summary>Collects the text of every string and number at or under a node (the values a person could be found by).</summary>
    public static void CollectValues(JsonNode? node, ICollection<string> values)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    CollectValues(child, values);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    CollectValues(item, values);
                }

                break;
            case JsonValue value when value.GetValueKind() is JsonValueKind.String:
                var text = value.GetValue<string>();
                values.Add(text);

                // Free text can hold contact details: they are looked for on their own too.
                foreach (Match contact in ContactDetails().Matches(text))
                {
                    if (contact.Length < text.Length)
                    {
                        values.Add(contact.Value.TrimEnd('.', ',', ';', ')'));
                    }
                }

                break;
            case JsonValue value when value.GetValueKind() is JsonValueKind.Number:
                values.Add(value.ToJsonString());
                break;
        }
    }

    /// <summary>Whether a value holds nothing: null, an empty string, an empty collection, or an object of such values.</summary>
    public static bool IsBlank(JsonNode? value) => value switch
    {
        null => true,
        JsonArray array => array.Count == 0,
        JsonObject obj => obj.All(member => IsBlank(member.Value)),
        JsonValue text when text.GetValueKind() == JsonValueKind.String => text.GetValue<string>().Length == 0,
        _ => false,
    };

    /// <summary>
    /// The value an erased member takes: the member's value in a new, empty instance of the type that declares it (its
    /// initializer: <c>null</c>, <c>""</c>, an empty collection …), or <see langword="null"/> when that type has no
    /// parameterless constructor. <see langword="false"/> for schemaless data, whose erased members are removed.
    /// </summary>
    public static bool TryGetBlank(Type dataType, JsonSerializerOptions options, string path, out JsonNode? blank)
    {
        blank = null;
        if (dataType == typeof(JsonDealData))
        {
            return false;
        }

        options = Readable(options);
        var type = dataType;
        var segments = path.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var intoItems = segment.EndsWith("[]", StringComparison.Ordinal);
            var name = intoItems ? segment[..^2] : segment;
            type = Nullable.GetUnderlyingType(type) ?? type;
            var info = options.GetTypeInfo(type);
            var property = info.Kind == JsonTypeInfoKind.Object
                ? info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal))
                : null;
            if (property is null)
            {
                return true;
            }

            if (i == segments.Length - 1)
            {
                if (intoItems)
                {
                    blank = new JsonArray();
                    return true;
                }

                if (info.CreateObject?.Invoke() is { } empty && property.Get is { } get)
                {
                    blank = JsonSerializer.SerializeToNode(get(empty), property.PropertyType, options);
                }

                return true;
            }

            type = intoItems ? ItemType(property.PropertyType) ?? typeof(object) : property.PropertyType;
        }

        return true;
    }

    private static void Select(JsonNode node, string[] segments, int index, string prefix, Action<JsonObject, string, string> visit)
    {
        if (node is not JsonObject obj)
        {
            return;
        }

        var segment = segments[index];
        var intoItems = segment.EndsWith("[]", StringComparison.Ordinal);
        var name = intoItems ? segment[..^2] : segment;
        if (!obj.TryGetPropertyValue(name, out var child))
        {
            return;
        }

        var here = prefix.Length == 0 ? name : prefix + "." + name;
        if (index == segments.Length - 1 && !intoItems)
        {
            visit(obj, name, here);
            return;
        }

        if (!intoItems)
        {
            if (child is not null)
            {
                Select(child, segments, index + 1, here, visit);
            }

            return;
        }

        if (child is not JsonArray items)
        {
            return;
        }

        if (index == segments.Length - 1)
        {
            // "Hobbies[]": the collection as a whole.
            visit(obj, name, here);
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is { } item)
            {
                Select(item, segments, index + 1, $"{here}[{i}]", visit);
            }
        }
    }

    private static void Find(Type type, JsonSerializerOptions options, string prefix, List<string> paths, HashSet<Type> visiting)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || !visiting.Add(type))
        {
            return;
        }

        try
        {
            JsonTypeInfo info;
            try
            {
                info = options.GetTypeInfo(type);
            }
            catch (NotSupportedException)
            {
                return;
            }

            if (info.Kind == JsonTypeInfoKind.Enumerable && ItemType(type) is { } item)
            {
                Find(item, options, prefix + "[]", paths, visiting);
                return;
            }

            if (info.Kind != JsonTypeInfoKind.Object)
            {
                return;
            }

            foreach (var property in info.Properties)
            {
                if (property.Set is null)
                {
                    continue; // Computed from the other members (read-only): not data of its own.
                }

                var path = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
                if (IsPersonal(property.AttributeProvider))
                {
                    paths.Add(path);
                }
                else
                {
                    Find(property.PropertyType, options, path, paths, visiting);
                }
            }
        }
        finally
        {
            visiting.Remove(type);
        }
    }

    // E-mail addresses, and phone numbers of at least seven digits (with spaces, dots, dashes, parentheses, a leading +).
    [GeneratedRegex(@"[^\s@<>()\[\],;:""]+@[^\s@<>()\[\],;:""]+\.[^\s@<>()\[\],;:""]+|\+?\d[\d\s().-]{5,}\d", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex ContactDetails();

    private static bool Classified(object[] attributes) =>
        attributes.OfType<DataClassificationAttribute>().Any(a => a.Classification != DataClassification.None && a.Classification != DataClassification.Unknown);

    // Options not used yet have no resolver: read the type's members through a copy with the default one.
    internal static JsonSerializerOptions Readable(JsonSerializerOptions options) =>
        options.TypeInfoResolver is null ? new JsonSerializerOptions(options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() } : options;

    private static Type? ItemType(Type type) =>
        type.IsArray
            ? type.GetElementType()
            : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
}
