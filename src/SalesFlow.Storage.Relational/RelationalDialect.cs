using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;

namespace SalesFlow.Storage.Relational;

/// <summary>
/// What one SQL database does its own way: the parameter marker, how times, amounts and checklists are stored,
/// how parameters are typed, and which provider errors mean a conflict or a transient failure. The defaults are
/// portable: times as UTC ticks (a 64-bit integer), amounts as exact invariant text, checklists as JSON text.
/// </summary>
/// <remarks>
/// A store built on this package derives one dialect, overrides what its database stores natively, and hands it
/// to <see cref="DealRowMapper"/>, <see cref="DealQuerySql"/> and <see cref="FeedHandlerTable"/>.
/// </remarks>
public abstract class RelationalDialect
{
    /// <summary>Initializes a new instance of the <see cref="RelationalDialect"/> class.</summary>
    /// <param name="parameterMarker">The character that starts a named parameter in SQL text (<c>@</c>, <c>$</c> or <c>:</c>).</param>
    protected RelationalDialect(char parameterMarker) => ParameterMarker = parameterMarker;

    /// <summary>Gets the character that starts a named parameter in SQL text.</summary>
    public char ParameterMarker { get; }

    /// <summary>Gets a parameter's name as written in SQL text and on the <see cref="DbParameter"/>.</summary>
    /// <param name="name">The bare name, for example <c>id</c>.</param>
    /// <returns>The name with the marker, for example <c>@id</c>.</returns>
    public string Parameter(string name) => ParameterMarker + name;

    /// <summary>Converts an instant to the value stored for it.</summary>
    /// <param name="time">The instant.</param>
    /// <returns>By default its UTC ticks.</returns>
    public virtual object ToStoredTime(DateTimeOffset time) => time.UtcTicks;

    /// <summary>
    /// Gets an SQL expression giving a time column as UTC .NET ticks, a 64-bit integer (the reports compute durations in
    /// ticks in SQL).
    /// </summary>
    /// <param name="column">The (qualified) column, stored by <see cref="ToStoredTime"/>.</param>
    /// <returns>By default the column itself: times stored as ticks.</returns>
    public virtual string TicksOf(string column) => column;

    /// <summary>Reads an instant stored by <see cref="ToStoredTime"/>.</summary>
    /// <param name="reader">The reader on the row.</param>
    /// <param name="ordinal">The column.</param>
    /// <returns>The instant, with offset zero.</returns>
    public virtual DateTimeOffset ReadTime(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new DateTimeOffset(reader.GetInt64(ordinal), TimeSpan.Zero);
    }

    /// <summary>Converts an amount to the value stored for it.</summary>
    /// <param name="amount">The amount.</param>
    /// <returns>By default exact invariant text, which keeps the scale (a floating-point column would round).</returns>
    public virtual object ToStoredAmount(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads an amount stored by <see cref="ToStoredAmount"/>.</summary>
    /// <param name="reader">The reader on the row.</param>
    /// <param name="ordinal">The column.</param>
    /// <returns>The amount.</returns>
    public virtual decimal ReadAmount(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return decimal.Parse(reader.GetString(ordinal), NumberStyles.Number, CultureInfo.InvariantCulture);
    }

    /// <summary>Converts a deal's completed checklist items to the value stored for them.</summary>
    /// <param name="items">The items.</param>
    /// <returns>By default a JSON array of the items in ordinal order.</returns>
    public virtual object ToStoredChecklist(ImmutableHashSet<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return EventPayload.SerializeChecklist(items);
    }

    /// <summary>Reads checklist items stored by <see cref="ToStoredChecklist"/>.</summary>
    /// <param name="reader">The reader on the row.</param>
    /// <param name="ordinal">The column.</param>
    /// <returns>The items.</returns>
    public virtual ImmutableHashSet<string> ReadChecklist(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return EventPayload.DeserializeChecklist(reader.GetString(ordinal));
    }

    /// <summary>
    /// Sets a parameter's value (already converted by this dialect). Override to give the parameter its database
    /// type, for example JSON or an array; the default sets the value only, <see cref="DBNull"/> for <see langword="null"/>.
    /// </summary>
    /// <param name="parameter">The parameter.</param>
    /// <param name="kind">What the value is.</param>
    /// <param name="value">The value, or <see langword="null"/>.</param>
    public virtual void SetValue(DbParameter parameter, StoredValueKind kind, object? value)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        parameter.Value = value ?? DBNull.Value;
    }

