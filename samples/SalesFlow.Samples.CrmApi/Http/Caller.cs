using System.Security.Claims;

namespace SalesFlow.Samples.CrmApi.Http;

/// <summary>
/// Who calls the API: the signed-in user (see <see cref="CrmAuthentication"/>), as SalesFlow needs them: the actor recorded
/// in the history (the user's name, else their subject id) and the user with their roles and claims, which the engine's
/// permissions read (<c>SalesFlow:OverrideRoles</c>, the pipelines' own permissions).
/// </summary>
internal sealed record Caller(string Actor, ClaimsPrincipal User)
{
    /// <summary>The actor of requests made without a user (background work).</summary>
    public const string SystemActor = "system";

    public static Caller From(HttpContext? context)
    {
        var user = context?.User;
        if (user?.Identity is not { IsAuthenticated: true } identity)
        {
            return new Caller(SystemActor, user ?? new ClaimsPrincipal());
        }

        var actor = identity.Name is { Length: > 0 } name
            ? name
            : user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub") ?? SystemActor;
        return new Caller(actor.Trim(), user);
    }
}
