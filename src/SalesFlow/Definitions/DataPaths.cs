using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace SalesFlow;

/// <summary>Checks that the paths guard conditions read exist in the deal data type, as the pipeline writes it to JSON.</summary>
internal static class DataPaths
{
    public static void Check(Type dataType, JsonSerializerOptions options, IReadOnlyList<TransitionDraft> drafts, List<PipelineDiagnostic> problems)
    {
        if (dataType == typeof(JsonDealData))
        {
            return; // Schemaless: any path may be there.
        }

        // Options not used yet have no resolver: read the type's members through a copy with the default one.
        if (options.TypeInfoResolver is null)
        {
            options = new JsonSerializerOptions(options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        }

        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var draft in drafts)
        {
            for (var i = 0; i < draft.Guards.Count; i++)
            {
                var pointer = $"{draft.Pointer}/guards/{i}";
                if (draft.Guards[i].Condition is not { } condition || !reported.Add(pointer))
                {
                    continue;
                }

                foreach (var (collection, path) in condition.Paths())
                {
                    var full = collection is null ? path : collection + "[]" + (path.Length == 0 ? "" : "." + path);
                    if (Find(dataType, options, full) is { } missing)
                    {
                        problems.Add(DiagnosticCodes.Error(
                            DiagnosticCodes.UnknownDataPath,
                            $"Guard '{draft.Guards[i].Code}' reads '{full}', but {dataType.Name} has no member '{missing}' there. Paths name members as the data is written to JSON, separated by dots.",
                            pointer + "/when"));
                    }
                }
            }
        }
    }

    // Returns the first segment that does not exist, or null when the whole path exists (or the shape is open, like a dictionary).
    internal static string? Find(Type type, JsonSerializerOptions options, string path)
    {
        if (path.Length == 0)
        {
            return null;
        }

        foreach (var raw in path.Split('.'))
        {
            var segment = raw;
            var intoItems = segment.EndsWith("[]", StringComparison.Ordinal);
            if (intoItems)
            {
                segment = segment[..^2];
            }

            type = Nullable.GetUnderlyingType(type) ?? type;
            if (IsOpen(type))
            {
                return null;
            }

            JsonTypeInfo info;
            try
            {
                info = options.GetTypeInfo(type);
            }
            catch (NotSupportedException)
            {
                return null; // A resolver that does not describe the type (source generation without it): nothing to check against.
            }

            if (info.Kind != JsonTypeInfoKind.Object)
            {
                return segment;
            }

            var property = info.Properties.FirstOrDefault(p => string.Equals(p.Name, segment, StringComparison.Ordinal));
            if (property is null)
            {
                return segment;
            }

            type = property.PropertyType;
            if (intoItems)
            {
                type = ItemType(type) ?? typeof(object);
            }
        }

        return null;
    }

    private static bool IsOpen(Type type) =>
        type == typeof(object) || type == typeof(JsonElement) || typeof(JsonNode).IsAssignableFrom(type)
        || (typeof(IDictionary).IsAssignableFrom(type) || type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)));

    private static Type? ItemType(Type type) =>
        type.IsArray
            ? type.GetElementType()
            : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
}
