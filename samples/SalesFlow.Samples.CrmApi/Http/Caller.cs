using System.Security.Claims;

namespace SalesFlow.Samples.CrmApi.Http;

/// <summary>
/// Who calls the API, as far as this sample knows: a stand-in until the host wires real authentication. The actor is the
/// authenticated user's name or else the <c>X-Actor</c> header (<c>web-user</c> when neither is there); the caller is a
/// manager when the user has the <c>manager</c> role claim or the <c>X-Role</c> header says <c>manager</c>. The one rule
/// it enforces: only a manager may override a guard (403 otherwise). Authentication replaces <see cref="From"/> alone.
/// </summary>
internal sealed record Caller(string Actor, bool IsManager)
{
    /// <summary>The header naming the actor recorded in the history.</summary>
    public const string ActorHeader = "X-Actor";

    /// <summary>The header carrying the caller's role.</summary>
    public const string RoleHeader = "X-Role";

    /// <summary>The role that may override guards.</summary>
    public const string ManagerRole = "manager";

    private const string DefaultActor = "web-user";

    public static Caller From(HttpContext? context)
    {
        if (context is null)
        {
            return new Caller("system", IsManager: false);
        }

        var user = context.User;
        var actor = user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name }
            ? name
            : context.Request.Headers[ActorHeader].ToString().Trim() is { Length: > 0 } header ? header : DefaultActor;
        var isManager = user.IsInRole(ManagerRole)
            || user.HasClaim(ClaimTypes.Role, ManagerRole)
            || context.Request.Headers[RoleHeader].Any(r => string.Equals(r?.Trim(), ManagerRole, StringComparison.OrdinalIgnoreCase));
        return new Caller(actor, isManager);
    }
}
