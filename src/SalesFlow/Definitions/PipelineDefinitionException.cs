namespace SalesFlow;

/// <summary>A pipeline definition is invalid. <see cref="Problems"/> lists every problem found, not just the first.</summary>
public sealed class PipelineDefinitionException : SalesFlowException
{
    internal PipelineDefinitionException(string pipelineId, IReadOnlyList<string> problems)
        : base($"Pipeline '{pipelineId}' is invalid ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):"
               + Environment.NewLine + "- " + string.Join(Environment.NewLine + "- ", problems))
    {
        PipelineId = pipelineId;
        Problems = problems;
    }

    /// <summary>Gets the id of the invalid pipeline.</summary>
    public string PipelineId { get; }

    /// <summary>Gets every problem found, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }
}
