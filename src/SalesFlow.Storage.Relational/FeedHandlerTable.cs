using System.Data.Common;

namespace SalesFlow.Storage.Relational;

/// <summary>
/// The event feed's handler table: one row per tenant and handler with its checkpoint (<c>checkpoint_commit</c>,
/// <c>checkpoint_offset</c>) and lease (<c>lease_owner</c>, <c>lease_expires_at</c>). Taking or renewing a lease is one
/// conditional upsert and saving a checkpoint one conditional update, so two store objects (two processes) on one
/// database never both hold a handler's lease, and an expired lease is taken over.
/// </summary>
/// <remarks>
/// The table is created by the store's migrations: <c>tenant_id</c> and <c>name</c> text, the primary key together, <c>checkpoint_commit</c> and
/// <c>checkpoint_offset</c> 64-bit integers defaulting to 0, <c>lease_owner</c> nullable text, <c>lease_expires_at</c>
/// a nullable time. Leases expire by the database's clock when the store gives its SQL (several processes then share
/// one clock), otherwise by the time each call passes (a <see cref="TimeProvider"/>), bound as parameters.
/// </remarks>
public sealed class FeedHandlerTable
{
    private readonly RelationalDialect _dialect;
    private readonly bool _databaseClock;

    /// <summary>Initializes a new instance of the <see cref="FeedHandlerTable"/> class.</summary>
    /// <param name="dialect">The dialect (parameter marker, parameter types, how times are stored).</param>
    /// <param name="table">The table's (qualified) name.</param>
    /// <param name="databaseNow">The SQL expression of the database's current time (for example <c>now()</c>), or <see langword="null"/> to use the time each call passes.</param>
    /// <param name="databaseExpiresAt">
    /// With <paramref name="databaseNow"/>: the SQL expression of when a lease taken now expires, using the parameter
    /// <c>lease_ms</c> (the lease's duration in milliseconds), for example <c>now() + @lease_ms * interval '1 millisecond'</c>.
    /// </param>
    public FeedHandlerTable(RelationalDialect dialect, string table, string? databaseNow = null, string? databaseExpiresAt = null)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        if ((databaseNow is null) != (databaseExpiresAt is null))
        {
            throw new ArgumentException("Give both the database's current time and the lease expiry expressions, or neither.", nameof(databaseExpiresAt));
        }

