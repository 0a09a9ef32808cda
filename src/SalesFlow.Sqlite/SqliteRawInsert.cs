using Microsoft.Data.Sqlite;
using SalesFlow.Storage.Relational;
using SQLitePCL;

namespace SalesFlow.Sqlite;

// An INSERT compiled on a session's own SQLite handle and bound through SQLitePCL directly, for bulk imports: text as
// UTF-16 (SQLite stores it as the file's UTF-8, as Microsoft.Data.Sqlite's UTF-8 binding does), whole numbers as 64-bit
// integers. Through SqliteCommand each execution makes a data reader and, per value, a binder object and a UTF-8 copy of
// the text: 20 values a deal row, 11 an event row. Errors come back as the SqliteException Microsoft.Data.Sqlite throws
// (result code and extended code), so the store classifies them the same way.
internal sealed class SqliteRawInsert : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int[] _parameters;

    public SqliteRawInsert(SqliteConnection connection, string sql, IReadOnlyList<StoredColumn> columns)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
        if (rc != raw.SQLITE_OK)
        {
            _statement?.Dispose();
            throw Error(rc);
        }

        _parameters = new int[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            _parameters[i] = raw.sqlite3_bind_parameter_index(_statement, SqliteDialect.Instance.Parameter(columns[i].Name));
            if (_parameters[i] == 0)
            {
                _statement.Dispose();
                throw new InvalidOperationException($"The statement has no parameter for the column '{columns[i].Name}'.");
            }
        }
    }

    /// <summary>Inserts one row: <paramref name="values"/> in the columns' order, as the row mapper converts them.</summary>
    public void Execute(object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var rc = Bind(_parameters[i], values[i]);
            if (rc != raw.SQLITE_OK)
            {
                raw.sqlite3_clear_bindings(_statement);
                throw Error(rc);
            }
        }

        var step = raw.sqlite3_step(_statement);
        var failure = step == raw.SQLITE_DONE ? null : Error(step);
        raw.sqlite3_reset(_statement);
        if (failure is not null)
        {
            throw failure;
        }
    }

    public void Dispose() => _statement.Dispose();

    private int Bind(int parameter, object? value) => value switch
    {
        null => raw.sqlite3_bind_null(_statement, parameter),

        // Text with surrogates goes through .NET's UTF-8 encoder, as with Microsoft.Data.Sqlite: half a pair becomes U+FFFD
        // there, where SQLite's own conversion would store bytes that are not UTF-8.
        string text when text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF') => raw.sqlite3_bind_text(_statement, parameter, text),
        string text => raw.sqlite3_bind_text16(_statement, parameter, text.AsSpan()),
        long number => raw.sqlite3_bind_int64(_statement, parameter, number),
        int number => raw.sqlite3_bind_int64(_statement, parameter, number),
        _ => throw new InvalidOperationException($"No SQLite binding for a value of type {value.GetType().Name}."),
    };

    // The message comes from SQLite (sqlite3_errmsg): the store never shows it, it wraps the exception by its codes.
    private SqliteException Error(int rc) => new(raw.sqlite3_errmsg(_db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(_db));
}
