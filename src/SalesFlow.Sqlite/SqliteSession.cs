using Microsoft.Data.Sqlite;
using SalesFlow.Storage.Relational;

namespace SalesFlow.Sqlite;

// One open connection of a SqliteDealStore with the store's statements compiled on it. The store keeps its
// sessions and reuses them, so a load or save neither opens a connection, nor sets the connection's pragmas,
// nor compiles SQL again. Parameters are created by the first bind and rebound by index afterwards.
internal sealed class SqliteSession : IDisposable
{
    private readonly SqliteCommand?[] _commands = new SqliteCommand?[SqliteStatement.Count];
    private readonly SqliteRawInsert?[] _inserts = new SqliteRawInsert?[SqliteStatement.Count];

    private SqliteSession(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    // False once the connection was closed or broken under the session: it is then disposed, not reused.
    public bool IsReusable => Connection.State == System.Data.ConnectionState.Open && Connection.Handle is not null;

    public static async Task<SqliteSession> OpenAsync(string connectionString, string pragmas, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using (var command = connection.CreateCommand())
            {
                // Per-connection settings, kept for the connection's life.
                command.CommandText = pragmas;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return new SqliteSession(connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The statement's command, compiled on first use, in <paramref name="transaction"/> (or none).</summary>
    public SqliteCommand Command(SqliteStatement statement, SqliteTransaction? transaction)
    {
        var command = _commands[statement.Slot];
        if (command is null)
        {
            command = Connection.CreateCommand();
            command.CommandText = statement.Sql;
            command.Prepare();
            _commands[statement.Slot] = command;
        }

        command.Transaction = transaction;
        return command;
    }

    /// <summary>The INSERT statement compiled for binding through SQLitePCL (bulk imports), on first use.</summary>
    public SqliteRawInsert RawInsert(SqliteStatement statement, IReadOnlyList<StoredColumn> columns) =>
        _inserts[statement.Slot] ??= new SqliteRawInsert(Connection, statement.Sql, columns);

    public void Dispose()
    {
        foreach (var command in _commands)
        {
            command?.Dispose();
        }

        foreach (var insert in _inserts)
        {
            insert?.Dispose();
        }

        Connection.Dispose();
    }
}

// A statement a session keeps compiled. Deal statements bind DealColumns first (DealRowMapper.BindDeal), event
// statements EventColumns. Every statement names the tenant: the deal columns end with $tenant_id, the others bind it last.
internal sealed class SqliteStatement
{
    public const int Count = 8;

    private const string Deals = "salesflow_deals";
    private const string Events = "salesflow_deal_events";

    private static readonly string InsertDealSql =
        "INSERT INTO " + Deals + " (" + DealColumns.List + ") VALUES (" + DealColumns.ParameterList(SqliteDialect.Instance) + ")";

    private SqliteStatement(int slot, string sql)
    {
        Slot = slot;
        Sql = sql;
    }

    public static SqliteStatement SelectDeal { get; } = new(0, "SELECT " + DealColumns.List + " FROM " + Deals + " WHERE tenant_id = $tenant_id AND id = $id");

    public static SqliteStatement InsertDeal { get; } = new(1, InsertDealSql);

    public static SqliteStatement InsertNewDeal { get; } = new(2, InsertDealSql + " ON CONFLICT (tenant_id, id) DO NOTHING");

    // After the deal's columns: $expected_version, $previous_sequence.
    public static SqliteStatement UpdateDeal { get; } = new(
        3,
        "UPDATE " + Deals + " SET " + DealColumns.Assignments(SqliteDialect.Instance) +
        " WHERE tenant_id = $tenant_id AND id = $id AND version = $expected_version AND last_sequence = $previous_sequence");

    public static SqliteStatement InsertEvent { get; } = new(
        4,
        "INSERT INTO " + Events + " (" + EventColumns.List + ") VALUES (" + EventColumns.ParameterList(SqliteDialect.Instance) + ")");

    // $deal_id, $after, $limit, $tenant_id.
    public static SqliteStatement SelectEvents { get; } = new(
        5,
        "SELECT " + EventColumns.List + " FROM " + Events + " WHERE tenant_id = $tenant_id AND deal_id = $deal_id AND sequence > $after ORDER BY sequence LIMIT $limit");

    // $after, $limit, $tenant_id. The position is the event's row id: commit order, as one writer at a time inserts.
    public static SqliteStatement ReadFeed { get; } = new(
        6,
        "SELECT e.position, 0, d.pipeline_id, " + EventColumns.Qualified("e") + " FROM " + Events + " e JOIN " + Deals + " d ON d.tenant_id = e.tenant_id AND d.id = e.deal_id " +
        "WHERE e.tenant_id = $tenant_id AND e.position > $after ORDER BY e.position LIMIT $limit");

    // $deal_id, $idempotency_key, $tenant_id: the unique index on keyed events finds it.
    public static SqliteStatement SelectEventByKey { get; } = new(
        7,
        "SELECT " + EventColumns.List + " FROM " + Events + " WHERE tenant_id = $tenant_id AND deal_id = $deal_id AND idempotency_key = $idempotency_key");

    public int Slot { get; }

    public string Sql { get; }
}
