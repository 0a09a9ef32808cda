namespace SalesFlow;

/// <summary>
/// A guard threw instead of answering: a defect in the guard or data it did not expect. Nothing was saved. The
/// guard's exception is the inner exception; the message names the deal and the guard code only.
/// </summary>
public sealed class GuardFailedException : SalesFlowException
{
    /// <summary>Initializes a new instance of the <see cref="GuardFailedException"/> class.</summary>
    /// <param name="dealId">The deal the guard was evaluated for.</param>
    /// <param name="guardCode">The guard's code.</param>
    /// <param name="innerException">What the guard threw.</param>
    public GuardFailedException(string dealId, string guardCode, Exception innerException)
        : base($"Guard '{guardCode}' failed on deal '{dealId}' with {innerException?.GetType().Name}; nothing was saved. Fix the guard so it answers for every valid deal.", innerException)
    {
        DealId = dealId;
        GuardCode = guardCode;
    }

    /// <summary>Gets the deal's id.</summary>
    public string DealId { get; }

    /// <summary>Gets the failing guard's code.</summary>
    public string GuardCode { get; }
}
