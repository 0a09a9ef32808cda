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
    // Sessions kept idle for reuse beyond the writer's; more concurrent readers open (and close) their own.
    private static readonly int MaxIdleSessions = Math.Max(4, Environment.ProcessorCount * 2);

    private readonly PipelineRegistry _pipelines;
    private readonly string _connectionString;
    private readonly string _connectionPragmas;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly RunOnce _schema = new();
    private readonly Stack<SqliteSession> _idleSessions = new();
    private readonly DealDataCache _data = new();
    private SqliteSession? _writer;
    private bool _disposed;

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
    public ValueTask EnsureSchemaAsync(CancellationToken cancellationToken = default) =>
        _schema.Done ? ValueTask.CompletedTask : _schema.RunAsync(MigrateAsync, cancellationToken);

    private async ValueTask MigrateAsync(CancellationToken cancellationToken)
    {
        using (var session = await OpenSessionAsync(cancellationToken).ConfigureAwait(false))
        {
            var connection = session.Connection;
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
    }

    /// <inheritdoc/>
    public async ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);

        // When no write is running, read on the writer's connection: its page cache holds what it wrote, where
        // another connection would have to drop its cache after every write and read the pages again.
        if (_writeGate.Wait(0, CancellationToken.None))
        {
            try
            {
                var writer = _writer ??= await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    return await ReadDealAsync(writer, null, dealId, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    _writer = null;
                    writer.Dispose();
                    throw;
                }
            }
            finally
            {
                _writeGate.Release();
            }
        }

        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var deal = await ReadDealAsync(session, null, dealId, cancellationToken).ConfigureAwait(false);
            Return(session);
            return deal;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TrySaveAsync(Deal deal, long expectedVersion, IReadOnlyList<DealEvent> events, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateSave(deal, expectedVersion, events);
        cancellationToken.ThrowIfCancellationRequested();
        var pipeline = _pipelines.Get(deal.PipelineId, deal.PipelineVersion);
        var data = _data.Serialize(pipeline, deal.Data);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);

        // SQLite has one writer at a time: writers of this store queue here rather than polling the file lock.
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var session = _writer ??= await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
            bool saved;
            try
            {
                saved = await SaveAsync(session, deal, expectedVersion, events, data, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // The connection may be broken or mid-transaction: the next write opens a fresh one.
                _writer = null;
                session.Dispose();
                throw;
            }

            if (saved)
            {
                _data.Saved(pipeline, deal.Id, data, deal.Data);
            }

            return saved;
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
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var command = session.Command(SqliteStatement.SelectEvents, null);
            var p = command.Parameters;
            p[0].Value = dealId;
            p[1].Value = afterSequence;
            p[2].Value = limit ?? -1;
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
                        reader.GetNullableString(4),
                        reader.GetNullableString(5),
                        reader.GetString(6)));
                }
            }

            Return(session);
            return events;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateQuery(query);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            DealPage page;

            // The command is disposed before the session goes back to the pool: a connection serves one thread at a time.
            var command = session.Connection.CreateCommand();
            try
            {
                var sql = new StringBuilder("SELECT " + SqliteStatement.Columns + " FROM salesflow_deals WHERE 1 = 1");
                DealQuerySql.AppendFilters(sql, command, query, '$', static t => t.UtcTicks);
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

                page = DealQuerySql.ToPage(deals, query);
            }
            finally
            {
                command.Dispose();
            }

            Return(session);
            return page;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateImport(batch);
        cancellationToken.ThrowIfCancellationRequested();
        var data = StoreRows.SerializeImportData(_pipelines, batch);
        if (batch.Count == 0)
        {
            return;
        }

        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var session = _writer ??= await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await ImportBatchAsync(session, batch, data, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _writer = null;
                session.Dispose();
                throw;
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
        lock (_idleSessions)
        {
            _disposed = true;
            while (_idleSessions.TryPop(out var session))
            {
                session.Dispose();
            }
        }

        Interlocked.Exchange(ref _writer, null)?.Dispose();
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeGate.Dispose();
        _schema.Dispose();
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

    private static async Task ImportBatchAsync(SqliteSession session, IReadOnlyList<DealImport> batch, string[] data, CancellationToken cancellationToken)
    {
        var transaction = session.Connection.BeginTransaction(deferred: false);
        await using (transaction.ConfigureAwait(false))
        {
            var existing = new List<string>();
            using (var exists = session.Connection.CreateCommand())
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

            var insert = session.Command(SqliteStatement.InsertDeal, transaction);
            for (var i = 0; i < batch.Count; i++)
            {
                BindDeal(insert, batch[i].Deal, data[i]);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await InsertEventsAsync(session, transaction, batch[i].Events, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Binds the deal parameters in SqliteStatement's order (the order of its deal columns).
    private static void BindDeal(SqliteCommand command, Deal deal, string data)
    {
        var p = command.Parameters;
        p[0].Value = deal.Id;
        p[1].Value = deal.PipelineId;
        p[2].Value = deal.PipelineVersion;
        p[3].Value = deal.StageId;
        p[4].Value = (object?)deal.PreviousStageId ?? DBNull.Value;
        p[5].Value = deal.Version;
        p[6].Value = deal.LastSequence;
        p[7].Value = deal.CreatedAt.UtcTicks;
        p[8].Value = deal.UpdatedAt.UtcTicks;
        p[9].Value = deal.StageEnteredAt.UtcTicks;
        p[10].Value = deal.LastActivityAt.UtcTicks;
        p[11].Value = (object?)deal.Owner ?? DBNull.Value;

        // Amounts are kept as exact decimal text (a REAL would round, a numeric affinity would convert).
        p[12].Value = deal.Amount is { } amount ? amount.ToString(CultureInfo.InvariantCulture) : DBNull.Value;
        p[13].Value = StoredEnums.ToText(deal.Outcome);
        p[14].Value = (object?)deal.OutcomeReason ?? DBNull.Value;
        p[15].Value = deal.NextFollowUpAt is { } due ? due.UtcTicks : DBNull.Value;
        p[16].Value = EventPayload.SerializeChecklist(deal.CompletedChecklistItems);
        p[17].Value = data;
    }

    private static async Task InsertEventsAsync(SqliteSession session, SqliteTransaction transaction, IReadOnlyList<DealEvent> events, CancellationToken cancellationToken)
    {
        var command = session.Command(SqliteStatement.InsertEvent, transaction);
        var p = command.Parameters;
        foreach (var e in events)
        {
            p[0].Value = e.DealId;
            p[1].Value = e.Sequence;
            p[2].Value = StoredEnums.ToText(e.Kind);
            p[3].Value = e.Timestamp.UtcTicks;
            p[4].Value = e.Actor;
            p[5].Value = (object?)e.Trigger ?? DBNull.Value;
            p[6].Value = (object?)e.FromStage ?? DBNull.Value;
            p[7].Value = e.ToStage;
            p[8].Value = EventPayload.Serialize(e);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static DateTimeOffset FromTicks(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    private async Task<Deal?> ReadDealAsync(SqliteSession session, SqliteTransaction? transaction, string dealId, CancellationToken cancellationToken)
    {
        var command = session.Command(SqliteStatement.SelectDeal, transaction);
        command.Parameters[0].Value = dealId;
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadDeal(reader) : null;
        }
    }

    private async Task<bool> SaveAsync(SqliteSession session, Deal deal, long expectedVersion, IReadOnlyList<DealEvent> events, string data, CancellationToken cancellationToken)
    {
        var transaction = session.Connection.BeginTransaction(deferred: false);
        await using (transaction.ConfigureAwait(false))
        {
            if (expectedVersion == 0)
            {
                var insert = session.Command(SqliteStatement.InsertNewDeal, transaction);
                BindDeal(insert, deal, data);
                if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    return false;
                }
            }
            else
            {
                var update = session.Command(SqliteStatement.UpdateDeal, transaction);
                BindDeal(update, deal, data);
                update.Parameters[18].Value = expectedVersion;
                update.Parameters[19].Value = events[0].Sequence - 1;
                if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    var stored = await ReadDealAsync(session, transaction, deal.Id, cancellationToken).ConfigureAwait(false);
                    if (stored is not null && stored.Version == expectedVersion)
                    {
                        // The version matches, so the events must be what does not fit: this throws.
                        DealStoreChecks.ValidateSequence(stored, events);
                    }

                    return false;
                }
            }

            await InsertEventsAsync(session, transaction, events, cancellationToken).ConfigureAwait(false);
            if (BeforeCommit is { } beforeCommit)
            {
                await beforeCommit(session.Connection, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
    }

    private Task<SqliteSession> OpenSessionAsync(CancellationToken cancellationToken) =>
        SqliteSession.OpenAsync(_connectionString, _connectionPragmas, cancellationToken);

    private ValueTask<SqliteSession> RentAsync(CancellationToken cancellationToken)
    {
        lock (_idleSessions)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idleSessions.TryPop(out var session))
            {
                return new(session);
            }
        }

        return new(OpenSessionAsync(cancellationToken));
    }

    private void Return(SqliteSession session)
    {
        lock (_idleSessions)
        {
            if (!_disposed && session.IsReusable && _idleSessions.Count < MaxIdleSessions)
            {
                _idleSessions.Push(session);
                return;
            }
        }

        session.Dispose();
    }

    private Deal ReadDeal(SqliteDataReader reader)
    {
        var pipelineId = reader.GetString(1);
        var pipelineVersion = reader.GetInt32(2);
        var id = reader.GetString(0);
        return new Deal
        {
            Id = id,
            PipelineId = pipelineId,
            PipelineVersion = pipelineVersion,
            StageId = reader.GetString(3),
            PreviousStageId = reader.GetNullableString(4),
            Version = reader.GetInt64(5),
            LastSequence = reader.GetInt64(6),
            CreatedAt = FromTicks(reader.GetInt64(7)),
            UpdatedAt = FromTicks(reader.GetInt64(8)),
            StageEnteredAt = FromTicks(reader.GetInt64(9)),
            LastActivityAt = FromTicks(reader.GetInt64(10)),
            Owner = reader.GetNullableString(11),
            Amount = reader.IsDBNull(12) ? null : decimal.Parse(reader.GetString(12), NumberStyles.Number, CultureInfo.InvariantCulture),
            Outcome = StoredEnums.ParseStageKind(reader.GetString(13)),
            OutcomeReason = reader.GetNullableString(14),
            NextFollowUpAt = reader.IsDBNull(15) ? null : FromTicks(reader.GetInt64(15)),
            CompletedChecklistItems = EventPayload.DeserializeChecklist(reader.GetString(16)),
            Data = _data.Deserialize(_pipelines.Get(pipelineId, pipelineVersion), id, reader.GetString(17)),
        };
    }
}
