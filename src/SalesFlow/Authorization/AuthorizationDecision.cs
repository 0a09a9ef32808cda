namespace SalesFlow;

/// <summary>A <see cref="DealAuthorizer"/>'s answer: allowed, or denied with a reason the caller is shown.</summary>
public sealed class AuthorizationDecision
{
    private AuthorizationDecision(string? reason) => Reason = reason;

    /// <summary>Gets the decision that allows the request.</summary>
    public static AuthorizationDecision Allow { get; } = new(null);

    /// <summary>Gets a value indicating whether the request is allowed.</summary>
    public bool Allowed => Reason is null;

    /// <summary>Gets why the request is denied; <see langword="null"/> when it is allowed.</summary>
    public string? Reason { get; }

    /// <summary>Denies the request.</summary>
    /// <param name="reason">
    /// Why, shown to the caller and recorded in logs and exceptions: name roles, stages and triggers, never personal data.
    /// </param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentException">The reason is blank.</exception>
    public static AuthorizationDecision Deny(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new AuthorizationDecision(reason);
    }

    /// <inheritdoc/>
    public override string ToString() => Reason is null ? "allowed" : "denied: " + Reason;
}
