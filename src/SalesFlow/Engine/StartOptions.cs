namespace SalesFlow;

/// <summary>Who starts a deal and its first facts.</summary>
public sealed record StartOptions
{
    /// <summary>Initializes a new instance of the <see cref="StartOptions"/> class.</summary>
    public StartOptions()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="StartOptions"/> class for an actor.</summary>
    /// <param name="actor">Who starts the deal.</param>
    public StartOptions(string actor) => Actor = actor;

    /// <summary>Gets who starts the deal; required.</summary>
    public string Actor { get; init; } = "";

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
}
