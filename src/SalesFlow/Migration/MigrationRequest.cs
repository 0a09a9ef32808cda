namespace SalesFlow;

/// <summary>Who applies a <see cref="PipelineMigration"/>, and what to write in each migrated deal's history.</summary>
public sealed record MigrationRequest
{
    /// <summary>Initializes a new instance of the <see cref="MigrationRequest"/> class; set <see cref="Actor"/> in the initializer.</summary>
    public MigrationRequest()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MigrationRequest"/> class for an actor.</summary>
    /// <param name="actor">Who applies the migration.</param>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public MigrationRequest(string actor) => Actor = actor;

    /// <summary>Gets who applies the migration (a user or system id); recorded in every migration event.</summary>
    public required string Actor { get; init; }

    /// <summary>
    /// Gets the caller's identity with their roles and claims, for the pipeline's permissions and the engine's
    /// <see cref="DealAuthorizer"/>; <see langword="null"/> for a caller without roles.
    /// </summary>
    public System.Security.Claims.ClaimsPrincipal? User { get; init; }

    /// <summary>Gets a free-text note recorded in every migration event (for example why the process changed).</summary>
    public string? Note { get; init; }

    /// <summary>Gets how many deals are read from the store at a time.</summary>
    /// <value>The default value is 100; between 1 and 10,000.</value>
    public int PageSize { get; init; } = 100;
}
