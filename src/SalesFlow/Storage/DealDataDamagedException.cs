namespace SalesFlow;

/// <summary>
/// A stored deal could not be read back: its data or events are damaged (for example JSON that no longer
/// parses as the pipeline's data type). The message names the deal, never the stored content.
/// </summary>
public sealed class DealDataDamagedException : SalesFlowException
{
    /// <summary>Initializes a new instance of the <see cref="DealDataDamagedException"/> class.</summary>
    /// <param name="dealId">The damaged deal's id.</param>
    /// <param name="problem">What could not be read, without the stored content.</param>
    /// <param name="innerException">The reader's exception, if any.</param>
    public DealDataDamagedException(string dealId, string problem, Exception? innerException = null)
        : base($"Deal '{dealId}' is damaged in the store and cannot be read: {problem}. Repair or remove its row; other deals are not affected.", innerException)
    {
        DealId = dealId;
        Problem = problem;
    }

    /// <summary>Gets the damaged deal's id.</summary>
    public string DealId { get; }

    /// <summary>Gets what could not be read.</summary>
    public string Problem { get; }
}
