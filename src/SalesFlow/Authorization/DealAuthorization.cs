using System.Security.Claims;

namespace SalesFlow;

/// <summary>
/// How the engine and the importer decide a request: the pipeline's <see cref="PipelinePermissions"/> first, then the
/// host's <see cref="DealAuthorizer"/>, if any. Writes on pipelines without permissions and without an authorizer skip it
/// (except overrides, which always need a grant).
/// </summary>
internal sealed class DealAuthorization(
    DealAuthorizer? authorizer, IReadOnlyCollection<string> overrideRoles, IReadOnlyCollection<string> overrideActors, Func<ClaimsPrincipal?>? currentUser = null)
{
    public static DealAuthorization For(SalesFlowEngineOptions options) =>
        new(options.Authorizer, options.OverrideRoles.ToHashSet(StringComparer.Ordinal), options.OverrideActors.ToHashSet(StringComparer.Ordinal), options.CurrentUser);

    /// <summary>Whether a request on this pipeline needs deciding at all.</summary>
    public bool Applies(PipelineDefinition pipeline, DealAction action) =>
        action == DealAction.Override || authorizer is not null || !pipeline.Permissions.IsEmpty;

    /// <summary>Decides a request; returns why it is denied, or <see langword="null"/> when it is allowed.</summary>
    public async ValueTask<string?> DeniedAsync(DealAuthorizationContext context, CancellationToken cancellationToken)
    {
        var decision = context.Pipeline.Permissions.Decide(context, overrideRoles, overrideActors);
        if (decision.Allowed && authorizer is not null)
        {
            decision = await authorizer.AuthorizeAsync(context, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The authorizer {authorizer.GetType().Name} returned null; return AuthorizationDecision.Allow or Deny(reason).");
        }

        return decision.Reason;
    }

    /// <summary>Decides a request when it needs deciding; <see langword="null"/> when it is allowed.</summary>
    public ValueTask<string?> DeniedAsync(
        DealAction action, string actor, ClaimsPrincipal? user, PipelineDefinition pipeline, Deal deal, CancellationToken cancellationToken,
        string? trigger = null, string? activity = null, IReadOnlyList<UnmetGuard>? unmet = null, PipelineDefinition? target = null) =>
        Applies(pipeline, action)
            ? DeniedAsync(new DealAuthorizationContext(action, actor, user ?? currentUser?.Invoke(), pipeline, deal) { Trigger = trigger, Activity = activity, UnmetGuards = unmet ?? [], TargetPipeline = target }, cancellationToken)
            : default;
}
