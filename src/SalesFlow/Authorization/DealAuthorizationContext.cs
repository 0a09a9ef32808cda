using System.Security.Claims;

namespace SalesFlow;

/// <summary>A request to authorize: who asks (actor, roles and claims), what for, on which deal.</summary>
public sealed class DealAuthorizationContext
{
    internal DealAuthorizationContext(DealAction action, string actor, ClaimsPrincipal? user, PipelineDefinition pipeline, Deal deal)
    {
        Action = action;
        Actor = actor;
        User = user;
        Pipeline = pipeline;
        Deal = deal;
    }

    /// <summary>Gets what the request asks to do.</summary>
    public DealAction Action { get; }

    /// <summary>Gets who asks, as recorded in the history.</summary>
    public string Actor { get; }

    /// <summary>
    /// Gets the caller's identity with their roles and claims, as the host passed it on the request
    /// (<see cref="FireRequest.User"/> …); <see langword="null"/> when the host passed none.
    /// </summary>
    public ClaimsPrincipal? User { get; }

    /// <summary>Gets the deal's pipeline (for a migration, the version the deal is on now).</summary>
    public PipelineDefinition Pipeline { get; }

    /// <summary>Gets the deal as it is now; for <see cref="DealAction.Start"/> and <see cref="DealAction.Import"/>, as it would be saved.</summary>
    public Deal Deal { get; }

    /// <summary>
    /// Gets the tenant of the deal (and of the engine that asks): an authorizer of a host serving several companies can
    /// check it against the caller's own tenant claim, a second line behind <see cref="SalesFlowEngine.ForTenant"/>.
    /// </summary>
    public string TenantId => Deal.TenantId;

    /// <summary>Gets the trigger fired, for <see cref="DealAction.Move"/> and <see cref="DealAction.Override"/>; otherwise <see langword="null"/>.</summary>
    public string? Trigger { get; internal init; }

    /// <summary>Gets the activity type, for <see cref="DealAction.Activity"/>; otherwise <see langword="null"/>.</summary>
    public string? Activity { get; internal init; }

    /// <summary>Gets the guards an override would bypass, for <see cref="DealAction.Override"/>; otherwise empty.</summary>
    public IReadOnlyList<UnmetGuard> UnmetGuards { get; internal init; } = [];

    /// <summary>Gets the pipeline version a migration moves the deal to, for <see cref="DealAction.Migrate"/>; otherwise <see langword="null"/>.</summary>
    public PipelineDefinition? TargetPipeline { get; internal init; }

    /// <summary>Gets a value indicating whether <see cref="User"/> has the role (<see cref="ClaimsPrincipal.IsInRole"/>).</summary>
    /// <param name="role">The role.</param>
    /// <returns><see langword="true"/> when there is a user in that role.</returns>
    public bool IsInRole(string role) => User?.IsInRole(role) == true;

    /// <inheritdoc/>
    public override string ToString() => $"{Action} on deal {Deal.Id} by {Actor}" + (Trigger is null ? "" : $" ({Trigger})");
}
