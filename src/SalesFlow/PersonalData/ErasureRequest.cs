namespace SalesFlow;

/// <summary>Who erases a deal's personal data, and how far the erasure reaches into the deal's history.</summary>
public sealed record ErasureRequest
{
    /// <summary>Initializes a new instance of the <see cref="ErasureRequest"/> class; set <see cref="Actor"/> in the initializer.</summary>
    public ErasureRequest()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ErasureRequest"/> class for an actor.</summary>
    /// <param name="actor">Who erases the data (recorded in the erasure event).</param>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public ErasureRequest(string actor) => Actor = actor;

    /// <summary>Gets who erases the data; required.</summary>
    public required string Actor { get; init; }

    /// <summary>
    /// Gets the caller's identity with their roles and claims, for the pipeline's permissions (erasure needs a
    /// <see cref="PipelinePermissions.Manage"/> role when the pipeline names any) and the engine's <see cref="DealAuthorizer"/>.
    /// </summary>
    public System.Security.Claims.ClaimsPrincipal? User { get; init; }

    /// <summary>Gets a value indicating whether every event's note is removed as a whole (free text about the person).</summary>
    /// <value>
    /// The default value is <see langword="true"/>. With <see langword="false"/>, notes are kept with each occurrence of a
    /// personal value replaced by <see cref="Replacement"/>, like reasons and properties.
    /// </value>
    public bool EraseNotes { get; init; } = true;

    /// <summary>
    /// Gets more values that identify the person (for example a name written only in notes), replaced wherever they
    /// appear in the history like the values found in the personal data members.
    /// </summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyList<string> AdditionalValues { get; init; } = [];

    /// <summary>Gets the text that replaces a personal value in an event's reason, override justification, properties or note.</summary>
    /// <value>The default value is <c>[erased]</c>.</value>
    public string Replacement { get; init; } = "[erased]";
}
