using System.Collections.Immutable;
using System.Text.Json;

namespace SalesFlow;

/// <summary>
/// One deal's personal data, for a person's access request: the values of the personal data members and the events
/// that hold personal data. Serializes with <see cref="JsonSerializer"/> as it is.
/// </summary>
public sealed record PersonalDataExport
{
    /// <summary>Gets the deal's id.</summary>
    public required string DealId { get; init; }

    /// <summary>Gets the deal's pipeline id.</summary>
    public required string PipelineId { get; init; }

    /// <summary>Gets the deal's pipeline version.</summary>
    public required int PipelineVersion { get; init; }

    /// <summary>Gets when the export was made (from the engine's <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset ExportedAt { get; init; }

    /// <summary>Gets the value of every personal data member that has one, in the order of <see cref="PipelineDefinition.PersonalDataPaths"/>.</summary>
    public required IReadOnlyList<PersonalDataValue> Values { get; init; }

    /// <summary>
    /// Gets the events that hold personal data: every event with a note (notes are free text about the person) and every
    /// event whose reason, override justification or properties contain one of <see cref="Values"/>; oldest first.
    /// </summary>
    public required IReadOnlyList<PersonalDataEvent> Events { get; init; }
}

/// <summary>The value of one personal data member.</summary>
/// <param name="Path">The concrete path of the member, for example <c>CustomerFile</c> or <c>NeedsQuestions[2].Answer</c>.</param>
/// <param name="Value">The member's value, as the deal data is written to JSON.</param>
public sealed record PersonalDataValue(string Path, JsonElement Value);

/// <summary>The free text of one event that holds personal data.</summary>
public sealed record PersonalDataEvent
{
    /// <summary>Gets the event's sequence number.</summary>
    public required long Sequence { get; init; }

    /// <summary>Gets when the event happened.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the event's kind.</summary>
    public required DealEventKind Kind { get; init; }

    /// <summary>Gets the trigger fired, for a transition.</summary>
    public string? Trigger { get; init; }

    /// <summary>Gets the activity type, for an activity.</summary>
    public string? Activity { get; init; }

    /// <summary>Gets the event's note.</summary>
    public string? Note { get; init; }

    /// <summary>Gets the event's reason.</summary>
    public string? Reason { get; init; }

    /// <summary>Gets the event's override justification.</summary>
    public string? OverrideJustification { get; init; }

    /// <summary>Gets the event's properties.</summary>
    public ImmutableDictionary<string, string> Properties { get; init; } = ImmutableDictionary<string, string>.Empty;
}
