namespace SalesFlow;

/// <summary>The base type of every exception SalesFlow throws on purpose.</summary>
public abstract class SalesFlowException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="SalesFlowException"/> class.</summary>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    protected SalesFlowException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
