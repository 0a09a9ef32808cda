using Microsoft.Data.Sqlite;

namespace SalesFlow.Sqlite;

// One open connection of a SqliteDealStore with the store's statements compiled on it. The store keeps its
// sessions and reuses them, so a load or save neither opens a connection, nor sets the connection's pragmas,
// nor compiles SQL again.
internal sealed class SqliteSession : IDisposable
{
    private readonly SqliteCommand?[] _commands = new SqliteCommand?[SqliteStatement.Count];

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
            foreach (var name in statement.Parameters)
            {
                command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
            }

            command.Prepare();
            _commands[statement.Slot] = command;
        }

        command.Transaction = transaction;
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands)
        {
            command?.Dispose();
        }

        Connection.Dispose();
    }
}

// A statement a session keeps compiled, with its parameters in binding order.
internal sealed class SqliteStatement
{
    public const int Count = 6;

    private const string DealColumns =
        "id, pipeline_id, pipeline_version, stage_id, previous_stage_id, version, last_sequence, created_at, updated_at, " +
        "stage_entered_at, last_activity_at, owner, amount, outcome, outcome_reason, next_follow_up_at, checklist, data";

    private const string InsertDealSql =
        "INSERT INTO salesflow_deals (" + DealColumns + ") VALUES ($id, $pipeline_id, $pipeline_version, $stage_id, " +
        "$previous_stage_id, $version, $last_sequence, $created_at, $updated_at, $stage_entered_at, $last_activity_at, " +
        "$owner, $amount, $outcome, $outcome_reason, $next_follow_up_at, $checklist, $data)";

    // The deal parameters in the order SqliteDealStore binds them (the order of DealColumns).
    private static readonly string[] DealParameters =
    [
        "$id", "$pipeline_id", "$pipeline_version", "$stage_id", "$previous_stage_id", "$version", "$last_sequence", "$created_at",
        "$updated_at", "$stage_entered_at", "$last_activity_at", "$owner", "$amount", "$outcome", "$outcome_reason",
        "$next_follow_up_at", "$checklist", "$data",
    ];

    private SqliteStatement(int slot, string sql, string[] parameters)
    {
        Slot = slot;
        Sql = sql;
        Parameters = parameters;
    }

    /// <summary>The deal columns, in the order <see cref="SelectDeal"/> and the deal statements use.</summary>
    public static string Columns => DealColumns;

    public static SqliteStatement SelectDeal { get; } = new(0, "SELECT " + DealColumns + " FROM salesflow_deals WHERE id = $id", ["$id"]);

    public static SqliteStatement InsertDeal { get; } = new(1, InsertDealSql, DealParameters);

    public static SqliteStatement InsertNewDeal { get; } = new(2, InsertDealSql + " ON CONFLICT (id) DO NOTHING", DealParameters);

    // Then $expected_version and $previous_sequence.
    public static SqliteStatement UpdateDeal { get; } = new(
        3,
        "UPDATE salesflow_deals SET pipeline_id = $pipeline_id, pipeline_version = $pipeline_version, stage_id = $stage_id, " +
        "previous_stage_id = $previous_stage_id, version = $version, last_sequence = $last_sequence, created_at = $created_at, " +
        "updated_at = $updated_at, stage_entered_at = $stage_entered_at, last_activity_at = $last_activity_at, owner = $owner, " +
        "amount = $amount, outcome = $outcome, outcome_reason = $outcome_reason, next_follow_up_at = $next_follow_up_at, " +
        "checklist = $checklist, data = $data " +
        "WHERE id = $id AND version = $expected_version AND last_sequence = $previous_sequence",
        [.. DealParameters, "$expected_version", "$previous_sequence"]);

    public static SqliteStatement InsertEvent { get; } = new(
        4,
        "INSERT INTO salesflow_deal_events (deal_id, sequence, kind, occurred_at, actor, trigger, from_stage, to_stage, payload) " +
        "VALUES ($deal_id, $sequence, $kind, $occurred_at, $actor, $trigger, $from_stage, $to_stage, $payload)",
        ["$deal_id", "$sequence", "$kind", "$occurred_at", "$actor", "$trigger", "$from_stage", "$to_stage", "$payload"]);

    public static SqliteStatement SelectEvents { get; } = new(
        5,
        "SELECT sequence, kind, occurred_at, actor, trigger, from_stage, to_stage, payload FROM salesflow_deal_events " +
        "WHERE deal_id = $deal_id AND sequence > $after ORDER BY sequence LIMIT $limit",
        ["$deal_id", "$after", "$limit"]);

    public int Slot { get; }

    public string Sql { get; }

    public IReadOnlyList<string> Parameters { get; }
}
