using System.Data;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SalesFlow.Storage.Internal;

namespace SalesFlow.Sqlite;

/// <summary>
/// A deal store in one SQLite file: the embedded default. The store creates and upgrades its own
/// schema (tables <c>salesflow_deals</c>, <c>salesflow_deal_events</c> and <c>salesflow_schema_version</c>),
/// runs the file in WAL mode, and applies optimistic concurrency: a save under a stale expected version
/// returns <see langword="false"/> and never overwrites.
/// </summary>
/// <remarks>
/// <para>
/// Every save is one <c>BEGIN IMMEDIATE</c> transaction that checks the expected version, updates the deal
/// row and appends the events; the events' primary key (<c>deal_id</c>, <c>sequence</c>) makes a duplicate
/// sequence impossible. <c>BEGIN IMMEDIATE</c> takes SQLite's write lock up front, so writers in other
/// store objects or processes wait for it (up to <see cref="SqliteDealStoreOptions.BusyTimeout"/>) instead of
/// failing mid-transaction; writers that share one store object queue without polling.
/// </para>
/// <para>
/// Timestamps are stored as UTC ticks: they round-trip exactly as instants and come back with offset
/// zero. Deal data is stored as JSON written by <see cref="PipelineDefinition.SerializeData"/>, so every
/// pipeline (and version) of a stored deal must be registered in the <see cref="PipelineRegistry"/>.
/// </para>
/// </remarks>
public sealed class SqliteDealStore : IDealStore, IDisposable, IAsyncDisposable
{
    private const string DealColumns =
        "id, pipeline_id, pipeline_version, stage_id, previous_stage_id, version, last_sequence, created_at, updated_at, " +
        "stage_entered_at, last_activity_at, owner, amount, outcome, outcome_reason, next_follow_up_at, checklist, data";

    private const string InsertDealSql =
        "INSERT INTO salesflow_deals (" + DealColumns + ") VALUES ($id, $pipeline_id, $pipeline_version, $stage_id, " +
        "$previous_stage_id, $version, $last_sequence, $created_at, $updated_at, $stage_entered_at, $last_activity_at, " +
        "$owner, $amount, $outcome, $outcome_reason, $next_follow_up_at, $checklist, $data)";

    private const string UpdateDealSql =
        "UPDATE salesflow_deals SET pipeline_id = $pipeline_id, pipeline_version = $pipeline_version, stage_id = $stage_id, " +
        "previous_stage_id = $previous_stage_id, version = $version, last_sequence = $last_sequence, created_at = $created_at, " +
        "updated_at = $updated_at, stage_entered_at = $stage_entered_at, last_activity_at = $last_activity_at, owner = $owner, " +
        "amount = $amount, outcome = $outcome, outcome_reason = $outcome_reason, next_follow_up_at = $next_follow_up_at, " +
        "checklist = $checklist, data = $data " +
        "WHERE id = $id AND version = $expected_version AND last_sequence = $previous_sequence";

    private const string InsertEventSql =
        "INSERT INTO salesflow_deal_events (deal_id, sequence, kind, occurred_at, actor, trigger, from_stage, to_stage, payload) " +
        "VALUES ($deal_id, $sequence, $kind, $occurred_at, $actor, $trigger, $from_stage, $to_stage, $payload)";

    private const string SelectDealSql = "SELECT " + DealColumns + " FROM salesflow_deals WHERE id = $id";

    private readonly PipelineRegistry _pipelines;
    private readonly string _connectionString;
    private readonly string _connectionPragmas;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile bool _schemaReady;

