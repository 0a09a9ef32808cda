using System.Collections.Immutable;

namespace SalesFlow.Testing;

/// <summary>Builds deals and events the way the engine would, with whole-millisecond times (PostgreSQL keeps microseconds).</summary>
public static class ContractDeals
{
    /// <summary>The time deals are created at unless given.</summary>
    public static readonly DateTimeOffset T0 = new(2025, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);

    /// <summary>A new deal of <see cref="ContractPipeline"/> (version 1, one event), as the engine would start it.</summary>
    /// <param name="id">The deal id.</param>
    /// <param name="stage">The stage it is in.</param>
    /// <param name="at">When it was started; <see cref="T0"/> unless given.</param>
    /// <param name="data">Its data; a customer named after the id unless given.</param>
    /// <returns>The deal.</returns>
    public static Deal NewDeal(string id, string stage = "open", DateTimeOffset? at = null, ContractDealData? data = null) => new()
    {
        Id = id,
        PipelineId = ContractPipeline.Id,
        PipelineVersion = 1,
        StageId = stage,
        Version = 1,
        LastSequence = 1,
        StageEnteredSequence = 1,
        CreatedAt = at ?? T0,
        UpdatedAt = at ?? T0,
        StageEnteredAt = at ?? T0,
        LastActivityAt = at ?? T0,
        Data = data ?? new ContractDealData { Customer = "c-" + id },
    };

    /// <summary>The start event of <paramref name="deal"/>.</summary>
    /// <param name="deal">The deal.</param>
    /// <param name="note">A note for the event.</param>
    /// <returns>The event (sequence 1).</returns>
    public static DealEvent Started(Deal deal, string? note = null) => new()
    {
        DealId = deal.Id,
        Sequence = 1,
        Kind = DealEventKind.Started,
        Timestamp = deal.CreatedAt,
        Actor = "alice",
        ToStage = deal.StageId,
        Note = note,
    };

    /// <summary>The write that creates <paramref name="deal"/> with its start event.</summary>
    /// <param name="deal">The deal.</param>
    /// <param name="note">A note for the start event.</param>
    /// <returns>The write.</returns>
    public static DealWrite Create(Deal deal, string? note = null) => new(deal, 0, [Started(deal, note)]);

    /// <summary>The next state of <paramref name="deal"/> after a note activity, with its event.</summary>
    /// <param name="deal">The deal.</param>
    /// <param name="note">The activity's note.</param>
    /// <param name="after">How long after the deal's last update; one minute unless given.</param>
    /// <returns>The next state and its event.</returns>
    public static (Deal Deal, DealEvent Event) Next(Deal deal, string? note = null, TimeSpan? after = null)
    {
        var at = deal.UpdatedAt + (after ?? TimeSpan.FromMinutes(1));
        var next = deal with { Version = deal.Version + 1, LastSequence = deal.LastSequence + 1, UpdatedAt = at, LastActivityAt = at };
        var @event = new DealEvent
        {
            DealId = deal.Id,
            Sequence = next.LastSequence,
            Kind = DealEventKind.Activity,
            Timestamp = at,
            Actor = "bob",
            FromStage = deal.StageId,
            ToStage = deal.StageId,
            Activity = "note",
            Note = note,
        };
        return (next, @event);
    }

    /// <summary>The write that adds a note activity to <paramref name="deal"/>, expecting its current version.</summary>
    /// <param name="deal">The deal as stored.</param>
    /// <param name="note">The activity's note.</param>
    /// <returns>The write.</returns>
    public static DealWrite Update(Deal deal, string? note = null)
    {
        var (next, e) = Next(deal, note);
        return new DealWrite(next, deal.Version, [e]);
    }

    /// <summary>A deal with its history of <paramref name="events"/> events, for imports.</summary>
    /// <param name="id">The deal id.</param>
    /// <param name="events">How many events its history has (1 or more).</param>
    /// <param name="stage">The stage it is in.</param>
    /// <returns>The deal and its events.</returns>
    public static DealImport Imported(string id, int events, string stage = "open")
    {
        var deal = NewDeal(id, stage);
        var history = new List<DealEvent> { Started(deal) };
        for (var i = 1; i < events; i++)
        {
            var (next, e) = Next(deal, note: $"n{i}");
            deal = next;
            history.Add(e);
        }

        return new DealImport(deal, history);
    }

    /// <summary>Event properties from pairs.</summary>
    /// <param name="pairs">The keys and values.</param>
    /// <returns>The properties.</returns>
    public static ImmutableDictionary<string, string> Properties(params (string Key, string Value)[] pairs) =>
        pairs.ToImmutableDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
