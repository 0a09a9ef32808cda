using System.Collections.Frozen;

namespace SalesFlow;

/// <summary>
/// Who may do what on a pipeline's deals, by role: declared with <see cref="PipelineBuilder{TData}.Permissions"/> or
/// in the definition's JSON (<c>"permissions"</c>). A list left empty means anyone; the one exception is
/// <see cref="Override"/>: without a role here or in <see cref="SalesFlowEngineOptions.OverrideRoles"/> /
/// <see cref="SalesFlowEngineOptions.OverrideActors"/>, no one may force a move past its guards.
/// </summary>
/// <remarks>
/// A request needs, by <see cref="DealAction"/>: <see cref="DealAction.Start"/> a role of <see cref="Start"/>;
/// <see cref="DealAction.Move"/> a role of the trigger's entry in <see cref="Triggers"/> and one of the current stage's
/// entry in <see cref="Stages"/>; <see cref="DealAction.Override"/> the move's roles and one of <see cref="Override"/>;
/// <see cref="DealAction.Activity"/> a role of the current stage's entry in <see cref="Stages"/>;
/// <see cref="DealAction.Migrate"/>, <see cref="DealAction.Import"/> and <see cref="DealAction.Erase"/> a role of <see cref="Manage"/>. Roles are read
/// with <see cref="System.Security.Claims.ClaimsPrincipal.IsInRole"/> from the request's <c>User</c>.
/// </remarks>
public sealed class PipelinePermissions
{
    internal PipelinePermissions(
        IReadOnlyList<string> start,
        IReadOnlyDictionary<string, IReadOnlyList<string>> triggers,
        IReadOnlyDictionary<string, IReadOnlyList<string>> stages,
        IReadOnlyList<string> @override,
        IReadOnlyList<string> manage)
    {
        Start = start;
        Triggers = triggers.ToFrozenDictionary(StringComparer.Ordinal);
        Stages = stages.ToFrozenDictionary(StringComparer.Ordinal);
        Override = @override;
        Manage = manage;
        IsEmpty = start.Count == 0 && triggers.Count == 0 && stages.Count == 0 && @override.Count == 0 && manage.Count == 0;
    }

    /// <summary>Gets the permissions of a pipeline that declares none: anyone may do anything but override.</summary>
    public static PipelinePermissions None { get; } = new([], new Dictionary<string, IReadOnlyList<string>>(), new Dictionary<string, IReadOnlyList<string>>(), [], []);

    /// <summary>Gets the roles that may start deals; empty for anyone.</summary>
    public IReadOnlyList<string> Start { get; }

    /// <summary>Gets, per trigger, the roles that may fire it; a trigger not listed may be fired by anyone.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Triggers { get; }

    /// <summary>Gets, per stage, the roles that may change its deals (move them on, record activities); a stage not listed, anyone.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Stages { get; }

    /// <summary>Gets the roles that may force a move past unmet guards (with a justification).</summary>
    public IReadOnlyList<string> Override { get; }

    /// <summary>Gets the roles that may import deals, migrate them to other versions and erase personal data from them; empty for anyone.</summary>
    public IReadOnlyList<string> Manage { get; }

    /// <summary>Gets a value indicating whether the pipeline declares no permission at all.</summary>
    public bool IsEmpty { get; }

    /// <summary>Decides a request by these rules alone (see the remarks of <see cref="PipelinePermissions"/>).</summary>
    internal AuthorizationDecision Decide(DealAuthorizationContext context, IReadOnlyCollection<string> engineOverrideRoles, IReadOnlyCollection<string> overrideActors)
    {
        switch (context.Action)
        {
            case DealAction.Start:
                return Require(context, Start, "start deals on pipeline '" + context.Pipeline.Id + "'");
            case DealAction.Activity:
                return RequireStage(context, "record activities on");
            case DealAction.Migrate:
            case DealAction.Import:
            case DealAction.Erase:
                var what = context.Action switch { DealAction.Import => "import deals into", DealAction.Erase => "erase personal data of deals of", _ => "migrate deals of" };
                return Require(context, Manage, what + " pipeline '" + context.Pipeline.Id + "'");
        }

        // A move, and an override, which is a move first.
        if (context.Trigger is { } trigger && Triggers.TryGetValue(trigger, out var triggerRoles)
            && Require(context, triggerRoles, "fire '" + trigger + "'") is { Allowed: false } triggerDenied)
        {
            return triggerDenied;
        }

        var stage = RequireStage(context, "move deals out of");
        if (!stage.Allowed || context.Action != DealAction.Override)
        {
            return stage;
        }

        if (overrideActors.Contains(context.Actor) || HasAnyRole(context, Override) || HasAnyRole(context, engineOverrideRoles))
        {
            return AuthorizationDecision.Allow;
        }

        var roles = Override.Concat(engineOverrideRoles).Distinct(StringComparer.Ordinal).ToArray();
        return AuthorizationDecision.Deny(roles.Length == 0
            ? "no one may override guards here"
            : "overriding guards needs the role " + Join(roles));
    }

    private AuthorizationDecision RequireStage(DealAuthorizationContext context, string what) =>
        Stages.TryGetValue(context.Deal.StageId, out var roles)
            ? Require(context, roles, what + " stage '" + context.Deal.StageId + "'")
            : AuthorizationDecision.Allow;

    private static AuthorizationDecision Require(DealAuthorizationContext context, IReadOnlyList<string> roles, string what) =>
        roles.Count == 0 || HasAnyRole(context, roles)
            ? AuthorizationDecision.Allow
            : AuthorizationDecision.Deny($"to {what} needs the role {Join(roles)}");

    private static bool HasAnyRole(DealAuthorizationContext context, IEnumerable<string> roles)
    {
        foreach (var role in roles)
        {
            if (context.IsInRole(role))
            {
                return true;
            }
        }

        return false;
    }

    private static string Join(IReadOnlyList<string> roles) =>
        roles.Count == 1 ? "'" + roles[0] + "'" : string.Join(" or ", roles.Select(r => "'" + r + "'"));
}
