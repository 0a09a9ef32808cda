namespace SalesFlow;

/// <summary>
/// Decides whether a caller may start, move, override, record an activity on, migrate or import a deal, asked before
/// anything is saved on every write path. Set one as <see cref="SalesFlowEngineOptions.Authorizer"/> (and
/// <see cref="CrmImportOptions.Authorizer"/>); it runs after the pipeline's own <see cref="PipelinePermissions"/>, which it
/// can narrow but not widen. Implementations must be thread-safe.
/// </summary>
public abstract class DealAuthorizer
{
    /// <summary>Decides whether the request may go ahead.</summary>
    /// <param name="context">Who asks, what for, on which deal.</param>
    /// <param name="cancellationToken">Cancels the decision (and the request).</param>
    /// <returns><see cref="AuthorizationDecision.Allow"/>, or <see cref="AuthorizationDecision.Deny"/> with the reason.</returns>
    public abstract ValueTask<AuthorizationDecision> AuthorizeAsync(DealAuthorizationContext context, CancellationToken cancellationToken);

    /// <summary>An authorizer that asks a function.</summary>
    /// <param name="decide">Returns the decision for a request.</param>
    /// <returns>The authorizer.</returns>
    public static DealAuthorizer From(Func<DealAuthorizationContext, AuthorizationDecision> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        return new DelegateAuthorizer((context, _) => new ValueTask<AuthorizationDecision>(decide(context)));
    }

    /// <summary>An authorizer that asks an asynchronous function (a permission service, a database).</summary>
    /// <param name="decide">Returns the decision for a request.</param>
    /// <returns>The authorizer.</returns>
    public static DealAuthorizer From(Func<DealAuthorizationContext, CancellationToken, ValueTask<AuthorizationDecision>> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        return new DelegateAuthorizer(decide);
    }

    /// <summary>An authorizer that allows what every one of the given authorizers allows, asking them in order and stopping at the first denial.</summary>
    /// <param name="authorizers">The authorizers.</param>
    /// <returns>The combined authorizer.</returns>
    public static DealAuthorizer AllOf(params DealAuthorizer[] authorizers)
    {
        ArgumentNullException.ThrowIfNull(authorizers);
        var copy = authorizers.ToArray();
        if (Array.Exists(copy, a => a is null))
        {
            throw new ArgumentException("The authorizers must not contain null.", nameof(authorizers));
        }

        return new DelegateAuthorizer(async (context, cancellationToken) =>
        {
            foreach (var authorizer in copy)
            {
                var decision = await authorizer.AuthorizeAsync(context, cancellationToken).ConfigureAwait(false);
                if (!decision.Allowed)
                {
                    return decision;
                }
            }

            return AuthorizationDecision.Allow;
        });
    }

    private sealed class DelegateAuthorizer(Func<DealAuthorizationContext, CancellationToken, ValueTask<AuthorizationDecision>> decide) : DealAuthorizer
    {
        public override ValueTask<AuthorizationDecision> AuthorizeAsync(DealAuthorizationContext context, CancellationToken cancellationToken) =>
            decide(context, cancellationToken);
    }
}
