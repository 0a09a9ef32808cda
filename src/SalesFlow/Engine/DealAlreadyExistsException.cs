namespace SalesFlow;

/// <summary>A deal with the given id already exists; nothing was written.</summary>
public sealed class DealAlreadyExistsException : SalesFlowException
{
    internal DealAlreadyExistsException(string dealId)
        : base($"Deal '{dealId}' already exists; choose another id or load the existing deal.") => DealId = dealId;

    /// <summary>Gets the id that is taken.</summary>
    public string DealId { get; }
}