    /// <summary>
    /// Wraps a provider exception that is no conflict in the documented <see cref="DealStoreException"/>: the provider's
    /// exception kept inside, its error code in the message (never its text, which may quote values), and whether the
    /// same call may succeed again (<see cref="Classify"/> says <see cref="StoreErrorKind.Transient"/>).
    /// </summary>
    /// <param name="store">The store's name, for example <c>SQLite</c>.</param>
    /// <param name="operation">What the store was doing: <c>save</c>, <c>import</c>, <c>read</c>, <c>feed</c> or <c>schema</c>.</param>
    /// <param name="exception">The provider's exception.</param>
    /// <param name="outcome">What the call is known to have written.</param>
    /// <returns>The exception to throw.</returns>
    public DealStoreException StoreFailure(string store, string operation, DbException exception, StoreWriteOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new DealStoreException(store, operation, outcome, Classify(exception) == StoreErrorKind.Transient, ErrorCodeOf(exception), exception);
    }

    /// <summary>Gets a provider exception's error code for messages; the default is <see cref="DbException.SqlState"/>, else <see cref="System.Runtime.InteropServices.ExternalException.ErrorCode"/>.</summary>
    /// <param name="exception">The provider's exception.</param>
    /// <returns>The code, or <see langword="null"/>.</returns>
    protected virtual string? ErrorCodeOf(DbException exception) =>
        exception?.SqlState ?? exception?.ErrorCode.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Tells what a provider exception means for the write that raised it. The default reads the standard
    /// <see cref="DbException.SqlState"/> (23505, a unique key taken: a conflict, another writer won; the other integrity
    /// constraint violations of class 23, a host's check or foreign key, are failures; 40001 and 40P01,
    /// serialization failure and deadlock, and class 08, connection exception: transient) and
    /// <see cref="DbException.IsTransient"/>.
    /// </summary>
    /// <param name="exception">The exception.</param>
    /// <returns>Whether it is a conflict (another writer won), a transient failure (the same write may succeed again), or a failure.</returns>
    public virtual StoreErrorKind Classify(Exception exception) => exception switch
    {
        DbException { SqlState: "23505" } => StoreErrorKind.Conflict,
        DbException { SqlState: "40001" or "40P01" } => StoreErrorKind.Transient,
        DbException { SqlState: { Length: 5 } state } when state.StartsWith("08", StringComparison.Ordinal) => StoreErrorKind.Transient,
        DbException { IsTransient: true } => StoreErrorKind.Transient,
        TimeoutException => StoreErrorKind.Transient,
        _ => StoreErrorKind.Failure,
    };
}

/// <summary>What a stored value is, so a <see cref="RelationalDialect"/> can type its parameter.</summary>
public enum StoredValueKind
{
    /// <summary>Text (ids, names, stage ids, enum names).</summary>
    Text,

    /// <summary>A 32-bit whole number (pipeline versions).</summary>
    SmallNumber,

    /// <summary>A 64-bit whole number (versions, sequences).</summary>
    Number,

    /// <summary>An instant, as converted by <see cref="RelationalDialect.ToStoredTime"/>.</summary>
    Time,

    /// <summary>An amount, as converted by <see cref="RelationalDialect.ToStoredAmount"/>.</summary>
    Amount,

    /// <summary>Checklist items, as converted by <see cref="RelationalDialect.ToStoredChecklist"/>.</summary>
    Checklist,

    /// <summary>JSON text (deal data, event payloads).</summary>
    Json,
}

/// <summary>What a provider exception means for a store write.</summary>
public enum StoreErrorKind
{
    /// <summary>Anything else: the write failed and retrying the same write is not expected to help.</summary>
    Failure,

    /// <summary>Another writer won (a unique or primary key violation): the write is refused, nothing was saved.</summary>
    Conflict,

    /// <summary>A passing condition (deadlock, serialization failure, lost connection, busy database): the same write may succeed again.</summary>
    Transient,
}
