namespace SalesFlow;

/// <summary>No pipeline with the given id (and version) is registered.</summary>
public sealed class PipelineNotFoundException : SalesFlowException
{
    internal PipelineNotFoundException(string pipelineId, int? version)
        : base(version is null
            ? $"Pipeline '{pipelineId}' is not registered. Add its definition to the PipelineRegistry."
            : $"Pipeline '{pipelineId}' version {version} is not registered. Add that version's definition to the PipelineRegistry.")
    {
        PipelineId = pipelineId;
        Version = version;
    }

    /// <summary>Gets the pipeline id that was looked for.</summary>
    public string PipelineId { get; }

    /// <summary>Gets the version that was looked for, or <see langword="null"/> for the latest.</summary>
    public int? Version { get; }
}
