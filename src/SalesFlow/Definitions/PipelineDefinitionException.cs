namespace SalesFlow;

/// <summary>
/// A pipeline definition is invalid. <see cref="Diagnostics"/> lists every problem found (and any warnings), not just
/// the first, each with a stable code and a location.
/// </summary>
public sealed class PipelineDefinitionException : SalesFlowException
{
    internal PipelineDefinitionException(string pipelineId, IReadOnlyList<PipelineDiagnostic> diagnostics)
        : base(Describe(pipelineId, diagnostics))
    {
        PipelineId = pipelineId;
        Diagnostics = diagnostics;
    }

    /// <summary>Gets the id of the invalid pipeline (empty when the JSON did not say).</summary>
    public string PipelineId { get; }

    /// <summary>Gets every finding: the errors that stopped the build, and any warnings.</summary>
    public IReadOnlyList<PipelineDiagnostic> Diagnostics { get; }

    /// <summary>Gets the message of every error, one sentence each.</summary>
    public IReadOnlyList<string> Problems => [.. Diagnostics.Where(d => d.IsError).Select(d => d.Message)];

    private static string Describe(string pipelineId, IReadOnlyList<PipelineDiagnostic> diagnostics)
    {
        var errors = diagnostics.Count(d => d.IsError);
        var name = pipelineId.Length == 0 ? "The pipeline" : $"Pipeline '{pipelineId}'";
        return $"{name} is invalid ({errors} error{(errors == 1 ? "" : "s")}):"
               + Environment.NewLine + "- " + string.Join(Environment.NewLine + "- ", diagnostics.Where(d => d.IsError));
    }
}
