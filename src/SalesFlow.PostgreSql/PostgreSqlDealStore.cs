using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using SalesFlow.Storage.Relational;

namespace SalesFlow.PostgreSql;

/// <summary>
/// A deal store in PostgreSQL, for many host processes sharing one database. The store creates and
/// upgrades its own schema (tables <c>deals</c>, <c>deal_events</c>, <c>feed_handlers</c> and <c>schema_version</c> in
/// <see cref="PostgreSqlDealStoreOptions.Schema"/>) and applies optimistic concurrency on the deal's
/// <c>version</c> column: a save under a stale expected version returns <see langword="false"/> and never
/// overwrites. No table is ever locked. It is also the event feed of its schema (<see cref="IEventFeedStore"/>).
/// </summary>
/// <remarks>
/// <para>
/// A save is one transaction with one statement per deal: <c>UPDATE … WHERE id = @id AND version = @expected</c> (or an
/// insert that does nothing when the deal exists) whose result feeds the insert of the events, so the
/// state changes and their events are written together or not at all. The events' primary key
/// (<c>deal_id</c>, <c>sequence</c>) makes a duplicate sequence impossible.
/// </para>
/// <para>
/// The event feed orders events by the id of the transaction that wrote them, then by row id, and reads only
/// transactions older than every transaction still running, so an event committed late is delivered late, never
/// skipped. Leases expire by the database's clock, shared by every process.
/// </para>
/// <para>
/// Timestamps are <c>timestamptz</c>, which keeps microseconds: the last digit of a
/// <see cref="DateTimeOffset"/>'s ticks (100 ns) is not kept, and times come back in UTC. Deal data is
/// <c>jsonb</c> written by <see cref="PipelineDefinition.SerializeData"/>, so every pipeline (and version) of a
/// stored deal must be registered in the <see cref="PipelineRegistry"/>. PostgreSQL text cannot hold the
/// character U+0000.
/// </para>
/// </remarks>
public sealed class PostgreSqlDealStore : IDealStore, IEventFeedStore, IDisposable, IAsyncDisposable
{
    private readonly DealRowMapper _rows;
    private readonly PipelineRegistry _pipelines;
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private static readonly StoredColumn TenantColumn = new("tenant_id", StoredValueKind.Text);

