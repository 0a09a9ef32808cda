using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SalesFlow.Storage.Relational;

namespace SalesFlow.Sqlite;

/// <summary>
/// A deal store in one SQLite file: the embedded default. The store creates and upgrades its own schema (tables
/// <c>salesflow_deals</c>, <c>salesflow_deal_events</c>, <c>salesflow_feed_handlers</c> and
/// <c>salesflow_schema_version</c>), runs the file in WAL mode, and applies optimistic concurrency: a save under a
/// stale expected version returns <see langword="false"/> and never overwrites. It is also the event feed of its file
/// (<see cref="IEventFeedStore"/>).
/// </summary>
/// <remarks>
/// <para>
/// Every save is one <c>BEGIN IMMEDIATE</c> transaction that checks the expected versions, updates or inserts the deal
/// rows and appends the events; the events' unique key (<c>deal_id</c>, <c>sequence</c>) makes a duplicate sequence
/// impossible. Writers of one process, in every store object on the same file, queue asynchronously for the file
/// before they take SQLite's write lock, so no thread waits for a writer of the same process; only writers of other
/// processes are waited for inside SQLite, up to <see cref="SqliteDealStoreOptions.BusyTimeout"/>.
/// </para>
/// <para>
/// Timestamps are stored as UTC ticks: they round-trip exactly as instants and come back with offset
/// zero. Deal data is stored as JSON written by <see cref="PipelineDefinition.SerializeData"/>, so every
/// pipeline (and version) of a stored deal must be registered in the <see cref="PipelineRegistry"/>.
/// Event-feed positions are the events' row ids (commit order, one writer at a time); leases expire by
/// <see cref="SqliteDealStoreOptions.TimeProvider"/>.
/// </para>
/// </remarks>
public sealed class SqliteDealStore : IDealStore, IEventFeedStore, IDisposable, IAsyncDisposable
{
    // Sessions kept idle for reuse beyond the writer's; more concurrent readers open (and close) their own.
    private static readonly int MaxIdleSessions = Math.Max(4, Environment.ProcessorCount * 2);

    // One writer gate per database file for the whole process: store objects on one file queue here, asynchronously.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> FileGates = new(StringComparer.Ordinal);

    // Leases expire by the store's TimeProvider: SQLite has no clock of its own a test could control.
    private static readonly FeedHandlerTable Handlers = new(SqliteDialect.Instance, "salesflow_feed_handlers");

    private readonly DealRowMapper _rows;
    private readonly PipelineRegistry _pipelines;
    private readonly string _connectionString;
    private readonly string _connectionPragmas;
    private readonly SemaphoreSlim _writeGate;
    private readonly TimeProvider _time;
    private static readonly StoredColumn TenantColumn = new("tenant_id", StoredValueKind.Text);

    private readonly RunOnce _schema;

    // The connections of the file, shared by the store the host created and its tenants' stores.
    private readonly Sessions _sessions;
    private readonly bool _isTenantView;

