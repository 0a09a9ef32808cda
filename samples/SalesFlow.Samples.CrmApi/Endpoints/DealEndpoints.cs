using System.Reflection;
using System.Text.Json;
using SalesFlow.Samples.CrmApi.Http;

namespace SalesFlow.Samples.CrmApi.Endpoints;

/// <summary>
/// <c>/api/deals</c>: start, read, list, history, available moves, fire, activities and checklist items. Reads carry the
/// deal's version as an ETag; writes honour <c>If-Match</c> (412 when stale, nothing saved) and return the new ETag. Every
/// route works on the caller's tenant (<see cref="CrmTenant"/>): another tenant's deal is not found (404).
/// </summary>
internal static class DealEndpoints
{
    public const int MaxPageSize = 500;

    private static readonly MethodInfo StartMethod = typeof(SalesFlowEngine).GetMethods()
        .Single(m => m.Name == nameof(SalesFlowEngine.StartAsync) && m.GetParameters() is [_, _, _, { ParameterType: var t }, _] && t == typeof(StartRequest));

    public static RouteGroupBuilder MapDealEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/deals").WithTags("Deals");

        group.MapPost("/", StartAsync)
            .WithName("StartDeal")
            .WithSummary("Starts a deal in the pipeline's initial stage.")
            .Produces<DealResource>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/", ListAsync)
            .WithName("ListDeals")
            .WithSummary("Deals by pipeline and stage, a page at a time (ordered by id; pass 'next' as 'after').")
            .Produces<DealPageResource>()
            .ProducesValidationProblem();