    /// <summary>Initializes a new instance of the <see cref="SqliteDealStore"/> class.</summary>
    /// <param name="pipelines">The pipelines of the stored deals; used to read and write each deal's data as JSON.</param>
    /// <param name="options">The database file or connection string.</param>
    /// <exception cref="ArgumentException">The options name no file, name both a file and a connection string, or name an in-memory database.</exception>
    public SqliteDealStore(PipelineRegistry pipelines, SqliteDealStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(options);
        var builder = BuildConnectionString(options);
        _pipelines = pipelines;
        _connectionString = builder.ConnectionString;
        DataSource = builder.DataSource;
        var busyMilliseconds = (long)options.BusyTimeout.TotalMilliseconds;
        _connectionPragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {busyMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");
    }

    /// <summary>Gets the schema version this store creates and reads.</summary>
    public static int SchemaVersion => SqliteSchema.CurrentVersion;

    /// <summary>Gets the path of the database file.</summary>
    public string DataSource { get; }

    // Test seam: runs inside the save transaction just before it commits.
    internal Func<SqliteConnection, CancellationToken, Task>? BeforeCommit { get; set; }

    /// <summary>
    /// Creates the database file and schema, or upgrades an older schema, if needed. Every other member
    /// does this on first use; call it at startup to fail early.
    /// </summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    /// <exception cref="InvalidOperationException">The file holds a newer schema than this package knows.</exception>
    public async ValueTask EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        if (_schemaReady)
        {
            return;
        }

        await _schemaGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                // WAL is a property of the file; it cannot be switched inside a transaction.
                await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
                var transaction = connection.BeginTransaction(deferred: false);
                await using (transaction.ConfigureAwait(false))
                {
                    await ExecuteAsync(
                        connection,
                        transaction,
                        "CREATE TABLE IF NOT EXISTS " + SqliteSchema.VersionTable + " (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL)",
                        cancellationToken).ConfigureAwait(false);
                    var current = await ReadSchemaVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                    if (current > SqliteSchema.CurrentVersion)
                    {
                        throw new InvalidOperationException(
                            $"The SalesFlow schema in '{DataSource}' is version {current}, newer than this SalesFlow.Sqlite supports ({SqliteSchema.CurrentVersion}). Upgrade the SalesFlow.Sqlite package.");
                    }

                    for (var version = current + 1; version <= SqliteSchema.CurrentVersion; version++)
                    {
                        await ExecuteAsync(connection, transaction, SqliteSchema.Migrations[version - 1], cancellationToken).ConfigureAwait(false);
                        using var record = connection.CreateCommand();
                        record.Transaction = transaction;
                        record.CommandText = "INSERT INTO " + SqliteSchema.VersionTable + " (version, applied_at) VALUES ($version, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
                        record.Parameters.AddWithValue("$version", version);
                        await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            _schemaReady = true;
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadDealAsync(connection, null, dealId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TrySaveAsync(Deal deal, long expectedVersion, IReadOnlyList<DealEvent> events, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateSave(deal, expectedVersion, events);
        cancellationToken.ThrowIfCancellationRequested();
        var data = _pipelines.Get(deal.PipelineId, deal.PipelineVersion).SerializeData(deal.Data);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);

        // SQLite has one writer at a time: writers of this store queue here rather than polling the file lock.
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = connection.BeginTransaction(deferred: false);
                await using (transaction.ConfigureAwait(false))
                {
                    if (expectedVersion == 0)
                    {
                        using var insert = CreateDealCommand(connection, transaction, InsertDealSql + " ON CONFLICT (id) DO NOTHING", deal, data);
                        if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                        {
                            return false;
                        }
                    }
                    else
                    {
                        using var update = CreateDealCommand(connection, transaction, UpdateDealSql, deal, data);
                        update.Parameters.AddWithValue("$expected_version", expectedVersion);
                        update.Parameters.AddWithValue("$previous_sequence", events[0].Sequence - 1);
                        if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                        {
                            var stored = await ReadDealAsync(connection, transaction, deal.Id, cancellationToken).ConfigureAwait(false);
                            if (stored is not null && stored.Version == expectedVersion)
                            {
                                // The version matches, so the events must be what does not fit: this throws.
                                DealStoreChecks.ValidateSequence(stored, events);
                            }

                            return false;
                        }
                    }

                    await InsertEventsAsync(connection, transaction, events, cancellationToken).ConfigureAwait(false);
                    if (BeforeCommit is { } beforeCommit)
                    {
                        await beforeCommit(connection, cancellationToken).ConfigureAwait(false);
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        DealStoreChecks.ValidatePage(afterSequence, limit);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText =
                "SELECT sequence, kind, occurred_at, actor, trigger, from_stage, to_stage, payload FROM salesflow_deal_events " +
                "WHERE deal_id = $deal_id AND sequence > $after ORDER BY sequence LIMIT $limit";
            command.Parameters.AddWithValue("$deal_id", dealId);
            command.Parameters.AddWithValue("$after", afterSequence);
            command.Parameters.AddWithValue("$limit", limit ?? -1);
            var events = new List<DealEvent>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    events.Add(EventPayload.ToEvent(
                        reader.GetString(7),
                        dealId,
                        reader.GetInt64(0),
                        StoredEnums.ParseEventKind(reader.GetString(1)),
                        FromTicks(reader.GetInt64(2)),
                        reader.GetString(3),
                        GetNullableString(reader, 4),
                        GetNullableString(reader, 5),
                        reader.GetString(6)));
                }
            }

            return events;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateQuery(query);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            var sql = new StringBuilder("SELECT " + DealColumns + " FROM salesflow_deals WHERE 1 = 1");
            if (query.PipelineId is not null)
            {
                sql.Append(" AND pipeline_id = $pipeline_id");
                command.Parameters.AddWithValue("$pipeline_id", query.PipelineId);
            }

            if (query.StageId is not null)
            {
                sql.Append(" AND stage_id = $stage_id");
                command.Parameters.AddWithValue("$stage_id", query.StageId);
            }

            if (query.FollowUpDueAtOrBefore is { } due)
            {
                sql.Append(" AND next_follow_up_at IS NOT NULL AND next_follow_up_at <= $due");
                command.Parameters.AddWithValue("$due", due.UtcTicks);
            }

            if (query.IdleSince is { } idle)
            {
                sql.Append(" AND last_activity_at < $idle");
                command.Parameters.AddWithValue("$idle", idle.UtcTicks);
            }

            if (query.AfterDealId is not null)
            {
                sql.Append(" AND id > $after");
                command.Parameters.AddWithValue("$after", query.AfterDealId);
            }

            // One row more than the page tells whether another page follows.
            sql.Append(" ORDER BY id LIMIT $limit");
            command.Parameters.AddWithValue("$limit", query.Limit + 1);
            command.CommandText = sql.ToString();

            var deals = new List<Deal>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    deals.Add(ReadDeal(reader));
                }
            }

            var hasMore = deals.Count > query.Limit;
            if (hasMore)
            {
                deals.RemoveAt(deals.Count - 1);
            }

            return new DealPage(deals, hasMore ? deals[^1].Id : null);
        }
    }

