using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SalesFlow;

/// <summary>
/// Deal data without a .NET type: an immutable JSON object, for pipelines defined only in JSON. Guards read it with
/// <see cref="GuardCondition"/> paths; a change is a new instance (<c>d =&gt; d.With("Budget.Confirmed", true)</c>).
/// Stored as the JSON itself by every store.
/// </summary>
[JsonConverter(typeof(JsonDealDataConverter))]
public sealed class JsonDealData
{
    // The buffer and writer that build a root from members, one per thread.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    // Data made from flat string members (an import makes one per deal) keeps the members and builds its JSON element
    // only when something reads it: a store writes the members straight to JSON, and most imported deals are never read
    // in the same process.
    private readonly KeyValuePair<string, string>[]? _members;
    private StrongBox<JsonElement>? _root;

    private JsonDealData(JsonElement root) => _root = new StrongBox<JsonElement>(root);

    private JsonDealData(KeyValuePair<string, string>[] members) => _members = members;

    /// <summary>Gets an empty object.</summary>
    public static JsonDealData Empty { get; } = new(JsonDocument.Parse("{}").RootElement.Clone());

    /// <summary>Gets the data: a JSON object.</summary>
    public JsonElement Root => (_root ?? Build()).Value;

    /// <summary>Reads data from JSON text.</summary>
    /// <param name="json">A JSON object.</param>
    /// <returns>The data.</returns>
    /// <exception cref="ArgumentException">The text is not a JSON object.</exception>
    public static JsonDealData Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            return From(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The deal data is not valid JSON: {ex.Message}", nameof(json), ex);
        }
    }

    /// <summary>Takes data from a JSON element (copied, so later changes to its document do not reach the deal).</summary>
    /// <param name="element">A JSON object.</param>
    /// <returns>The data.</returns>
    /// <exception cref="ArgumentException">The element is not a JSON object.</exception>
    public static JsonDealData From(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
            ? new JsonDealData(element.Clone())
            : throw new ArgumentException($"Deal data must be a JSON object, not {element.ValueKind}.", nameof(element));

    // A flat object of string members (distinct names), kept as they are until its JSON element is read. The array is
    // kept, not copied: the caller hands it over and never changes it.
    internal static JsonDealData FromStrings(KeyValuePair<string, string>[] members) =>
        members.Length == 0 ? Empty : new JsonDealData(members);

    // Builds the element of data made from members; racing threads build equal elements, and one of them is kept.
    private StrongBox<JsonElement> Build()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        WriteMembers(writer, _members!);
        writer.Flush();
        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        var root = new StrongBox<JsonElement>(JsonElement.ParseValue(ref reader));
        return Interlocked.CompareExchange(ref _root, root, null) ?? root;
    }

    private static void WriteMembers(Utf8JsonWriter writer, KeyValuePair<string, string>[] members)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in members)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads the value at a dotted path (for example <c>Bant.Budget</c>).</summary>
    /// <param name="path">The path.</param>
    /// <returns>The value, or <see langword="null"/> when a member on the path is missing.</returns>
    public JsonElement? Get(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return GuardCondition.Resolve(Root, path);
    }

    /// <summary>Returns a copy with the value at a dotted path set, creating the objects on the way.</summary>
    /// <param name="path">The path.</param>
    /// <param name="value">The value: a string, number, Boolean, <see langword="null"/>, a <see cref="JsonNode"/> or a <see cref="JsonElement"/>.</param>
    /// <returns>The new data.</returns>
    public JsonDealData With(string path, object? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var node = value switch
        {
            null => null,
            JsonNode given => given.DeepClone(),
            JsonElement element => JsonNode.Parse(element.GetRawText()),
            _ => JsonSerializer.SerializeToNode(value, value.GetType()),
        };
        return Edit(path, create: true, (parent, name) =>
        {
            parent[name] = node;
            return true;
        });
    }

    /// <summary>Returns a copy without the member at a dotted path (the same data when it is missing).</summary>
    /// <param name="path">The path.</param>
    /// <returns>The new data.</returns>
    public JsonDealData Without(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Edit(path, create: false, (parent, name) => parent.Remove(name));
    }

    // Walks to the object holding the path's last member (creating the objects on the way, or giving up) and changes it.
    private JsonDealData Edit(string path, bool create, Func<JsonObject, string, bool> change)
    {
        var root = JsonNode.Parse(Root.GetRawText())!.AsObject();
        var segments = path.Split('.');
        var parent = root;
        foreach (var segment in segments[..^1])
        {
            if (parent[segment] is not JsonObject child)
            {
                if (!create)
                {
                    return this;
                }

                child = [];
                parent[segment] = child;
            }

            parent = child;
        }

        return change(parent, segments[^1]) ? From(JsonSerializer.SerializeToElement(root)) : this;
    }

    /// <summary>Returns the data as JSON text.</summary>
    /// <returns>The JSON.</returns>
    public override string ToString() => Root.GetRawText();

    private sealed class JsonDealDataConverter : JsonConverter<JsonDealData>
    {
        public override JsonDealData Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return From(document.RootElement);
        }

        public override void Write(Utf8JsonWriter writer, JsonDealData value, JsonSerializerOptions options)
        {
            if (value._root is null && value._members is { } members)
            {
                WriteMembers(writer, members);
            }
            else
            {
                value.Root.WriteTo(writer);
            }
        }
    }
}