        group.MapGet("/{dealId}", async (string dealId, CrmTenant tenant, HttpResponse response, CancellationToken ct) =>
            {
                var engine = tenant.Engine;
                var deal = await engine.GetAsync(dealId, ct);
                DealETag.Set(response, deal);
                return TypedResults.Ok(DealResource.Of(deal, engine.Pipelines));
            })
            .WithName("GetDeal")
            .WithSummary("A deal; its version is the ETag.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{dealId}/history", async (string dealId, CrmTenant tenant, CancellationToken ct) =>
                TypedResults.Ok(await tenant.Engine.GetHistoryAsync(dealId, ct)))
            .WithName("GetDealHistory")
            .WithSummary("Every event of the deal, oldest first.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{dealId}/moves", async (string dealId, CrmTenant tenant, HttpResponse response, CancellationToken ct) =>
            {
                var engine = tenant.Engine;
                var deal = await engine.GetAsync(dealId, ct);
                DealETag.Set(response, deal);
                return TypedResults.Ok(engine.GetAvailableMoves(deal).Select(m => new MoveResource(m.Trigger, m.ToStage, m.Kind, m.Allowed, m.UnmetGuards)).ToArray());
            })
            .WithName("GetAvailableMoves")
            .WithSummary("Every move from the deal's stage: allowed now, or the guards (code and reason) that would refuse it.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{dealId}/fire", FireAsync)
            .WithName("FireTrigger")
            .WithSummary("Fires a trigger. 422 lists every unmet guard; 403 an override without the manager role; 409 not a move from this stage; 412 a stale If-Match.")
            .Produces<FireResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapPost("/{dealId}/activities", (string dealId, ActivityBody? body, CrmTenant tenant, HttpContext http, CancellationToken ct) =>
                WriteAsync(dealId, tenant.Engine, http, caller => tenant.Engine.RecordActivityAsync(
                    dealId,
                    new ActivityRequest(caller.Actor) { User = caller.User, Activity = string.IsNullOrWhiteSpace(body?.Activity) ? null : body.Activity.Trim(), Note = body?.Note, NextFollowUpAt = body?.NextFollowUpAt },
                    ct)))
            .WithName("RecordActivity")
            .WithSummary("Records an activity (a note, a call …) and optionally the next follow-up.")
            .Produces<DealResource>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        group.MapPost("/{dealId}/checklist/{itemId}", (string dealId, string itemId, ChecklistBody? body, CrmTenant tenant, HttpContext http, CancellationToken ct) =>
                WriteAsync(dealId, tenant.Engine, http, caller => tenant.Engine.CompleteChecklistItemAsync(dealId, itemId, new ActivityRequest(caller.Actor) { User = caller.User, Note = body?.Note }, ct)))
            .WithName("CompleteChecklistItem")
            .WithSummary("Marks a checklist item of the deal's pipeline done.")
            .Produces<DealResource>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        return api;
    }

    private static async Task<IResult> StartAsync(StartDealBody? body, CrmTenant tenant, HttpContext http, CancellationToken ct)
    {
        var engine = tenant.Engine;
        var errors = new Dictionary<string, string[]>();
        if (body is null)
        {
            return DealProblems.Invalid("body", "Send a JSON body: { \"pipelineId\": \"…\", \"dealId\": \"…\" }.");
        }

        if (string.IsNullOrWhiteSpace(body.PipelineId))
        {
            errors["pipelineId"] = ["pipelineId is required."];
        }

        if (body.DealId is { } id && (string.IsNullOrWhiteSpace(id) || id.Length > 200 || id.Any(char.IsControl) || id.Contains('/', StringComparison.Ordinal)))
        {
            errors["dealId"] = ["dealId must be 1 to 200 characters, without '/' or control characters (omit it to get a generated id)."];
        }

        if (body.Amount is < 0)
        {
            errors["amount"] = ["amount must not be negative."];
        }

        if (body.Data is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) })
        {
            errors["data"] = ["data must be a JSON object."];
        }

        if (errors.Count > 0)
        {
            return DealProblems.Invalid(errors);
        }

        var pipeline = engine.Pipelines.Get(body.PipelineId!);
        object data;
        try
        {
            data = pipeline.DeserializeData(body.Data is { ValueKind: JsonValueKind.Object } json ? json.GetRawText() : "{}");
        }
        catch (JsonException ex)
        {
            return DealProblems.Invalid("data", $"data is not {pipeline.DataType.Name} data: {ex.Message}");
        }

        if (UnknownMembers(body.Data, pipeline.SerializeData(data)) is { Count: > 0 } unknown)
        {
            return DealProblems.Invalid("data", $"{pipeline.DataType.Name} has no member {string.Join(", ", unknown)} (names are case-sensitive, as in a deal's 'data').");
        }

        var caller = Caller.From(http);
        var dealId = body.DealId?.Trim() ?? "deal-" + Guid.NewGuid().ToString("N")[..12];
        var request = new StartRequest(caller.Actor) { User = caller.User, Owner = body.Owner, Amount = body.Amount, Note = body.Note };
        var deal = await (ValueTask<Deal>)StartMethod.MakeGenericMethod(pipeline.DataType)
            .Invoke(engine, BindingFlags.DoNotWrapExceptions, binder: null, [pipeline.Id, dealId, data, request, ct], culture: null)!;
        DealETag.Set(http.Response, deal);
        return TypedResults.Created($"/api/deals/{Uri.EscapeDataString(deal.Id)}", DealResource.Of(deal, engine.Pipelines));
    }

    private static async Task<IResult> ListAsync(string? pipeline, string? stage, string? after, int? limit, CrmTenant tenant, CancellationToken ct)
    {
        var engine = tenant.Engine;
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxPageSize}."];
        }

        if (pipeline is not null && !engine.Pipelines.All.Any(p => p.Id == pipeline))
        {
            errors["pipeline"] = [$"There is no pipeline '{pipeline}'."];
        }

        if (errors.Count > 0)
        {
            return DealProblems.Invalid(errors);
        }

        var page = await engine.Store.QueryAsync(new DealQuery { PipelineId = pipeline, StageId = stage, AfterDealId = after, Limit = limit ?? 100 }, ct);
        return TypedResults.Ok(new DealPageResource([.. page.Deals.Select(d => DealResource.Of(d, engine.Pipelines))], page.NextAfterDealId));
    }

    private static async Task<IResult> FireAsync(string dealId, FireBody? body, CrmTenant tenant, HttpContext http, CancellationToken ct)
    {
        var engine = tenant.Engine;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body?.Trigger))
        {
            errors["trigger"] = ["trigger is required, for example \"Qualify\"."];
        }

        if (body?.OverrideJustification is { } justification && string.IsNullOrWhiteSpace(justification))
        {
            errors["overrideJustification"] = ["An override needs a justification: say why the guards may be passed."];
        }

        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in body?.Arguments ?? new Dictionary<string, JsonElement>())
        {
            if (!TryArgument(value, out var argument))
            {
                errors[$"arguments.{name}"] = ["An argument must be a string, a number, true, false or null."];
            }

            arguments[name] = argument;
        }

        if (!DealETag.TryReadIfMatch(http.Request, out var ifMatch))
        {
            return DealProblems.BadIfMatch();
        }

        if (errors.Count > 0)
        {
            return DealProblems.Invalid(errors);
        }

        if (await StaleAsync(dealId, ifMatch, engine, ct) is { } stale)
        {
            return stale;
        }

        DealETag.Require(http, ifMatch);
        var caller = Caller.From(http);
        var result = await engine.FireAsync(
            dealId,
            body!.Trigger!.Trim(),
            new FireRequest(caller.Actor)
            {
                User = caller.User,
                Note = body.Note,
                Reason = body.Reason,
                OverrideJustification = body.OverrideJustification,
                Arguments = arguments.Count == 0 ? null : arguments,
            },
            ct);
        if (!result.Accepted)
        {
            return DealProblems.FromFire(result);
        }

        DealETag.Set(http.Response, result.Deal);
        return TypedResults.Ok(new FireResponse(DealResource.Of(result.Deal, engine.Pipelines), result.Event!, [.. result.UnmetGuards.Select(g => g.Code)]));
    }

    private static async Task<IResult> WriteAsync(string dealId, SalesFlowEngine engine, HttpContext http, Func<Caller, ValueTask<Deal>> write)
    {
        if (!DealETag.TryReadIfMatch(http.Request, out var ifMatch))
        {
            return DealProblems.BadIfMatch();
        }

        if (await StaleAsync(dealId, ifMatch, engine, http.RequestAborted) is { } stale)
        {
            return stale;
        }

        DealETag.Require(http, ifMatch);
        var deal = await write(Caller.From(http));
        DealETag.Set(http.Response, deal);
        return TypedResults.Ok(DealResource.Of(deal, engine.Pipelines));
    }

    // The early check answers 412 before guards are even evaluated; IfMatchHook repeats it inside the write.
    private static async Task<IResult?> StaleAsync(string dealId, IfMatch? ifMatch, SalesFlowEngine engine, CancellationToken ct)
    {
        if (ifMatch is null)
        {
            return null;
        }

        var deal = await engine.GetAsync(dealId, ct);
        return ifMatch.Matches(deal.Version) ? null : DealProblems.Stale(deal.Id, deal.Version);
    }

    // The pipeline's data format ignores unknown members; a typo here would silently drop what the caller meant to set.
    private static List<string> UnknownMembers(JsonElement? sent, string stored)
    {
        if (sent is not { ValueKind: JsonValueKind.Object } given)
        {
            return [];
        }

        using var kept = JsonDocument.Parse(stored);
        return [.. given.EnumerateObject().Select(p => p.Name).Where(name => !kept.RootElement.TryGetProperty(name, out _))];
    }

    private static bool TryArgument(JsonElement value, out object? argument)
    {
        argument = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.TryGetInt64(out var l) ? l : value.GetDecimal(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };
        return value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null;
    }
}
