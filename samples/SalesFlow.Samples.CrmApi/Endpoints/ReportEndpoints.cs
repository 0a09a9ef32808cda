using SalesFlow.Samples.CrmApi.Http;

namespace SalesFlow.Samples.CrmApi.Endpoints;

/// <summary>
/// <c>/api/reports/{pipelineId}/…</c>: funnel, time in stage, flow, outcomes, owners (a breakdown) and idle deals, computed
/// in SQL by the SQLite and PostgreSQL stores, over the caller's tenant's deals only. <c>from</c>/<c>to</c> bound the
/// window (to is exclusive).
/// </summary>
internal static class ReportEndpoints
{
    public static RouteGroupBuilder MapReportEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/reports/{pipelineId}").WithTags("Reports");

        group.MapGet("/funnel", (string pipelineId, DateTimeOffset? from, DateTimeOffset? to, string? mode, CrmTenant tenant, PipelineRegistry pipelines, CancellationToken ct) =>
                RunAsync(pipelineId, from, to, pipelines, mode is null or "strict" or "touched" or "implied" ? null : ("mode", $"mode must be strict, touched or implied, not '{mode}'."),
                    async request => await tenant.Reports.FunnelAsync(request, Enum.Parse<FunnelMode>(mode ?? "touched", ignoreCase: true), ct)))
            .WithName("FunnelReport").WithSummary("The funnel of deals started in the window (mode strict, touched or implied).");

        group.MapGet("/stages", (string pipelineId, DateTimeOffset? from, DateTimeOffset? to, CrmTenant tenant, PipelineRegistry pipelines, CancellationToken ct) =>
                RunAsync(pipelineId, from, to, pipelines, null, async request => await tenant.Reports.TimeInStageAsync(request, ct)))
            .WithName("TimeInStageReport").WithSummary("Time in each open stage.");

        group.MapGet("/flow", (string pipelineId, DateTimeOffset? from, DateTimeOffset? to, CrmTenant tenant, PipelineRegistry pipelines, CancellationToken ct) =>
                RunAsync(pipelineId, from, to, pipelines, null, async request => await tenant.Reports.FlowAsync(request, ct)))
            .WithName("FlowReport").WithSummary("The from → to matrix of moves made in the window.");

        group.MapGet("/outcomes", (string pipelineId, DateTimeOffset? from, DateTimeOffset? to, CrmTenant tenant, PipelineRegistry pipelines, CancellationToken ct) =>
                RunAsync(pipelineId, from, to, pipelines, null, async request => await tenant.Reports.OutcomesAsync(request, ct)))
            .WithName("OutcomesReport").WithSummary("Win rate, cycle times, won value and velocity of deals closed in the window.");

        group.MapGet("/owners", (string pipelineId, DateTimeOffset? from, DateTimeOffset? to, int? top, CrmTenant tenant, PipelineRegistry pipelines, CancellationToken ct) =>
                RunAsync(pipelineId, from, to, pipelines, top is < 1 or > 1000 ? ("top", "top must be between 1 and 1000.") : null,
                    async request => await tenant.Reports.BreakdownAsync(request, DealGrouping.ByOwner, top ?? 10, ct)))
            .WithName("OwnersReport").WithSummary("Outcomes per owner, the top owners first.");

        group.MapGet("/idle", async (string pipelineId, CrmTenant tenant, PipelineRegistry pipelines, CancellationToken ct) =>
            {
                pipelines.Get(pipelineId);
                return TypedResults.Ok(await tenant.Reports.IdleAsync(pipelineId, ct));
            })
            .WithName("IdleReport").WithSummary("Open deals idle past their stage's threshold, and overdue follow-ups.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return api;
    }

    private static async Task<IResult> RunAsync(
        string pipelineId, DateTimeOffset? from, DateTimeOffset? to, PipelineRegistry pipelines, (string Field, string Problem)? problem, Func<ReportRequest, Task<object>> report)
    {
        var errors = new Dictionary<string, string[]>();
        if (problem is { } p)
        {
            errors[p.Field] = [p.Problem];
        }

        if (from is { } f && to is { } t && t <= f)
        {
            errors["to"] = ["to must be after from."];
        }

        if (errors.Count > 0)
        {
            return DealProblems.Invalid(errors);
        }

        var pipeline = pipelines.Get(pipelineId);
        var request = new ReportRequest(pipeline.Id, new ReportWindow(from ?? DateTimeOffset.MinValue, to ?? DateTimeOffset.MaxValue));
        return TypedResults.Ok(await report(request));
    }
}
