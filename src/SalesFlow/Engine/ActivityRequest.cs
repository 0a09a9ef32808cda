namespace SalesFlow;

/// <summary>Who records an activity on a deal, and what to write in its history.</summary>
public sealed record ActivityRequest
{
    /// <summary>Initializes a new instance of the <see cref="ActivityRequest"/> class; set <see cref="Actor"/> in the initializer.</summary>
    public ActivityRequest()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ActivityRequest"/> class for an actor.</summary>
    /// <param name="actor">Who records the activity.</param>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public ActivityRequest(string actor) => Actor = actor;

    /// <summary>Gets who records the activity; required.</summary>
    public required string Actor { get; init; }

    /// <summary>
    /// Gets the caller's identity with their roles and claims, for the pipeline's permissions and the engine's
    /// <see cref="DealAuthorizer"/>; <see langword="null"/> for a caller without roles.
    /// </summary>
    public System.Security.Claims.ClaimsPrincipal? User { get; init; }

    /// <summary>Gets the activity type written to <see cref="DealEvent.Activity"/>.</summary>
    /// <value>The default value is <c>null</c>: the engine uses <c>data.updated</c> or <c>note</c>.</value>
    public string? Activity { get; init; }

    /// <summary>Gets a free-text note.</summary>
    public string? Note { get; init; }

    /// <summary>Gets extra facts recorded in the event's <see cref="DealEvent.Properties"/>.</summary>
    public IReadOnlyDictionary<string, string>? Properties { get; init; }

    /// <summary>Gets a new follow-up time to set on the deal; <see langword="null"/> leaves it as it is.</summary>
    public DateTimeOffset? NextFollowUpAt { get; init; }

    /// <summary>
    /// Gets a key the caller chooses for this request (checked like an id), so that a retry is safe: a request repeated
    /// with the same key on the same deal returns the first accepted outcome and writes nothing new. The key is stored
    /// with the event the request wrote, in the same transaction, and is unique per deal. Only accepted writes are
    /// remembered: a refused request writes nothing, so repeating it decides again.
    /// </summary>
    /// <value>The default value is <c>null</c>: no key, every call is a new request.</value>
    public string? IdempotencyKey { get; init; }
}
