using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace SalesFlow.Samples.CrmApi.Http;

/// <summary>
/// How refusals reach HTTP callers, as RFC 9457 problem details: 422 a move refused by guards (every unmet guard, code and
/// reason, in the <c>unmetGuards</c> member); 403 a guard override by a caller who is not a manager; 409 a move that does
/// not exist from the deal's stage (<c>permittedTriggers</c>), a deal id taken, a write that kept colliding with others or a
/// write a hook aborted; 412 a stale <c>If-Match</c> (<c>currentETag</c>); 404 an unknown deal or pipeline; 400 bad input,
/// every problem listed.
/// </summary>
internal static class DealProblems
{
    public static IResult Refused(FireResult result)
    {
        var guards = result.UnmetGuards.Select(g => new GuardProblem(g.Code, g.Reason)).ToArray();
        return TypedResults.Problem(
            detail: $"'{result.Trigger}' was refused in stage '{result.Deal.StageId}'. " + string.Join(" ", guards.Select(g => g.Reason.TrimEnd('.') + ".")),
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "Move refused",
            extensions: Extensions(result, guards));
    }

    // 403: the signed-in caller may not make the move or override its guards (the engine's permissions said so, and why).
    public static IResult Forbidden(FireResult result) =>
        TypedResults.Problem(
            detail: $"'{result.Trigger}' on deal '{result.Deal.Id}' is forbidden: {result.ForbiddenReason}.",
            statusCode: StatusCodes.Status403Forbidden,
            title: result.ForbiddenAction == DealAction.Override ? "Override not allowed" : "Move not allowed",
            extensions: Extensions(result, [.. result.UnmetGuards.Select(g => new GuardProblem(g.Code, g.Reason))]));

    private static Dictionary<string, object?> Extensions(FireResult result, GuardProblem[] guards) => new()
    {
        ["dealId"] = result.Deal.Id,
        ["trigger"] = result.Trigger,
        ["stageId"] = result.Deal.StageId,
        ["unmetGuards"] = guards,
    };

    public static IResult NotPermitted(FireResult result) =>
        TypedResults.Problem(
            detail: $"'{result.Trigger}' is not a move from stage '{result.Deal.StageId}'.",
            statusCode: StatusCodes.Status409Conflict,
            title: "Move not permitted from this stage",
            extensions: new Dictionary<string, object?>
            {
                ["dealId"] = result.Deal.Id,
                ["trigger"] = result.Trigger,
                ["stageId"] = result.Deal.StageId,
                ["permittedTriggers"] = result.PermittedTriggers,
            });

    public static IResult Conflict(string dealId, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict", extensions: new Dictionary<string, object?> { ["dealId"] = dealId });

    public static IResult Stale(string dealId, long currentVersion) =>
        TypedResults.Problem(
            detail: $"Deal '{dealId}' changed since it was read (If-Match does not name version {currentVersion}); nothing was saved. Read it again and retry.",
            statusCode: StatusCodes.Status412PreconditionFailed,
            title: "Deal changed",
            extensions: new Dictionary<string, object?> { ["dealId"] = dealId, ["currentETag"] = DealETag.For(currentVersion) });

    public static IResult BadIfMatch() =>
        Invalid(new Dictionary<string, string[]> { ["If-Match"] = ["If-Match must be * or a list of quoted entity tags, for example \"3\"."] });

    public static IResult Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is invalid");

    public static IResult Invalid(string field, string problem) => Invalid(new Dictionary<string, string[]> { [field] = [problem] });

    public static IResult FromFire(FireResult result) => result.Status switch
    {
        FireStatus.Rejected => Refused(result),
        FireStatus.Forbidden => Forbidden(result),
        FireStatus.NotPermitted => NotPermitted(result),
        FireStatus.Conflict => Conflict(result.Deal.Id, $"Deal '{result.Deal.Id}' kept changing while '{result.Trigger}' was being made; nothing was saved. Read it again and retry."),
        _ when result.FailedHook?.Exception is StaleDealVersionException stale => Stale(stale.DealId, stale.CurrentVersion),
        _ => Conflict(result.Deal.Id, $"'{result.Trigger}' on deal '{result.Deal.Id}' was aborted by hook '{result.FailedHook?.HookName}'; nothing was saved."),
    };

    /// <summary>One unmet guard in a problem's <c>unmetGuards</c> member.</summary>
    internal sealed record GuardProblem(string Code, string Reason);
}

/// <summary>Turns the SalesFlow exceptions the endpoints let through, a caller's unusable tenant claim, and unreadable requests, into problem details (404, 409, 412, 403, 400).</summary>
internal sealed class SalesFlowExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var inner = exception is HookAbortedException { InnerException: StaleDealVersionException stale } ? stale : exception;
        ProblemDetails? problem = inner switch
        {
            TenantClaimException e => Problem(StatusCodes.Status403Forbidden, e.Title, e.Message),
            DealNotFoundException e => Problem(StatusCodes.Status404NotFound, "Deal not found", $"There is no deal '{e.DealId}'.", ("dealId", e.DealId)),
            PipelineNotFoundException e => Problem(StatusCodes.Status404NotFound, "Pipeline not found", e.Message, ("pipelineId", e.PipelineId)),
            DealAlreadyExistsException e => Problem(StatusCodes.Status409Conflict, "Deal exists", e.Message, ("dealId", e.DealId)),
            DealConflictException e => Problem(StatusCodes.Status409Conflict, "Conflict", e.Message, ("dealId", e.DealId)),
            DealForbiddenException e => Problem(StatusCodes.Status403Forbidden, "Not allowed", e.Message, ("dealId", e.DealId)),
            HookAbortedException e => Problem(StatusCodes.Status409Conflict, "Aborted", e.Message, ("dealId", e.DealId)),
            StaleDealVersionException e => Problem(StatusCodes.Status412PreconditionFailed, "Deal changed", e.Message, ("dealId", e.DealId), ("currentETag", DealETag.For(e.CurrentVersion))),
            DealDataInvalidException e => new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["data"] = [.. e.Problems] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request is invalid",
            },
            DealInputException e => new HttpValidationProblemDetails(e.Problems.GroupBy(p => p.Input).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()))
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request is invalid",
            },
            BadHttpRequestException e => new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["body"] = [e.Message] })
            {
                Status = e.StatusCode,
                Title = "The request is invalid",
            },
            ArgumentException e => new HttpValidationProblemDetails(new Dictionary<string, string[]> { [e.ParamName ?? "request"] = [e.Message] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request is invalid",
            },
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails Problem(int status, string title, string detail, params (string Name, object? Value)[] extensions)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (name, value) in extensions)
        {
            problem.Extensions[name] = value;
        }

        return problem;
    }
}
