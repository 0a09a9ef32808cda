using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SalesFlow.Storage.Relational;

namespace SalesFlow.Sqlite;

// SQLite keeps the portable representations (UTC ticks, exact amount text, checklist JSON); only its errors differ:
// it reports result codes, not SQLSTATEs.
internal sealed class SqliteDialect : RelationalDialect
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    private SqliteDialect()
        : base('$')
    {
    }

    public static SqliteDialect Instance { get; } = new();

    protected override string? ErrorCodeOf(DbException exception) =>
        exception is SqliteException sqlite ? sqlite.SqliteErrorCode.ToString(CultureInfo.InvariantCulture) : base.ErrorCodeOf(exception);

    public override StoreErrorKind Classify(Exception exception) => exception switch
    {
        // A key taken: another writer won. Other constraints (a host's trigger or check, a commit hook) are failures.
        SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteConstraintPrimaryKey or SqliteConstraintUnique } => StoreErrorKind.Conflict,
        SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked } => StoreErrorKind.Transient,
        _ => base.Classify(exception),
    };
}