        _dialect = dialect;
        _databaseClock = databaseNow is not null;
        var now = databaseNow ?? dialect.Parameter("now");
        var expiresAt = databaseExpiresAt ?? dialect.Parameter("expires");
        var name = dialect.Parameter("name");
        var owner = dialect.Parameter("owner");
        var tenant = dialect.Parameter("tenant_id");
        var key = " WHERE tenant_id = " + tenant + " AND name = " + name;
        Acquire =
            "INSERT INTO " + table + " AS h (tenant_id, name, lease_owner, lease_expires_at) VALUES (" + tenant + ", " + name + ", " + owner + ", " + expiresAt + ") " +
            "ON CONFLICT (tenant_id, name) DO UPDATE SET lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at " +
            "WHERE h.lease_owner IS NULL OR h.lease_owner = excluded.lease_owner OR h.lease_expires_at <= " + now;
        SaveCheckpoint =
            "UPDATE " + table + " SET checkpoint_commit = " + dialect.Parameter("commit") + ", checkpoint_offset = " + dialect.Parameter("offset") +
            key + " AND lease_owner = " + owner + " AND lease_expires_at > " + now;
        Release = "UPDATE " + table + " SET lease_owner = NULL, lease_expires_at = NULL" + key + " AND lease_owner = " + owner;
        ReadCheckpoint = "SELECT checkpoint_commit, checkpoint_offset FROM " + table + key;
    }

    /// <summary>Gets the upsert that takes or renews a lease.</summary>
    public string Acquire { get; }

    /// <summary>Gets the update that saves a checkpoint under an unexpired lease.</summary>
    public string SaveCheckpoint { get; }

    /// <summary>Gets the update that releases a lease.</summary>
    public string Release { get; }

    /// <summary>Gets the query of a handler's checkpoint.</summary>
    public string ReadCheckpoint { get; }

    /// <summary>Takes or renews a handler's lease, unless another owner holds it unexpired.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="transaction">The transaction to run in, if any.</param>
    /// <param name="tenantId">The tenant whose handler it is.</param>
    /// <param name="handler">The handler's name.</param>
    /// <param name="owner">Who asks.</param>
    /// <param name="duration">How long the lease lasts.</param>
    /// <param name="now">The current time (ignored when the table uses the database's clock).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns><see langword="true"/> when <paramref name="owner"/> holds the lease now.</returns>
    public async Task<bool> TryAcquireLeaseAsync(DbConnection connection, DbTransaction? transaction, string tenantId, string handler, string owner, TimeSpan duration, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, Acquire, tenantId, handler, owner);
        if (_databaseClock)
        {
            Add(command, "lease_ms", StoredValueKind.Number, (long)Math.Ceiling(duration.TotalMilliseconds));
        }
        else
        {
            Add(command, "expires", StoredValueKind.Time, _dialect.ToStoredTime(now + duration));
            Add(command, "now", StoredValueKind.Time, _dialect.ToStoredTime(now));
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Saves a handler's checkpoint if <paramref name="owner"/> holds its lease, unexpired.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="transaction">The transaction to run in, if any.</param>
    /// <param name="tenantId">The tenant whose handler it is.</param>
    /// <param name="handler">The handler's name.</param>
    /// <param name="owner">The lease holder.</param>
    /// <param name="position">The checkpoint.</param>
    /// <param name="now">The current time (ignored when the table uses the database's clock).</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns><see langword="true"/> when saved.</returns>
    public async Task<bool> TrySaveCheckpointAsync(DbConnection connection, DbTransaction? transaction, string tenantId, string handler, string owner, FeedPosition position, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, SaveCheckpoint, tenantId, handler, owner);
        Add(command, "commit", StoredValueKind.Number, position.Commit);
        Add(command, "offset", StoredValueKind.Number, position.Offset);
        if (!_databaseClock)
        {
            Add(command, "now", StoredValueKind.Time, _dialect.ToStoredTime(now));
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Releases a handler's lease if <paramref name="owner"/> holds it.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="transaction">The transaction to run in, if any.</param>
    /// <param name="tenantId">The tenant whose handler it is.</param>
    /// <param name="handler">The handler's name.</param>
    /// <param name="owner">The lease holder.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when released.</returns>
    public async Task ReleaseLeaseAsync(DbConnection connection, DbTransaction? transaction, string tenantId, string handler, string owner, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, Release, tenantId, handler, owner);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a handler's checkpoint.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="tenantId">The tenant whose handler it is.</param>
    /// <param name="handler">The handler's name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The checkpoint, or <see cref="FeedPosition.Start"/> for an unknown handler.</returns>
    public async Task<FeedPosition> GetCheckpointAsync(DbConnection connection, string tenantId, string handler, CancellationToken cancellationToken)
    {
        using var command = Command(connection, null, ReadCheckpoint, tenantId, handler, null);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? new FeedPosition(reader.GetInt64(0), reader.GetInt64(1))
                : FeedPosition.Start;
        }
    }

    private DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, string tenantId, string handler, string? owner)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(tenantId);
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        AddText(command, "tenant_id", tenantId);
        AddText(command, "name", handler);
        if (owner is not null)
        {
            AddText(command, "owner", owner);
        }

        return command;
    }

    private void AddText(DbCommand command, string name, string value) => Add(command, name, StoredValueKind.Text, value);

    private void Add(DbCommand command, string name, StoredValueKind kind, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = _dialect.Parameter(name);
        _dialect.SetValue(parameter, kind, value);
        command.Parameters.Add(parameter);
    }
}