    /// <summary>Initializes a new instance of the <see cref="SqliteDealStore"/> class.</summary>
    /// <param name="pipelines">The pipelines of the stored deals; used to read and write each deal's data as JSON.</param>
    /// <param name="options">The database file or connection string.</param>
    /// <exception cref="ArgumentException">The options name no file, name both a file and a connection string, or name an in-memory database.</exception>
    public SqliteDealStore(PipelineRegistry pipelines, SqliteDealStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        var builder = options.ToConnectionStringBuilder();
        _rows = new DealRowMapper(pipelines, SqliteDialect.Instance);
        _pipelines = pipelines;
        _connectionString = builder.ConnectionString;
        _time = options.TimeProvider ?? TimeProvider.System;
        DataSource = builder.DataSource;
        _writeGate = FileGates.GetOrAdd(Path.GetFullPath(DataSource), static _ => new SemaphoreSlim(1, 1));
        var busyMilliseconds = (long)options.BusyTimeout.TotalMilliseconds;
        _connectionPragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {busyMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");
        _schema = new RunOnce();
        _sessions = new Sessions();
        TenantId = Tenants.Default;
    }

    // A tenant's store: the same file, connections and schema, every statement scoped to the tenant.
    private SqliteDealStore(SqliteDealStore store, string tenantId)
    {
        _rows = store._rows;
        _pipelines = store._pipelines;
        _connectionString = store._connectionString;
        _connectionPragmas = store._connectionPragmas;
        _writeGate = store._writeGate;
        _time = store._time;
        _schema = store._schema;
        _sessions = store._sessions;
        _isTenantView = true;
        DataSource = store.DataSource;
        TenantId = tenantId;
    }

    /// <summary>Gets the schema version this store creates and reads.</summary>
    public static int SchemaVersion => SqliteSchema.CurrentVersion;

    /// <summary>Gets the path of the database file.</summary>
    public string DataSource { get; }

    /// <inheritdoc/>
    public string TenantId { get; }

    /// <summary>
    /// Gets the store of one tenant in the same file: it shares this store's connections and reads and writes only the
    /// tenant's deals, events, feed checkpoints and leases. Cheap; disposing it does nothing (this store owns the file).
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <returns>The tenant's store (this store for its own tenant).</returns>
    /// <exception cref="ArgumentException">The tenant id is invalid.</exception>
    /// <exception cref="InvalidOperationException">This is another tenant's store: only the store the host created opens tenants.</exception>
    public SqliteDealStore ForTenant(string tenantId) =>
        DealStoreChecks.IsOwnTenant(tenantId, TenantId, _isTenantView) ? this : new SqliteDealStore(this, tenantId);

    /// <inheritdoc/>
    IDealStore IDealStore.ForTenant(string tenantId) => ForTenant(tenantId);

    /// <summary>
    /// Gets the reports over this store computed in SQL (funnel, time in stage, flow and outcomes; breakdowns and idle deals
    /// by the in-memory reference), for the store's pipelines.
    /// </summary>
    /// <param name="timeProvider">The clock for "now"; the store's clock when <see langword="null"/>.</param>
    /// <returns>The reports.</returns>
    public SqliteDealReports Reports(TimeProvider? timeProvider = null) => new(_pipelines, this, timeProvider ?? _time);

    // Test seam: runs at each named step of a save (fault injection); null costs one check per step.
    internal Func<SaveStep, SqliteConnection, CancellationToken, Task>? OnSaveStep { get; set; }

    /// <summary>
    /// Creates the database file and schema, or upgrades an older schema, if needed. Every other member
    /// does this on first use; call it at startup to fail early.
    /// </summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    /// <exception cref="InvalidOperationException">The file holds a newer schema than this package knows.</exception>
    public ValueTask EnsureSchemaAsync(CancellationToken cancellationToken = default) =>
        _schema.Done ? ValueTask.CompletedTask : _schema.RunAsync(MigrateOrFailAsync, cancellationToken);

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
                return await OnWriterAsync((session, ct) => ReadDealAsync(session, null, dealId, ct), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writeGate.Release();
            }
        }