    /// <inheritdoc/>
    public async ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateImport(batch);
        cancellationToken.ThrowIfCancellationRequested();
        var data = SerializeImportData(batch);
        if (batch.Count == 0)
        {
            return;
        }

        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = connection.BeginTransaction(deferred: false);
                await using (transaction.ConfigureAwait(false))
                {
                    var existing = new List<string>();
                    using (var exists = connection.CreateCommand())
                    {
                        exists.Transaction = transaction;
                        exists.CommandText = "SELECT 1 FROM salesflow_deals WHERE id = $id";
                        var id = exists.Parameters.Add("$id", SqliteType.Text);
                        foreach (var item in batch)
                        {
                            id.Value = item.Deal.Id;
                            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
                            {
                                existing.Add($"Deal '{item.Deal.Id}' already exists.");
                            }
                        }
                    }

                    if (existing.Count > 0)
                    {
                        throw new DealImportException(existing);
                    }

                    for (var i = 0; i < batch.Count; i++)
                    {
                        using (var insert = CreateDealCommand(connection, transaction, InsertDealSql, batch[i].Deal, data[i]))
                        {
                            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        }

                        await InsertEventsAsync(connection, transaction, batch[i].Events, cancellationToken).ConfigureAwait(false);
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Releases the store's pooled connections, so the database file is closed.</summary>
    public void Dispose()
    {
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeGate.Dispose();
        _schemaGate.Dispose();
    }

    /// <summary>Releases the store's pooled connections, so the database file is closed.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static SqliteConnectionStringBuilder BuildConnectionString(SqliteDealStoreOptions options)
    {
        if (options.BusyTimeout < TimeSpan.Zero || options.BusyTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentException("SqliteDealStoreOptions.BusyTimeout must be between zero and about 24 days.", nameof(options));
        }

        SqliteConnectionStringBuilder builder;
        if (options.ConnectionString is not null)
        {
            if (options.DataSource is not null)
            {
                throw new ArgumentException("Set either SqliteDealStoreOptions.DataSource or SqliteDealStoreOptions.ConnectionString, not both.", nameof(options));
            }

            builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        }
        else if (!string.IsNullOrWhiteSpace(options.DataSource))
        {
            builder = new SqliteConnectionStringBuilder { DataSource = options.DataSource };
        }
        else
        {
            throw new ArgumentException("Set SqliteDealStoreOptions.DataSource to the database file's path (or ConnectionString).", nameof(options));
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource)
            || builder.Mode == SqliteOpenMode.Memory
            || string.Equals(builder.DataSource, ":memory:", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("SqliteDealStore needs a database file; for a store in memory use InMemoryDealStore.", nameof(options));
        }

        builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds));
        return builder;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ReadSchemaVersionAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM " + SqliteSchema.VersionTable;
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static SqliteCommand CreateDealCommand(SqliteConnection connection, SqliteTransaction transaction, string sql, Deal deal, string data)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        var p = command.Parameters;
        p.AddWithValue("$id", deal.Id);
        p.AddWithValue("$pipeline_id", deal.PipelineId);
        p.AddWithValue("$pipeline_version", deal.PipelineVersion);
        p.AddWithValue("$stage_id", deal.StageId);
        p.AddWithValue("$previous_stage_id", (object?)deal.PreviousStageId ?? DBNull.Value);
        p.AddWithValue("$version", deal.Version);
        p.AddWithValue("$last_sequence", deal.LastSequence);
        p.AddWithValue("$created_at", deal.CreatedAt.UtcTicks);
        p.AddWithValue("$updated_at", deal.UpdatedAt.UtcTicks);
        p.AddWithValue("$stage_entered_at", deal.StageEnteredAt.UtcTicks);
        p.AddWithValue("$last_activity_at", deal.LastActivityAt.UtcTicks);
        p.AddWithValue("$owner", (object?)deal.Owner ?? DBNull.Value);

        // Amounts are kept as exact decimal text (a REAL would round, a numeric affinity would convert).
        p.AddWithValue("$amount", deal.Amount is { } amount ? amount.ToString(CultureInfo.InvariantCulture) : DBNull.Value);
        p.AddWithValue("$outcome", StoredEnums.ToText(deal.Outcome));
        p.AddWithValue("$outcome_reason", (object?)deal.OutcomeReason ?? DBNull.Value);
        p.AddWithValue("$next_follow_up_at", deal.NextFollowUpAt is { } due ? due.UtcTicks : DBNull.Value);
        p.AddWithValue("$checklist", EventPayload.SerializeChecklist(deal.CompletedChecklistItems));
        p.AddWithValue("$data", data);
        return command;
    }

