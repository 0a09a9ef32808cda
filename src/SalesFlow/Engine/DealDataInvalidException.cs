namespace SalesFlow;

/// <summary>
/// Deal data was refused before anything was saved: it is not the pipeline's data type, or a required member (one
/// the type declares non-nullable) is null. The message names members by path, never their values.
/// </summary>
public sealed class DealDataInvalidException : SalesFlowException
{
    /// <summary>Initializes a new instance of the <see cref="DealDataInvalidException"/> class.</summary>
    /// <param name="dealId">The deal the data was meant for.</param>
    /// <param name="pipelineId">The deal's pipeline.</param>
    /// <param name="problems">Every problem found.</param>
    public DealDataInvalidException(string dealId, string pipelineId, IReadOnlyList<string> problems)
        : base($"The data of deal '{dealId}' (pipeline '{pipelineId}') was refused; nothing was saved:" + Environment.NewLine + "- "
               + string.Join(Environment.NewLine + "- ", problems ?? []))
    {
        DealId = dealId;
        PipelineId = pipelineId;
        Problems = problems ?? [];
    }

    /// <summary>Gets the deal's id.</summary>
    public string DealId { get; }

    /// <summary>Gets the deal's pipeline id.</summary>
    public string PipelineId { get; }

    /// <summary>Gets every problem found, each naming a member by path.</summary>
    public IReadOnlyList<string> Problems { get; }
}
