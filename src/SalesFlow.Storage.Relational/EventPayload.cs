using System.Collections.Immutable;
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

    public static string Serialize(DealEvent e) =>
        e.Activity is null && e.Note is null && e.Reason is null && e.OverriddenGuards.IsDefaultOrEmpty
            && e.OverrideJustification is null && e.Properties.IsEmpty
            ? EmptyJson
            : JsonSerializer.Serialize(
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