    private static async Task InsertEventsAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<DealEvent> events, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertEventSql;
        var dealId = command.Parameters.Add("$deal_id", SqliteType.Text);
        var sequence = command.Parameters.Add("$sequence", SqliteType.Integer);
        var kind = command.Parameters.Add("$kind", SqliteType.Text);
        var occurredAt = command.Parameters.Add("$occurred_at", SqliteType.Integer);
        var actor = command.Parameters.Add("$actor", SqliteType.Text);
        var trigger = command.Parameters.Add("$trigger", SqliteType.Text);
        var fromStage = command.Parameters.Add("$from_stage", SqliteType.Text);
        var toStage = command.Parameters.Add("$to_stage", SqliteType.Text);
        var payload = command.Parameters.Add("$payload", SqliteType.Text);
        foreach (var e in events)
        {
            dealId.Value = e.DealId;
            sequence.Value = e.Sequence;
            kind.Value = StoredEnums.ToText(e.Kind);
            occurredAt.Value = e.Timestamp.UtcTicks;
            actor.Value = e.Actor;
            trigger.Value = (object?)e.Trigger ?? DBNull.Value;
            fromStage.Value = (object?)e.FromStage ?? DBNull.Value;
            toStage.Value = e.ToStage;
            payload.Value = EventPayload.Serialize(e);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static DateTimeOffset FromTicks(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    private static string? GetNullableString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // Per-connection settings; pooled connections keep them, and setting them again costs no I/O.
            await ExecuteAsync(connection, null, _connectionPragmas, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<Deal?> ReadDealAsync(SqliteConnection connection, SqliteTransaction? transaction, string dealId, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SelectDealSql;
        command.Parameters.AddWithValue("$id", dealId);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadDeal(reader) : null;
        }
    }

    private Deal ReadDeal(SqliteDataReader reader)
    {
        var pipelineId = reader.GetString(1);
        var pipelineVersion = reader.GetInt32(2);
        return new Deal
        {
            Id = reader.GetString(0),
            PipelineId = pipelineId,
            PipelineVersion = pipelineVersion,
            StageId = reader.GetString(3),
            PreviousStageId = GetNullableString(reader, 4),
            Version = reader.GetInt64(5),
            LastSequence = reader.GetInt64(6),
            CreatedAt = FromTicks(reader.GetInt64(7)),
            UpdatedAt = FromTicks(reader.GetInt64(8)),
            StageEnteredAt = FromTicks(reader.GetInt64(9)),
            LastActivityAt = FromTicks(reader.GetInt64(10)),
            Owner = GetNullableString(reader, 11),
            Amount = reader.IsDBNull(12) ? null : decimal.Parse(reader.GetString(12), NumberStyles.Number, CultureInfo.InvariantCulture),
            Outcome = StoredEnums.ParseStageKind(reader.GetString(13)),
            OutcomeReason = GetNullableString(reader, 14),
            NextFollowUpAt = reader.IsDBNull(15) ? null : FromTicks(reader.GetInt64(15)),
            CompletedChecklistItems = EventPayload.DeserializeChecklist(reader.GetString(16)),
            Data = _pipelines.Get(pipelineId, pipelineVersion).DeserializeData(reader.GetString(17)),
        };
    }

    private string[] SerializeImportData(IReadOnlyList<DealImport> batch)
    {
        var data = new string[batch.Count];
        var problems = new List<string>();
        for (var i = 0; i < batch.Count; i++)
        {
            var deal = batch[i].Deal;
            if (_pipelines.TryGet(deal.PipelineId, deal.PipelineVersion, out var pipeline))
            {
                data[i] = pipeline.SerializeData(deal.Data);
            }
            else
            {
                problems.Add($"Deal '{deal.Id}' runs on pipeline '{deal.PipelineId}' v{deal.PipelineVersion}, which is not registered.");
            }
        }

        return problems.Count > 0 ? throw new DealImportException(problems) : data;
    }
}