        return await OnReaderAsync((session, ct) => ReadDealAsync(session, null, dealId, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateSave(writes, TenantId);
        cancellationToken.ThrowIfCancellationRequested();
        var data = new string[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            data[i] = _rows.SerializeData(writes[i].Deal);
        }

        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var saved = await WriteAsync((session, ct) => SaveAsync(session, writes, data, ct), cancellationToken).ConfigureAwait(false);
        if (saved)
        {
            for (var i = 0; i < writes.Count; i++)
            {
                _rows.Saved(writes[i].Deal, data[i]);
            }
        }

        return saved;
    }

    /// <inheritdoc/>
    public bool SupportsEventRedaction => true;

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        DealStoreChecks.ValidatePage(afterSequence, limit);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await OnReaderAsync(
            async (session, ct) =>
            {
                var command = session.Command(SqliteStatement.SelectEvents, null);
                _rows.SetParameter(command, 0, EventColumns.All[0], dealId);
                _rows.SetParameter(command, 1, new StoredColumn("after", StoredValueKind.Number), afterSequence);
                _rows.SetParameter(command, 2, new StoredColumn("limit", StoredValueKind.Number), (long?)limit ?? -1L);
                _rows.SetParameter(command, 3, TenantColumn, TenantId);
                return (IReadOnlyList<DealEvent>)await StoreCommands.ReadAllAsync(command, r => _rows.ReadEvent(r), ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<DealEvent?> FindByIdempotencyKeyAsync(string dealId, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await OnReaderAsync(
            async (session, ct) =>
            {
                var command = session.Command(SqliteStatement.SelectEventByKey, null);
                _rows.SetParameter(command, 0, EventColumns.All[0], dealId);
                _rows.SetParameter(command, 1, new StoredColumn("idempotency_key", StoredValueKind.Text), idempotencyKey);
                _rows.SetParameter(command, 2, TenantColumn, TenantId);
                var found = await StoreCommands.ReadAllAsync(command, r => _rows.ReadEvent(r), ct).ConfigureAwait(false);
                return found.Count > 0 ? found[0] : null;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateQuery(query);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await OnReaderAsync(
            async (session, ct) =>
            {
                // Disposed before the session goes back to the pool: a connection serves one thread at a time.
                using var command = session.Connection.CreateCommand();
                return await DealQuerySql.QueryAsync(command, "salesflow_deals", TenantId, query, _rows, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateImport(batch, TenantId);
        cancellationToken.ThrowIfCancellationRequested();
        var data = _rows.SerializeImportData(batch);
        if (batch.Count == 0)
        {
            return;
        }

        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync((session, ct) => ImportBatchAsync(session, batch, data, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<FeedEvent>> ReadFeedAsync(FeedPosition after, int limit, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateFeedRead(limit);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await OnReaderAsync(
            async (session, ct) =>
            {
                var command = session.Command(SqliteStatement.ReadFeed, null);
                _rows.SetParameter(command, 0, new StoredColumn("after", StoredValueKind.Number), after.Commit);
                _rows.SetParameter(command, 1, new StoredColumn("limit", StoredValueKind.Number), (long)limit);
                _rows.SetParameter(command, 2, TenantColumn, TenantId);
                return (IReadOnlyList<FeedEvent>)await StoreCommands.ReadAllAsync(command, _rows.ReadFeedEvent, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<FeedPosition> GetCheckpointAsync(string handler, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateHandler(handler);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await OnReaderAsync((session, ct) => Handlers.GetCheckpointAsync(session.Connection, TenantId, handler, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TryAcquireLeaseAsync(string handler, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateLease(handler, owner, duration);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await WriteAsync(
            (session, ct) => Handlers.TryAcquireLeaseAsync(session.Connection, null, TenantId, handler, owner, duration, _time.GetUtcNow(), ct),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TrySaveCheckpointAsync(string handler, string owner, FeedPosition position, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateLeaseOwner(handler, owner);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await WriteAsync(
            (session, ct) => Handlers.TrySaveCheckpointAsync(session.Connection, null, TenantId, handler, owner, position, _time.GetUtcNow(), ct),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask ReleaseLeaseAsync(string handler, string owner, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateLeaseOwner(handler, owner);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(
            async (session, ct) =>
            {
                await Handlers.ReleaseLeaseAsync(session.Connection, null, TenantId, handler, owner, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Releases the store's pooled connections, so the database file is closed. A tenant's store (<see cref="ForTenant"/>)
    /// owns nothing: disposing it does nothing.
    /// </summary>
    public void Dispose()
    {
        if (_isTenantView)
        {
            return;
        }

        lock (_sessions.Idle)
        {
            _sessions.Disposed = true;
            while (_sessions.Idle.TryPop(out var session))
            {
                session.Dispose();
            }
        }

        Interlocked.Exchange(ref _sessions.Writer, null)?.Dispose();
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _schema.Dispose();
    }

    /// <summary>Releases the store's pooled connections, so the database file is closed (see <see cref="Dispose"/>).</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private async ValueTask MigrateOrFailAsync(CancellationToken cancellationToken)
    {
        try
        {
            await MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw Failure(ex, "schema");
        }
    }

    // A SQLite transaction that fails is rolled back (a commit is atomic in the file): nothing of it is written.
    private static DealStoreException Failure(SqliteException exception, string operation) =>
        SqliteDialect.Instance.StoreFailure("SQLite", operation, exception, StoreWriteOutcome.NothingWritten);

    private static string OperationOf(string member) => member switch
    {
        nameof(TrySaveAsync) => "save",
        nameof(ImportAsync) => "import",
        nameof(ReadFeedAsync) or nameof(GetCheckpointAsync) or nameof(TryAcquireLeaseAsync) or nameof(TrySaveCheckpointAsync) or nameof(ReleaseLeaseAsync) => "feed",
        _ => "read",
    };

    private async ValueTask MigrateAsync(CancellationToken cancellationToken)
    {
        await WriteAsync(
            async (session, ct) =>
            {
                var connection = session.Connection;
                using (var wal = connection.CreateCommand())
                {
                    // WAL is a property of the file; it cannot be switched inside a transaction.
                    wal.CommandText = "PRAGMA journal_mode = WAL;";
                    await wal.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                var transaction = connection.BeginTransaction(deferred: false);
                await using (transaction.ConfigureAwait(false))
                {
                    await SqliteSchema.Migrator.MigrateAsync(transaction, DataSource, ct).ConfigureAwait(false);
                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    // Runs a write on this store's writer session inside the file's gate: writers of this process queue here,
    // asynchronously, and only the one inside takes SQLite's write lock.
    private async Task<T> WriteAsync<T>(Func<SqliteSession, CancellationToken, Task<T>> write, CancellationToken cancellationToken, [CallerMemberName] string caller = "")
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await OnWriterAsync(write, cancellationToken, caller).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    // Called inside the file's gate.
    private async Task<T> OnWriterAsync<T>(Func<SqliteSession, CancellationToken, Task<T>> work, CancellationToken cancellationToken, [CallerMemberName] string caller = "")
    {
        ObjectDisposedException.ThrowIf(_sessions.Disposed, this);
        SqliteSession session;
        try
        {
            session = _sessions.Writer ??= await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw Failure(ex, OperationOf(caller));
        }

        try
        {
            return await work(session, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not DealDataDamagedException)
        {
            // The connection may be broken or mid-transaction: the next write opens a fresh one.
            _sessions.Writer = null;
            session.Dispose();
            if (ex is SqliteException failure)
            {
                throw Failure(failure, OperationOf(caller));
            }

            throw;
        }
    }

    // For the SQL reports: a new command on a reader session, the schema made current first.
    internal async Task<T> ReadWithCommandAsync<T>(Func<System.Data.Common.DbCommand, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await OnReaderAsync(
            async (session, ct) =>
            {
                // Disposed before the session goes back to the pool: a connection serves one thread at a time.
                using var command = session.Connection.CreateCommand();
                return await work(command, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> OnReaderAsync<T>(Func<SqliteSession, CancellationToken, Task<T>> work, CancellationToken cancellationToken, [CallerMemberName] string caller = "")
    {
        SqliteSession session;
        try
        {
            session = await RentAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw Failure(ex, OperationOf(caller));
        }

        T result;
        try
        {
            result = await work(session, cancellationToken).ConfigureAwait(false);
        }
        catch (DealDataDamagedException)
        {
            Return(session);
            throw;
        }
        catch (Exception ex)
        {
            session.Dispose();
            if (ex is SqliteException failure)
            {
                throw Failure(failure, OperationOf(caller));
            }

            throw;
        }

        Return(session);
        return result;
    }

    // The deals' primary key refuses a deal that exists already, so the happy path looks nothing up: only when an insert
    // breaks a constraint is the batch rolled back and every existing deal of it looked up, to name them all.
    private async Task<bool> ImportBatchAsync(SqliteSession session, IReadOnlyList<DealImport> batch, string[] data, CancellationToken cancellationToken)
    {
        var transaction = session.Connection.BeginTransaction(deferred: false);
        await using (transaction.ConfigureAwait(false))
        {
            try
            {
                var insertDeal = session.RawInsert(SqliteStatement.InsertDeal, DealColumns.All);
                var insertEvent = session.RawInsert(SqliteStatement.InsertEvent, EventColumns.All);
                for (var i = 0; i < batch.Count; i++)
                {
                    insertDeal.Execute(_rows.GetDealValues(batch[i].Deal, data[i]));
                    foreach (var e in batch[i].Events)
                    {
                        insertEvent.Execute(_rows.GetEventValues(e, TenantId));
                    }
                }
            }
            catch (SqliteException ex) when (SqliteDialect.Instance.Classify(ex) == StoreErrorKind.Conflict)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                var existing = await ExistingDealsAsync(session, batch, cancellationToken).ConfigureAwait(false);
                if (existing.Count > 0)
                {
                    throw new DealImportException(existing);
                }

                throw;
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
    }

    private async Task<List<string>> ExistingDealsAsync(SqliteSession session, IReadOnlyList<DealImport> batch, CancellationToken cancellationToken)
    {
        var existing = new List<string>();
        using var exists = session.Connection.CreateCommand();
        exists.CommandText = "SELECT 1 FROM salesflow_deals WHERE tenant_id = $tenant_id AND id = $id";
        _rows.SetParameter(exists, 0, TenantColumn, TenantId);
        foreach (var item in batch)
        {
            _rows.SetParameter(exists, 1, DealColumns.All[0], item.Deal.Id);
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                existing.Add($"Deal '{item.Deal.Id}' already exists.");
            }
        }

        return existing;
    }

    private async Task InsertEventsAsync(SqliteSession session, SqliteTransaction transaction, IReadOnlyList<DealEvent> events, CancellationToken cancellationToken)
    {
        var command = session.Command(SqliteStatement.InsertEvent, transaction);
        foreach (var e in events)
        {
            _rows.BindEvent(command, 0, e, TenantId);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Deal?> ReadDealAsync(SqliteSession session, SqliteTransaction? transaction, string dealId, CancellationToken cancellationToken)
    {
        var command = session.Command(SqliteStatement.SelectDeal, transaction);
        _rows.SetParameter(command, 0, DealColumns.All[0], dealId);
        _rows.SetParameter(command, 1, TenantColumn, TenantId);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? _rows.ReadDeal(reader) : null;
        }
    }

    // One transaction for every write: any write that does not apply rolls the whole save back.
    private async Task<bool> SaveAsync(SqliteSession session, IReadOnlyList<DealWrite> writes, string[] data, CancellationToken cancellationToken)
    {
        if (OnSaveStep is { } beforeTransaction)
        {
            await beforeTransaction(SaveStep.BeforeTransaction, session.Connection, cancellationToken).ConfigureAwait(false);
        }

        var transaction = session.Connection.BeginTransaction(deferred: false);
        await using (transaction.ConfigureAwait(false))
        {
            for (var i = 0; i < writes.Count; i++)
            {
                if (!await SaveOneAsync(session, transaction, writes[i], data[i], cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
            }

            if (OnSaveStep is { } beforeCommit)
            {
                await beforeCommit(SaveStep.BeforeCommit, session.Connection, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
    }

    private async Task<bool> SaveOneAsync(SqliteSession session, SqliteTransaction transaction, DealWrite write, string data, CancellationToken cancellationToken)
    {
        var (deal, expectedVersion, events) = write;
        if (expectedVersion == 0)
        {
            var insert = session.Command(SqliteStatement.InsertNewDeal, transaction);
            _rows.BindDeal(insert, deal, data);
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }
        }
        else
        {
            var update = session.Command(SqliteStatement.UpdateDeal, transaction);
            _rows.BindDeal(update, deal, data);
            var next = DealColumns.All.Count;
            _rows.SetParameter(update, next, new StoredColumn("expected_version", StoredValueKind.Number), expectedVersion);
            _rows.SetParameter(update, next + 1, new StoredColumn("previous_sequence", StoredValueKind.Number), events[0].Sequence - 1);
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

        if (OnSaveStep is { } afterDeal)
        {
            await afterDeal(SaveStep.AfterDealWritten, session.Connection, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await InsertEventsAsync(session, transaction, events, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (SqliteDialect.Instance.Classify(ex) == StoreErrorKind.Conflict)
        {
            // An event of this sequence exists already: another writer won.
            return false;
        }

        await EventRedactions.ApplyAsync(session.Connection, transaction, _rows, "salesflow_deal_events", write, cancellationToken).ConfigureAwait(false);
        if (OnSaveStep is { } afterEvents)
        {
            await afterEvents(SaveStep.AfterEventsWritten, session.Connection, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private Task<SqliteSession> OpenSessionAsync(CancellationToken cancellationToken) =>
        SqliteSession.OpenAsync(_connectionString, _connectionPragmas, cancellationToken);

    private ValueTask<SqliteSession> RentAsync(CancellationToken cancellationToken)
    {
        lock (_sessions.Idle)
        {
            ObjectDisposedException.ThrowIf(_sessions.Disposed, this);
            if (_sessions.Idle.TryPop(out var session))
            {
                return new(session);
            }
        }

        return new(OpenSessionAsync(cancellationToken));
    }

    private void Return(SqliteSession session)
    {
        lock (_sessions.Idle)
        {
            if (!_sessions.Disposed && session.IsReusable && _sessions.Idle.Count < MaxIdleSessions)
            {
                _sessions.Idle.Push(session);
                return;
            }
        }

        session.Dispose();
    }

    // The sessions of one store and its tenants' stores: the writer's and the idle readers'.
    private sealed class Sessions
    {
#pragma warning disable SA1401 // Fields: the writer is exchanged atomically; both are read under the idle stack's lock.
        public SqliteSession? Writer;
        public bool Disposed;
#pragma warning restore SA1401

        public Stack<SqliteSession> Idle { get; } = new();
    }
}
