namespace SalesFlow;

/// <summary>What a failed store call is known to have written.</summary>
public enum StoreWriteOutcome
{
    /// <summary>Nothing: the call read only, or its transaction is known to have been rolled back (or never sent).</summary>
    NothingWritten = 0,

    /// <summary>
    /// Unknown: the connection failed while the commit was under way, so the write may or may not be stored. Read the deal
    /// back (or repeat the request with the same idempotency key) before acting on it.
    /// </summary>
    Unknown = 1,
}

/// <summary>
/// A store call failed for a reason of the database or its connection — a full disk, a read-only file, a lock held
/// too long, a server that ended the connection — rather than a conflict with another writer (which is a refused save,
/// not an exception). It keeps the provider's exception as <see cref="Exception.InnerException"/> and says whether the
/// write is known not to have happened. The message names the store, the operation and the provider's error code, never
/// deal data.
/// </summary>
public sealed class DealStoreException : SalesFlowException
{
    /// <summary>Initializes a new instance of the <see cref="DealStoreException"/> class.</summary>
    /// <param name="store">The store, for example <c>SQLite</c>.</param>
    /// <param name="operation">What the store was doing, for example <c>save</c> or <c>read</c>.</param>
    /// <param name="outcome">What the call is known to have written.</param>
    /// <param name="isTransient">Whether the same call may succeed if repeated (a busy database, a lost connection).</param>
    /// <param name="errorCode">The provider's error code, for example SQLite's <c>8</c> or PostgreSQL's <c>57P01</c>.</param>
    /// <param name="innerException">The provider's exception.</param>
    public DealStoreException(string store, string operation, StoreWriteOutcome outcome, bool isTransient, string? errorCode, Exception innerException)
        : base(MessageOf(store, operation, outcome, isTransient, errorCode), innerException)
    {
        Store = store;
        Operation = operation;
        Outcome = outcome;
        IsTransient = isTransient;
        ErrorCode = errorCode;
    }

    /// <summary>Gets the store, for example <c>SQLite</c> or <c>PostgreSQL</c>.</summary>
    public string Store { get; }

    /// <summary>Gets what the store was doing: <c>save</c>, <c>import</c>, <c>read</c>, <c>feed</c> or <c>schema</c>.</summary>
    public string Operation { get; }

    /// <summary>Gets what the call is known to have written.</summary>
    public StoreWriteOutcome Outcome { get; }

    /// <summary>Gets a value indicating whether the commit is known not to have happened (<see cref="StoreWriteOutcome.NothingWritten"/>).</summary>
    public bool NotCommitted => Outcome == StoreWriteOutcome.NothingWritten;

    /// <summary>Gets a value indicating whether the same call may succeed if repeated.</summary>
    public bool IsTransient { get; }

    /// <summary>Gets the provider's error code, if it gave one.</summary>
    public string? ErrorCode { get; }

    private static string MessageOf(string store, string operation, StoreWriteOutcome outcome, bool isTransient, string? errorCode) =>
        $"The {store} store failed ({operation}{(errorCode is null ? "" : ", error " + errorCode)}); "
        + (outcome == StoreWriteOutcome.Unknown ? "the connection failed during the commit, so the write may or may not be stored: read the deal back before acting. " : "nothing was written. ")
        + (isTransient ? "The failure may pass: the same call may succeed if repeated." : "Repeating the same call is not expected to help; see the inner exception.");
}
