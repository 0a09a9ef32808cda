using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SalesFlow.Storage.Relational;

// The part of a DealEvent that is kept as JSON.
// The columns hold what queries need (deal, sequence, kind, time, actor, trigger, stages); the rest is the payload.
internal sealed class EventPayload
{
    // Read-only: ToEvent copies what it needs out of a payload.
    private static readonly EventPayload Empty = new();
    private static readonly ImmutableHashSet<string> EmptyChecklist = ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal);

    [JsonPropertyName("activity")]
    public string? Activity { get; set; }

    [JsonPropertyName("note")]
    public string? Note { get; set; }

    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    [JsonPropertyName("overriddenGuards")]
    public string[]? OverriddenGuards { get; set; }

    [JsonPropertyName("overrideJustification")]
    public string? OverrideJustification { get; set; }

    [JsonPropertyName("properties")]
    public Dictionary<string, string>? Properties { get; set; }

    // What Serialize writes for an event without payload (most transitions), and what ToEvent reads without parsing.
    private const string EmptyJson = "{}";
    private const string EmptyChecklistJson = "[]";

    // The writer of Serialize, one per thread: a payload is written into it and copied out as a string.
    [ThreadStatic]
    private static PayloadWriter? t_writer;

    public static string Serialize(DealEvent e) =>
        e.Activity is null && e.Note is null && e.Reason is null && e.OverriddenGuards.IsDefaultOrEmpty
            && e.OverrideJustification is null && e.Properties.IsEmpty
            ? EmptyJson
            : (t_writer ??= new PayloadWriter()).Write(e);

    // What JsonSerializer writes for an EventPayload made from the event (the properties in the order they are declared,
    // null ones left out, the default encoder), written straight from the event: a bulk import writes one per event,
    // and the copy into a payload object and a dictionary cost more than the JSON itself.
    internal static string SerializeWithSerializer(DealEvent e) =>
        JsonSerializer.Serialize(
            new EventPayload
            {
                Activity = e.Activity,
                Note = e.Note,
                Reason = e.Reason,
                OverriddenGuards = e.OverriddenGuards.IsDefaultOrEmpty ? null : [.. e.OverriddenGuards],
                OverrideJustification = e.OverrideJustification,
                Properties = e.Properties.IsEmpty ? null : new Dictionary<string, string>(e.Properties, StringComparer.Ordinal),
            },
            StorageJsonContext.Default.EventPayload);

    public static DealEvent ToEvent(
        string json,
        string dealId,
        long sequence,
        DealEventKind kind,
        DateTimeOffset timestamp,
        string actor,
        string? trigger,
        string? fromStage,
        string toStage)
    {
        var payload = json == EmptyJson
            ? Empty
            : JsonSerializer.Deserialize(json, StorageJsonContext.Default.EventPayload) ?? Empty;
        return new DealEvent
        {
            DealId = dealId,
            Sequence = sequence,
            Kind = kind,
            Timestamp = timestamp,
            Actor = actor,
            Trigger = trigger,
            FromStage = fromStage,
            ToStage = toStage,
            Activity = payload.Activity,
            Note = payload.Note,
            Reason = payload.Reason,
            OverriddenGuards = payload.OverriddenGuards is null ? [] : [.. payload.OverriddenGuards],
            OverrideJustification = payload.OverrideJustification,
            Properties = payload.Properties is null
                ? ImmutableDictionary<string, string>.Empty
                : payload.Properties.ToImmutableDictionary(StringComparer.Ordinal),
        };
    }

    public static string SerializeChecklist(ImmutableHashSet<string> items) =>
        items.IsEmpty
            ? EmptyChecklistJson
            : JsonSerializer.Serialize(items.Order(StringComparer.Ordinal).ToArray(), StorageJsonContext.Default.StringArray);

    public static ImmutableHashSet<string> DeserializeChecklist(string json) =>
        json == EmptyChecklistJson
            ? EmptyChecklist
            : (JsonSerializer.Deserialize(json, StorageJsonContext.Default.StringArray) ?? []).ToImmutableHashSet(StringComparer.Ordinal);
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EventPayload))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;

// Writes an event's payload JSON into a reused buffer. One lives per thread for the thread's life (it holds no
// unmanaged resource: disposing it only releases the JSON writer's buffer reference).
internal sealed class PayloadWriter : IDisposable
{
    private static readonly JsonEncodedText Activity = JsonEncodedText.Encode("activity");
    private static readonly JsonEncodedText Note = JsonEncodedText.Encode("note");
    private static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
    private static readonly JsonEncodedText OverriddenGuards = JsonEncodedText.Encode("overriddenGuards");
    private static readonly JsonEncodedText OverrideJustification = JsonEncodedText.Encode("overrideJustification");
    private static readonly JsonEncodedText Properties = JsonEncodedText.Encode("properties");

    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _json;

    public PayloadWriter() => _json = new Utf8JsonWriter(_buffer);

    public void Dispose() => _json.Dispose();

    public string Write(DealEvent e)
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        WriteIfSet(Activity, e.Activity);
        WriteIfSet(Note, e.Note);
        WriteIfSet(Reason, e.Reason);
        if (!e.OverriddenGuards.IsDefaultOrEmpty)
        {
            _json.WriteStartArray(OverriddenGuards);
            foreach (var guard in e.OverriddenGuards)
            {
                _json.WriteStringValue(guard);
            }

            _json.WriteEndArray();
        }

        WriteIfSet(OverrideJustification, e.OverrideJustification);
        if (!e.Properties.IsEmpty)
        {
            _json.WriteStartObject(Properties);
            foreach (var (name, value) in e.Properties)
            {
                _json.WriteString(name, value);
            }

            _json.WriteEndObject();
        }

        _json.WriteEndObject();
        _json.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    private void WriteIfSet(JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            _json.WriteString(name, value);
        }
    }
}
