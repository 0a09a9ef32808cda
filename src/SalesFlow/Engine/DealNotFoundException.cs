namespace SalesFlow;

/// <summary>No deal with the given id exists in the store.</summary>
public sealed class DealNotFoundException : SalesFlowException
{
    internal DealNotFoundException(string dealId)
        : base($"Deal '{dealId}' was not found. Start it with SalesFlowEngine.StartAsync first.") => DealId = dealId;

    /// <summary>Gets the id that was looked for.</summary>
    public string DealId { get; }
}