    private readonly PostgreSqlSchema _sql;
    private readonly RunOnce _schema;
    private readonly bool _isTenantView;
    private readonly bool _rowLevelSecurity;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlDealStore"/> class.</summary>
    /// <param name="pipelines">The pipelines of the stored deals; used to read and write each deal's data as JSON.</param>
    /// <param name="options">The connection string (or data source) and schema.</param>
    /// <exception cref="ArgumentException">The options name no database, name two, or the schema is not a plain identifier.</exception>
    public PostgreSqlDealStore(PipelineRegistry pipelines, PostgreSqlDealStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { Count: > 0 } problems)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _sql = new PostgreSqlSchema(options.Schema);
        _pipelines = pipelines;
        _rows = new DealRowMapper(pipelines, PostgreSqlDialect.Instance);
        _ownsDataSource = options.DataSource is null;
        _dataSource = options.DataSource ?? NpgsqlDataSource.Create(WithAutoPrepare(options.ConnectionString!));
        _schema = new RunOnce();
        _rowLevelSecurity = options.RowLevelSecurity;
        TenantId = Tenants.Default;
    }

    // A tenant's store: the same data source, schema and tables, every statement scoped to the tenant.
    private PostgreSqlDealStore(PostgreSqlDealStore store, string tenantId)
    {
        _sql = store._sql;
        _pipelines = store._pipelines;
        _rows = store._rows;
        _dataSource = store._dataSource;
        _schema = store._schema;
        _rowLevelSecurity = store._rowLevelSecurity;
        _isTenantView = true;
        TenantId = tenantId;
    }

    // The store runs a handful of statements over and over: prepared once per connection, the server parses and plans
    // them once. A connection string that sets Max Auto Prepare itself (0 turns it off) keeps its value: the keys are
    // read as written, since Npgsql's own builder reports every keyword it knows as present.
    internal static string WithAutoPrepare(string connectionString)
    {
        var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (string key in written.Keys)
        {
            if (string.Equals(key.Replace(" ", "", StringComparison.Ordinal), "MaxAutoPrepare", StringComparison.OrdinalIgnoreCase))
            {
                return connectionString;
            }
        }

        return new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 32 }.ConnectionString;
    }

    /// <summary>Gets the schema version this store creates and reads.</summary>
    public static int SchemaVersion => PostgreSqlSchema.LatestVersion;

    /// <summary>Gets the schema that holds the store's tables.</summary>
    public string Schema => _sql.Name;

    /// <inheritdoc/>
    public string TenantId { get; }

    /// <summary>
    /// Gets the store of one tenant in the same schema: it shares this store's connections and reads and writes only the
    /// tenant's deals, events, feed checkpoints and leases. Cheap; disposing it does nothing (this store owns the connections).
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <returns>The tenant's store (this store for its own tenant).</returns>
    /// <exception cref="ArgumentException">The tenant id is invalid.</exception>
    /// <exception cref="InvalidOperationException">This is another tenant's store: only the store the host created opens tenants.</exception>
    public PostgreSqlDealStore ForTenant(string tenantId) =>
        DealStoreChecks.IsOwnTenant(tenantId, TenantId, _isTenantView) ? this : new PostgreSqlDealStore(this, tenantId);

    /// <inheritdoc/>
    IDealStore IDealStore.ForTenant(string tenantId) => ForTenant(tenantId);

    /// <summary>
    /// Gets the reports over this store computed in SQL (funnel, time in stage, flow and outcomes; breakdowns and idle deals
    /// by the in-memory reference), for the store's pipelines.
    /// </summary>
    /// <param name="timeProvider">The clock for "now"; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <returns>The reports.</returns>
    public PostgreSqlDealReports Reports(TimeProvider? timeProvider = null) => new(_pipelines, this, timeProvider);

    // Test seam: runs at each named step of a save (fault injection); null costs one check per step. A deal's row and
    // its events are one statement here, so SaveStep.AfterDealWritten never comes.
    internal Func<SaveStep, NpgsqlConnection, CancellationToken, Task>? OnSaveStep { get; set; }

    /// <summary>
    /// Creates the schema and tables, or upgrades older ones, if needed. Every other member does this on
    /// first use; call it at startup to fail early. Safe when many processes start at once (they
    /// serialize on a transaction-level advisory lock).
    /// </summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    /// <exception cref="InvalidOperationException">The database holds a newer schema than this package knows.</exception>
    public ValueTask EnsureSchemaAsync(CancellationToken cancellationToken = default) =>
        _schema.Done ? ValueTask.CompletedTask : _schema.RunAsync(MigrateOrFailAsync, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        cancellationToken.ThrowIfCancellationRequested();
        return await OnConnectionAsync(connection => ReadDealAsync(connection, null, dealId, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default)
    {
        try
        {
            return await TrySaveCoreAsync(writes, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw Failure(ex, "save", StoreWriteOutcome.NothingWritten);
        }
    }

    private async ValueTask<bool> TrySaveCoreAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken)
    {
        DealStoreChecks.ValidateSave(writes, TenantId);
        cancellationToken.ThrowIfCancellationRequested();

        // Several deals are written in id order, so two saves of the same deals never wait for each other in a circle.
        var ordered = writes.Count == 1 ? writes : [.. writes.OrderBy(w => w.Deal.Id, StringComparer.Ordinal)];
        var data = ordered.Select(w => _rows.SerializeData(w.Deal)).ToArray();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (OnSaveStep is { } beforeTransaction)
            {
                await beforeTransaction(SaveStep.BeforeTransaction, connection, cancellationToken).ConfigureAwait(false);
            }

            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                if (ordered.Count > 1)
                {
                    // Takes the transaction id before any row is written (see UpdateDealWithEvents).
                    using var take = new NpgsqlCommand(_sql.TakeTransactionId, connection, transaction);
                    await take.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                }

                for (var i = 0; i < ordered.Count; i++)
                {
                    if (!await SaveOneAsync(connection, transaction, ordered[i], data[i], cancellationToken).ConfigureAwait(false))
                    {
                        return false;
                    }

                    if (OnSaveStep is { } afterEvents)
                    {
                        await afterEvents(SaveStep.AfterEventsWritten, connection, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (OnSaveStep is { } beforeCommit)
                {
                    await beforeCommit(SaveStep.BeforeCommit, connection, cancellationToken).ConfigureAwait(false);
                }

                try
                {
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (NpgsqlException ex) when (ex is not PostgresException)
                {
                    // The connection failed with the commit sent: the server may have committed it or not.
                    throw Failure(ex, "save", StoreWriteOutcome.Unknown);
                }
            }
        }

        for (var i = 0; i < ordered.Count; i++)
        {
            _rows.Saved(ordered[i].Deal, data[i]);
        }

        return true;
    }

    /// <inheritdoc/>
    public bool SupportsEventRedaction => true;

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        DealStoreChecks.ValidatePage(afterSequence, limit);
        cancellationToken.ThrowIfCancellationRequested();
        return await OnConnectionAsync(
            async connection =>
            {
                using var command = new NpgsqlCommand(_sql.SelectEvents, connection);
                _rows.SetParameter(command, 0, EventColumns.All[0], dealId);
                _rows.SetParameter(command, 1, new StoredColumn("after", StoredValueKind.Number), afterSequence);
                _rows.SetParameter(command, 2, new StoredColumn("limit", StoredValueKind.SmallNumber), limit);
                _rows.SetParameter(command, 3, TenantColumn, TenantId);
                return (IReadOnlyList<DealEvent>)await StoreCommands.ReadAllAsync(command, r => _rows.ReadEvent(r), cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<DealEvent?> FindByIdempotencyKeyAsync(string dealId, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        cancellationToken.ThrowIfCancellationRequested();
        return await OnConnectionAsync(
            async connection =>
            {
                using var command = new NpgsqlCommand(_sql.SelectEventByKey, connection);
                _rows.SetParameter(command, 0, EventColumns.All[0], dealId);
                _rows.SetParameter(command, 1, new StoredColumn("idempotency_key", StoredValueKind.Text), idempotencyKey);
                _rows.SetParameter(command, 2, TenantColumn, TenantId);
                var found = await StoreCommands.ReadAllAsync(command, r => _rows.ReadEvent(r), cancellationToken).ConfigureAwait(false);
                return found.Count > 0 ? found[0] : null;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateQuery(query);
        cancellationToken.ThrowIfCancellationRequested();
        return await OnConnectionAsync(
            async connection =>
            {
                using var command = new NpgsqlCommand { Connection = connection };
                return await DealQuerySql.QueryAsync(command, _sql.DealsTable, TenantId, query, _rows, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default)
    {
        try
        {
            await ImportCoreAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw Failure(ex, "import", StoreWriteOutcome.NothingWritten);
        }
    }

    private async ValueTask ImportCoreAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken)
    {
        DealStoreChecks.ValidateImport(batch, TenantId);
        cancellationToken.ThrowIfCancellationRequested();
        var data = _rows.SerializeImportData(batch);
        if (batch.Count == 0)
        {
            return;
        }

        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // No look-up first: a batch of new deals (the usual case) goes straight in, and a deal that exists already fails
            // the COPY on the primary key, rolling the whole batch back; only then are the existing deals looked up.
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                try
                {
                    if (_rowLevelSecurity)
                    {
                        // PostgreSQL refuses COPY FROM into a table with row-level security: the save's insert, deal by deal.
                        for (var i = 0; i < batch.Count; i++)
                        {
                            if (!await SaveOneAsync(connection, transaction, new DealWrite(batch[i].Deal, 0, batch[i].Events), data[i], cancellationToken).ConfigureAwait(false))
                            {
                                throw await RefusedAsync(connection, transaction, batch, cancellationToken).ConfigureAwait(false);
                            }
                        }
                    }
                    else
                    {
                        await CopyAsync(connection, _sql.CopyDeals, DealColumns.All, batch.Select((item, i) => _rows.GetDealValues(item.Deal, data[i])), cancellationToken).ConfigureAwait(false);
                        await CopyAsync(connection, _sql.CopyEvents, EventColumns.All, batch.SelectMany(item => item.Events).Select(e => _rows.GetEventValues(e, TenantId)), cancellationToken).ConfigureAwait(false);
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (PostgreSqlDialect.Instance.Classify(ex) == StoreErrorKind.Conflict)
                {
                    throw await RefusedAsync(connection, transaction, batch, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    // After a batch was refused on a key: rolls the batch back (the aborted transaction takes no query), then names the deals
    // of the batch that exist already, or (none found) the race with another writer.
    private async Task<DealImportException> RefusedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<DealImport> batch, CancellationToken cancellationToken)
    {
        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        using var exists = new NpgsqlCommand(_sql.SelectExistingIds, connection);
        exists.Parameters.AddWithValue("ids", batch.Select(i => i.Deal.Id).ToArray());
        exists.Parameters.AddWithValue("tenant_id", TenantId);
        var existing = await StoreCommands.ReadAllAsync(exists, r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        return new DealImportException(existing.Count > 0
            ? [.. existing.Select(id => $"Deal '{id}' already exists.")]
            : ["A deal of the batch was created by another writer during the import."]);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<FeedEvent>> ReadFeedAsync(FeedPosition after, int limit, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateFeedRead(limit);
        cancellationToken.ThrowIfCancellationRequested();
        return await OnConnectionAsync(
            async connection =>
            {
                using var command = new NpgsqlCommand(_sql.ReadFeed, connection);
                _rows.SetParameter(command, 0, new StoredColumn("commit", StoredValueKind.Number), after.Commit);
                _rows.SetParameter(command, 1, new StoredColumn("offset", StoredValueKind.Number), after.Offset);
                _rows.SetParameter(command, 2, new StoredColumn("limit", StoredValueKind.SmallNumber), limit);
                _rows.SetParameter(command, 3, TenantColumn, TenantId);
                return (IReadOnlyList<FeedEvent>)await StoreCommands.ReadAllAsync(command, _rows.ReadFeedEvent, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<FeedPosition> GetCheckpointAsync(string handler, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateHandler(handler);
        cancellationToken.ThrowIfCancellationRequested();
        return await OnConnectionAsync(connection => _sql.Handlers.GetCheckpointAsync(connection, TenantId, handler, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TryAcquireLeaseAsync(string handler, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateLease(handler, owner, duration);
        cancellationToken.ThrowIfCancellationRequested();
        return await OnConnectionAsync(
            connection => _sql.Handlers.TryAcquireLeaseAsync(connection, null, TenantId, handler, owner, duration, default, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TrySaveCheckpointAsync(string handler, string owner, FeedPosition position, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateLeaseOwner(handler, owner);
        cancellationToken.ThrowIfCancellationRequested();
        return await OnConnectionAsync(
            connection => _sql.Handlers.TrySaveCheckpointAsync(connection, null, TenantId, handler, owner, position, default, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask ReleaseLeaseAsync(string handler, string owner, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateLeaseOwner(handler, owner);
        cancellationToken.ThrowIfCancellationRequested();
        await OnConnectionAsync(
            async connection =>
            {
                await _sql.Handlers.ReleaseLeaseAsync(connection, null, TenantId, handler, owner, cancellationToken).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes the store's connections (unless the data source was given in the options). A tenant's store
    /// (<see cref="ForTenant"/>) owns nothing: disposing it does nothing.
    /// </summary>
    public void Dispose()
    {
        if (_isTenantView)
        {
            return;
        }

        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }

        _schema.Dispose();
    }

    /// <summary>Closes the store's connections (unless the data source was given in the options; see <see cref="Dispose"/>).</summary>
    /// <returns>A task that completes when the connections are closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_isTenantView)
        {
            return;
        }

        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }

        _schema.Dispose();
    }

    // The reports' SQL runs on the store's connections, over its tables.
    internal Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken) =>
        OnConnectionAsync(work, cancellationToken);

    // Every read and feed call: the schema is current, then one pooled connection for the work.
    private async Task<T> OnConnectionAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken, [CallerMemberName] string caller = "")
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                return await work(connection).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException ex)
        {
            // Reads, and feed writes of one statement each: a statement that failed is not committed; a lease or
            // checkpoint whose connection broke is taken again by the next call.
            throw Failure(ex, caller is nameof(GetAsync) or nameof(GetEventsAsync) or nameof(FindByIdempotencyKeyAsync) or nameof(QueryAsync) or nameof(ReadAsync) ? "read" : "feed", StoreWriteOutcome.NothingWritten);
        }
    }

    // A pooled connection for one read, save or import. Under row-level security it first names the tenant for the
    // policies (session-wide: every use of a pooled connection sets it again, whichever tenant used it before).
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (!_rowLevelSecurity)
        {
            return connection;
        }

        try
        {
            using var tenant = new NpgsqlCommand(PostgreSqlSchema.SetTenant, connection);
            tenant.Parameters.AddWithValue("tenant_id", TenantId);
            await tenant.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static DealStoreException Failure(NpgsqlException exception, string operation, StoreWriteOutcome outcome) =>
        PostgreSqlDialect.Instance.StoreFailure("PostgreSQL", operation, exception, outcome);

    private async ValueTask MigrateOrFailAsync(CancellationToken cancellationToken)
    {
        try
        {
            await MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw Failure(ex, "schema", StoreWriteOutcome.NothingWritten);
        }
    }

    // COPY of rows in the column order of DealColumns / EventColumns, typed by the dialect.
    private static async Task CopyAsync(NpgsqlConnection connection, string copy, IReadOnlyList<StoredColumn> columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        var types = columns.Select(c => PostgreSqlDialect.TypeOf(c.Kind)).ToArray();
        var writer = await connection.BeginBinaryImportAsync(copy, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var row in rows)
            {
                await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < row.Length; i++)
                {
                    if (row[i] is { } value)
                    {
                        await writer.WriteAsync(value, types[i], cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await writer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask MigrateAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext(@name))", connection, transaction))
                {
                    lockCommand.Parameters.AddWithValue("name", "salesflow.schema." + _sql.Name);
                    await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                // Creating an existing schema still needs CREATE rights on the database, so look first.
                using (var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @name)", connection, transaction))
                {
                    exists.Parameters.AddWithValue("name", _sql.Name);
                    if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                    {
                        using var create = new NpgsqlCommand(_sql.CreateSchema, connection, transaction);
                        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                // The policies' DDL locks every table: it runs only when something changes (an upgrade, or turning row-level
                // security on), never beside the reads and writes of stores already running on the schema.
                var securing = _rowLevelSecurity && !await IsSecuredAndCurrentAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                if (securing)
                {
                    // Migrations change every tenant's rows: the policies must not filter them while they run.
                    using var relax = new NpgsqlCommand(_sql.UnforceRowLevelSecurity, connection, transaction);
                    await relax.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await _sql.Migrator.MigrateAsync(transaction, "schema " + _sql.Name, cancellationToken).ConfigureAwait(false);
                if (securing)
                {
                    using var policies = new NpgsqlCommand(_sql.EnforceRowLevelSecurity, connection, transaction);
                    await policies.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Whether the schema is at the latest version with the tenant policies in place and forced on all three tables.
    private async Task<bool> IsSecuredAndCurrentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        using var check = new NpgsqlCommand(PostgreSqlSchema.SecuredTables, connection, transaction);
        check.Parameters.AddWithValue("schema", _sql.Name);
        if ((long)(await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! != 3)
        {
            return false;
        }

        using var version = new NpgsqlCommand(_sql.SelectVersion, connection, transaction);
        return await version.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int current && current == PostgreSqlSchema.LatestVersion;
    }

    private async Task<bool> SaveOneAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DealWrite write, string data, CancellationToken cancellationToken)
    {
        var (deal, expectedVersion, events) = write;
        using var save = new NpgsqlCommand(expectedVersion == 0 ? _sql.CreateDealWithEvents : _sql.UpdateDealWithEvents, connection, transaction);
        _rows.BindDeal(save, deal, data);
        var eventRows = events.Select(e => _rows.GetEventValues(e, TenantId)).ToArray();

        // The events as one array per column between deal_id and tenant_id, named like the column: unnest() turns them into rows.
        for (var c = 1; c < EventColumns.All.Count - 1; c++)
        {
            var column = EventColumns.All[c];
            save.Parameters.Add(new NpgsqlParameter(column.Name, NpgsqlDbType.Array | PostgreSqlDialect.TypeOf(column.Kind))
            {
                Value = PostgreSqlDialect.ToArray(column.Kind, eventRows, c),
            });
        }

        if (expectedVersion > 0)
        {
            var index = save.Parameters.Count;
            _rows.SetParameter(save, index, new StoredColumn("expected_version", StoredValueKind.Number), expectedVersion);
            _rows.SetParameter(save, index + 1, new StoredColumn("previous_sequence", StoredValueKind.Number), events[0].Sequence - 1);
        }

        int written;
        try
        {
            written = await save.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (PostgreSqlDialect.Instance.Classify(ex) == StoreErrorKind.Conflict)
        {
            // Another writer created the deal or wrote the sequence first.
            return false;
        }

        if (written == 0 && expectedVersion > 0)
        {
            var stored = await ReadDealAsync(connection, transaction, deal.Id, cancellationToken).ConfigureAwait(false);
            if (stored is not null && stored.Version == expectedVersion)
            {
                // The version matches, so the events may be what does not fit: this throws when they do not.
                DealStoreChecks.ValidateSequence(stored, events);
            }
        }

        if (written == 0)
        {
            return false;
        }

        await EventRedactions.ApplyAsync(connection, transaction, _rows, _sql.Name + ".deal_events", write, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<Deal?> ReadDealAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string dealId, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(_sql.SelectDeal, connection, transaction);
        _rows.SetParameter(command, 0, DealColumns.All[0], dealId);
        _rows.SetParameter(command, 1, TenantColumn, TenantId);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? _rows.ReadDeal(reader) : null;
        }
    }
}
