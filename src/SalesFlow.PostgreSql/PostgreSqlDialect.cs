using System.Collections.Immutable;
using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using SalesFlow.Storage.Relational;

namespace SalesFlow.PostgreSql;

// PostgreSQL stores values natively: timestamptz, numeric, text[] and jsonb, so parameters carry their types.
internal sealed class PostgreSqlDialect : RelationalDialect
{
    private PostgreSqlDialect()
        : base('@')
    {
    }

    public static PostgreSqlDialect Instance { get; } = new();

    public static NpgsqlDbType TypeOf(StoredValueKind kind) => kind switch
    {
        StoredValueKind.Text => NpgsqlDbType.Text,
        StoredValueKind.SmallNumber => NpgsqlDbType.Integer,
        StoredValueKind.Number => NpgsqlDbType.Bigint,
        StoredValueKind.Time => NpgsqlDbType.TimestampTz,
        StoredValueKind.Amount => NpgsqlDbType.Numeric,
        StoredValueKind.Checklist => NpgsqlDbType.Array | NpgsqlDbType.Text,
        StoredValueKind.Json => NpgsqlDbType.Jsonb,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown stored value kind."),
    };

    // One typed array per column, for unnest(): Npgsql writes typed arrays, not object[].
    public static object ToArray(StoredValueKind kind, IReadOnlyList<object?[]> rows, int column) => kind switch
    {
        StoredValueKind.Number => rows.Select(r => (long)r[column]!).ToArray(),
        StoredValueKind.Time => rows.Select(r => (DateTimeOffset)r[column]!).ToArray(),
        StoredValueKind.Text or StoredValueKind.Json => rows.Select(r => (string?)r[column]).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an event column kind."),
    };

    public override object ToStoredTime(DateTimeOffset time) => time.ToUniversalTime();

    // timestamptz keeps microseconds: ticks = microseconds since the Unix epoch × 10 + the epoch's ticks.
    public override string TicksOf(string column) => $"((extract(epoch FROM {column}) * 1000000)::bigint * 10 + 621355968000000000)";

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    public override object ToStoredAmount(decimal amount) => amount;

    public override decimal ReadAmount(DbDataReader reader, int ordinal) => reader.GetDecimal(ordinal);

    public override object ToStoredChecklist(ImmutableHashSet<string> items) => items.IsEmpty ? Array.Empty<string>() : items.Order(StringComparer.Ordinal).ToArray();

    public override ImmutableHashSet<string> ReadChecklist(DbDataReader reader, int ordinal) =>
        reader.GetFieldValue<string[]>(ordinal).ToImmutableHashSet(StringComparer.Ordinal);

    public override void SetValue(DbParameter parameter, StoredValueKind kind, object? value)
    {
        ((NpgsqlParameter)parameter).NpgsqlDbType = TypeOf(kind);
        parameter.Value = value ?? DBNull.Value;
    }

    public override StoreErrorKind Classify(Exception exception) => exception switch
    {
        // The server shuts down or restarts, or has no connection slot left: the same write may succeed on another connection.
        PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53300" } => StoreErrorKind.Transient,
        _ => base.Classify(exception),
    };
}
