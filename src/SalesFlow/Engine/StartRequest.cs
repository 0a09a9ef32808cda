namespace SalesFlow;

/// <summary>Who starts a deal and its first facts.</summary>
public sealed record StartRequest
{
    /// <summary>Initializes a new instance of the <see cref="StartRequest"/> class; set <see cref="Actor"/> in the initializer.</summary>
    public StartRequest()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="StartRequest"/> class for an actor.</summary>
    /// <param name="actor">Who starts the deal.</param>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public StartRequest(string actor) => Actor = actor;

    /// <summary>Gets who starts the deal; required.</summary>
    public required string Actor { get; init; }

    /// <summary>
    /// Gets the caller's identity with their roles and claims, for the pipeline's permissions and the engine's
    /// <see cref="DealAuthorizer"/>; <see langword="null"/> for a caller without roles.
    /// </summary>
    public System.Security.Claims.ClaimsPrincipal? User { get; init; }

    /// <summary>Gets the pipeline version to pin the deal to; <see langword="null"/> for the latest registered.</summary>
    public int? PipelineVersion { get; init; }

    /// <summary>Gets the deal's owner.</summary>
    public string? Owner { get; init; }

    /// <summary>Gets the deal's expected amount.</summary>
    public decimal? Amount { get; init; }

    /// <summary>Gets a note for the first event.</summary>
    public string? Note { get; init; }

    /// <summary>Gets extra facts recorded in the first event (for example the deal that referred this one).</summary>
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
