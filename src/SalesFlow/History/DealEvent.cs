using System.Collections.Immutable;

namespace SalesFlow;

/// <summary>
/// One entry of a deal's append-only history. Sequence numbers start at 1 and have no gaps; an event
/// is saved together with the deal state it produced, or not at all.
/// </summary>
public sealed record DealEvent
{
    /// <summary>Gets the id of the deal the event belongs to.</summary>
    public required string DealId { get; init; }

    /// <summary>Gets the event's number in the deal's history, starting at 1, without gaps.</summary>
    public required long Sequence { get; init; }

    /// <summary>Gets the kind of the event.</summary>
    public required DealEventKind Kind { get; init; }

    /// <summary>Gets when the event happened (from the engine's <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets who caused the event.</summary>
    public required string Actor { get; init; }

    /// <summary>Gets the trigger fired; <see langword="null"/> for activities.</summary>
    public string? Trigger { get; init; }

    /// <summary>Gets the stage before the event (for <see cref="DealEventKind.Started"/>: <see langword="null"/>).</summary>
    public string? FromStage { get; init; }

    /// <summary>Gets the stage after the event.</summary>
    public required string ToStage { get; init; }

    /// <summary>
    /// Gets the activity's type for <see cref="DealEventKind.Activity"/> events (for example
    /// <c>checklist.completed</c>, <c>data.updated</c>, <c>note</c>, <c>objection.raised</c>).
    /// </summary>
    public string? Activity { get; init; }

    /// <summary>Gets the free-text note given with the event, if any.</summary>
    public string? Note { get; init; }

    /// <summary>Gets the reason given with the move (for example a lost reason), if any.</summary>
    public string? Reason { get; init; }

    /// <summary>Gets the codes of the guards that an override bypassed (empty when nothing was overridden).</summary>
    public ImmutableArray<string> OverriddenGuards { get; init; } = [];

    /// <summary>Gets the justification of an override, if the move was forced.</summary>
    public string? OverrideJustification { get; init; }

    /// <summary>
    /// Gets extra facts of the event as text (for example the checklist item id, a linked deal id).
    /// Keep personal data out: events are written to stores and may be exported.
    /// </summary>
    public ImmutableDictionary<string, string> Properties { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>
    /// Gets the idempotency key of the request that wrote the event, if the caller gave one: unique per deal, so a
    /// request repeated with the same key finds this event and writes nothing new.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Gets a value indicating whether the event records a forced move.</summary>
    public bool IsOverride => OverrideJustification is not null;
}
