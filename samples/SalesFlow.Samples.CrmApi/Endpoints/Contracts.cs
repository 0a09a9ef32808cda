using System.Collections.Immutable;
using System.Text.Json;

namespace SalesFlow.Samples.CrmApi.Endpoints;

/// <summary>A pipeline as the board needs it: stages in order, with their checklists, and the triggers.</summary>
internal sealed record PipelineSummary(string Id, int Version, string Name, string InitialStage, IReadOnlyList<StageSummary> Stages, IReadOnlyList<string> Triggers)
{
    public static PipelineSummary Of(PipelineDefinition p) => new(
        p.Id,
        p.Version,
        p.Name,
        p.InitialStage,
        [.. p.Stages.OrderBy(s => s.Order).Select(s => new StageSummary(s.Id, s.Name, s.Order, s.Kind, s.WinProbability, s.Guidance, s.Checklist))],
        p.Triggers);
}

/// <summary>One stage of a <see cref="PipelineSummary"/>.</summary>
internal sealed record StageSummary(string Id, string Name, int Order, StageKind Kind, double WinProbability, string Guidance, IReadOnlyList<ChecklistItem> Checklist);

/// <summary>A deal over HTTP; <see cref="Version"/> is also the ETag.</summary>
internal sealed record DealResource(
    string Id,
    string PipelineId,
    int PipelineVersion,
    string StageId,
    string StageName,
    string? PreviousStageId,
    long Version,
    string? Owner,
    decimal? Amount,
    StageKind Outcome,
    string? OutcomeReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset StageEnteredAt,
    DateTimeOffset LastActivityAt,
    DateTimeOffset? NextFollowUpAt,
    ImmutableArray<string> CompletedChecklistItems,
    JsonElement Data)
{
    public static DealResource Of(Deal deal, PipelineRegistry pipelines)
    {
        var pipeline = pipelines.Get(deal.PipelineId, deal.PipelineVersion);
        using var data = JsonDocument.Parse(pipeline.SerializeData(deal.Data));
        return new DealResource(
            deal.Id,
            deal.PipelineId,
            deal.PipelineVersion,
            deal.StageId,
            pipeline.TryGetStage(deal.StageId, out var stage) ? stage.Name : deal.StageId,
            deal.PreviousStageId,
            deal.Version,
            deal.Owner,
            deal.Amount,
            deal.Outcome,
            deal.OutcomeReason,
            deal.CreatedAt,
            deal.UpdatedAt,
            deal.StageEnteredAt,
            deal.LastActivityAt,
            deal.NextFollowUpAt,
            [.. deal.CompletedChecklistItems.Order(StringComparer.Ordinal)],
            data.RootElement.Clone());
    }
}

/// <summary>A page of deals; pass <see cref="Next"/> as <c>after</c> for the next page (null on the last one).</summary>
internal sealed record DealPageResource(IReadOnlyList<DealResource> Items, string? Next);

/// <summary>A move from the deal's stage: allowed now, or the guards that refuse it.</summary>
internal sealed record MoveResource(string Trigger, string ToStage, TransitionKind Kind, bool Allowed, IReadOnlyList<UnmetGuard> UnmetGuards);

/// <summary>Starts a deal. <see cref="Data"/> is the pipeline's data as JSON (empty data when omitted).</summary>
internal sealed record StartDealBody(string? PipelineId, string? DealId, string? Owner, decimal? Amount, string? Note, JsonElement? Data);

/// <summary>Fires a trigger. An override (with a justification) needs the manager role.</summary>
internal sealed record FireBody(string? Trigger, string? Note, string? Reason, string? OverrideJustification, IReadOnlyDictionary<string, JsonElement>? Arguments);

/// <summary>The deal after an accepted move, and the event recorded.</summary>
internal sealed record FireResponse(DealResource Deal, DealEvent Event, IReadOnlyList<string> OverriddenGuards);

/// <summary>Records an activity (a note, a call …) and optionally the next follow-up.</summary>
internal sealed record ActivityBody(string? Activity, string? Note, DateTimeOffset? NextFollowUpAt);

/// <summary>Marks a checklist item done.</summary>
internal sealed record ChecklistBody(string? Note);

/// <summary>What an import did: counts, and every rejected row with its line number.</summary>
internal sealed record ImportResponse(string PipelineId, long RowsRead, int DealsImported, long EventsImported, int DealsSkipped, IReadOnlyList<RejectedRow> Rejected);
