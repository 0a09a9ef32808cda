using System.Collections.Immutable;

namespace SalesFlow.Testing;

/// <summary>Builds deals and events the way the engine would, with whole-millisecond times (PostgreSQL keeps microseconds).</summary>
internal static class ContractDeals
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);

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
    public static DealWrite Create(Deal deal, string? note = null) => new(deal, 0, [Started(deal, note)]);

    /// <summary>The next state of <paramref name="deal"/> after a note activity, with its event.</summary>
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
    public static DealWrite Update(Deal deal, string? note = null)
    {
        var (next, e) = Next(deal, note);
        return new DealWrite(next, deal.Version, [e]);
    }

    /// <summary>A deal with its history of <paramref name="events"/> events, for imports.</summary>
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

    public static ImmutableDictionary<string, string> Properties(params (string Key, string Value)[] pairs) =>
        pairs.ToImmutableDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
