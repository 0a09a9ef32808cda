namespace SalesFlow;

/// <summary>Who fires a trigger and why. <see cref="Actor"/> is required.</summary>
public sealed record FireRequest
{
    /// <summary>Initializes a new instance of the <see cref="FireRequest"/> class; set <see cref="Actor"/> in the initializer.</summary>
    public FireRequest()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FireRequest"/> class for an actor.</summary>
    /// <param name="actor">Who fires the trigger.</param>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public FireRequest(string actor) => Actor = actor;

    /// <summary>Gets who fires the trigger (a user or system id); recorded in the history.</summary>
    public required string Actor { get; init; }

    /// <summary>
    /// Gets the caller's identity with their roles and claims, for the pipeline's permissions and the engine's
    /// <see cref="DealAuthorizer"/>; <see langword="null"/> for a caller without roles.
    /// </summary>
    public System.Security.Claims.ClaimsPrincipal? User { get; init; }

    /// <summary>Gets a free-text note recorded with the move.</summary>
    public string? Note { get; init; }

    /// <summary>Gets the reason of the move (for example why a deal was lost); guards may require it.</summary>
    public string? Reason { get; init; }

    /// <summary>Gets named arguments of the move that guards can read (<see cref="GuardContext.Argument"/>).</summary>
    public IReadOnlyDictionary<string, object?>? Arguments { get; init; }

    /// <summary>
    /// Gets the justification for forcing the move past unmet guards. Only callers allowed to override (the pipeline's
    /// <see cref="PipelinePermissions.Override"/> roles, <see cref="SalesFlowEngineOptions.OverrideRoles"/>,
    /// <see cref="SalesFlowEngineOptions.OverrideActors"/>) may force a move; the event records the override and the guards it bypassed.
    /// </summary>
    public string? OverrideJustification { get; init; }

    /// <summary>Gets extra facts recorded in the event's <see cref="DealEvent.Properties"/>.</summary>
    public IReadOnlyDictionary<string, string>? Properties { get; init; }

    /// <summary>
    /// Gets a key the caller chooses for this request (checked like an id), so that a retry is safe: a request repeated
    /// with the same key on the same deal returns the first accepted outcome and writes nothing new. The key is stored
    /// with the event the request wrote, in the same transaction, and is unique per deal. Only accepted writes are
    /// remembered: a refused request writes nothing, so repeating it decides again.
    /// </summary>
    /// <value>The default value is <c>null</c>: no key, every call is a new request.</value>
    public string? IdempotencyKey { get; init; }
}
