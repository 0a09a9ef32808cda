using System.Text;
using Npgsql;
using NpgsqlTypes;
using SalesFlow.Storage.Internal;

namespace SalesFlow.PostgreSql;

/// <summary>
/// A deal store in PostgreSQL, for many host processes sharing one database. The store creates and
/// upgrades its own schema (tables <c>deals</c>, <c>deal_events</c> and <c>schema_version</c> in
/// <see cref="PostgreSqlDealStoreOptions.Schema"/>) and applies optimistic concurrency on the deal's
/// <c>version</c> column: a save under a stale expected version returns <see langword="false"/> and never
/// overwrites. No table is ever locked.
/// </summary>
/// <remarks>
/// <para>
/// A save is one statement in one transaction: <c>UPDATE … WHERE id = @id AND version = @expected</c> (or an
/// insert that does nothing when the deal exists) whose result feeds the insert of the events, so the
/// state change and its events are written together or not at all. The events' primary key
/// (<c>deal_id</c>, <c>sequence</c>) makes a duplicate sequence impossible.
/// </para>
/// <para>
/// Timestamps are <c>timestamptz</c>, which keeps microseconds: the last digit of a
/// <see cref="DateTimeOffset"/>'s ticks (100 ns) is not kept, and times come back in UTC. Deal data is
/// <c>jsonb</c> written by <see cref="PipelineDefinition.SerializeData"/>, so every pipeline (and version) of a
/// stored deal must be registered in the <see cref="PipelineRegistry"/>. PostgreSQL text cannot hold the
/// character U+0000.
/// </para>
/// </remarks>
public sealed class PostgreSqlDealStore : IDealStore, IDisposable, IAsyncDisposable
{
    private const string UniqueViolation = "23505";

    private readonly PipelineRegistry _pipelines;
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgreSqlSchema _sql;
    private readonly RunOnce _schema = new();
    private readonly DealDataCache _data = new();

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlDealStore"/> class.</summary>
    /// <param name="pipelines">The pipelines of the stored deals; used to read and write each deal's data as JSON.</param>
    /// <param name="options">The connection string (or data source) and schema.</param>
    /// <exception cref="ArgumentException">The options name no database, name two, or the schema is not a plain identifier.</exception>
    public PostgreSqlDealStore(PipelineRegistry pipelines, PostgreSqlDealStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(options);
        if (options.DataSource is not null && options.ConnectionString is not null)
        {
            throw new ArgumentException("Set either PostgreSqlDealStoreOptions.ConnectionString or PostgreSqlDealStoreOptions.DataSource, not both.", nameof(options));
        }

        if (options.DataSource is null && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException("Set PostgreSqlDealStoreOptions.ConnectionString (or DataSource).", nameof(options));
        }

        _sql = new PostgreSqlSchema(options.Schema);
        _pipelines = pipelines;
        _ownsDataSource = options.DataSource is null;
        _dataSource = options.DataSource ?? NpgsqlDataSource.Create(options.ConnectionString!);
    }

    /// <summary>Gets the schema version this store creates and reads.</summary>
    public static int SchemaVersion => PostgreSqlSchema.LatestVersion;

    /// <summary>Gets the schema that holds the store's tables.</summary>
    public string Schema => _sql.Name;

    // Test seam: runs inside the save transaction just before it commits.
    internal Func<NpgsqlConnection, CancellationToken, Task>? BeforeCommit { get; set; }

    /// <summary>
    /// Creates the schema and tables, or upgrades older ones, if needed. Every other member does this on
    /// first use; call it at startup to fail early. Safe when many processes start at once (they
    /// serialize on a transaction-level advisory lock).
    /// </summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    /// <exception cref="InvalidOperationException">The database holds a newer schema than this package knows.</exception>
    public ValueTask EnsureSchemaAsync(CancellationToken cancellationToken = default) =>
        _schema.Done ? ValueTask.CompletedTask : _schema.RunAsync(MigrateAsync, cancellationToken);

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
                bool schemaExists;
                using (var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @name)", connection, transaction))
                {
                    exists.Parameters.AddWithValue("name", _sql.Name);
                    schemaExists = (bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                }

                if (!schemaExists)
                {
                    await ExecuteAsync(connection, transaction, _sql.CreateSchema, cancellationToken).ConfigureAwait(false);
                }

                await ExecuteAsync(connection, transaction, _sql.CreateVersionTable, cancellationToken).ConfigureAwait(false);
                int current;
                using (var read = new NpgsqlCommand(_sql.ReadVersion, connection, transaction))
                {
                    current = (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                }

                if (current > _sql.CurrentVersion)
                {
                    throw new InvalidOperationException(
                        $"The SalesFlow schema '{_sql.Name}' is version {current}, newer than this SalesFlow.PostgreSql supports ({_sql.CurrentVersion}). Upgrade the SalesFlow.PostgreSql package.");
                }

                for (var version = current + 1; version <= _sql.CurrentVersion; version++)
                {
                    await ExecuteAsync(connection, transaction, _sql.Migrations[version - 1], cancellationToken).ConfigureAwait(false);
                    using var record = new NpgsqlCommand(_sql.RecordVersion, connection, transaction);
                    record.Parameters.AddWithValue("version", version);
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
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
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
        var pipeline = _pipelines.Get(deal.PipelineId, deal.PipelineVersion);
        var data = _data.Serialize(pipeline, deal.Data);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);

        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var sql = expectedVersion == 0 ? _sql.CreateDealWithEvents : _sql.UpdateDealWithEvents;
                using (var save = new NpgsqlCommand(sql, connection, transaction))
                {
                    AddDealParameters(save.Parameters, deal, data);
                    AddEventParameters(save.Parameters, events);
                    if (expectedVersion > 0)
                    {
                        save.Parameters.AddWithValue("expected_version", expectedVersion);
                        save.Parameters.AddWithValue("previous_sequence", events[0].Sequence - 1);
                    }

                    if (await save.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                    {
                        if (expectedVersion > 0)
                        {
                            var stored = await ReadDealAsync(connection, transaction, deal.Id, cancellationToken).ConfigureAwait(false);
                            if (stored is not null && stored.Version == expectedVersion)
                            {
                                // The version matches, so the events must be what does not fit: this throws.
                                DealStoreChecks.ValidateSequence(stored, events);
                            }
                        }

                        return false;
                    }
                }

                if (BeforeCommit is { } beforeCommit)
                {
                    await beforeCommit(connection, cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                _data.Saved(pipeline, deal.Id, data, deal.Data);
                return true;
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        DealStoreChecks.ValidatePage(afterSequence, limit);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = new NpgsqlCommand(_sql.SelectEvents, connection);
            command.Parameters.AddWithValue("deal_id", dealId);
            command.Parameters.AddWithValue("after", afterSequence);
            command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = limit is { } l ? l : DBNull.Value });
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
                        reader.GetFieldValue<DateTimeOffset>(2),
                        reader.GetString(3),
                        reader.GetNullableString(4),
                        reader.GetNullableString(5),
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
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = new NpgsqlCommand { Connection = connection };
            var sql = new StringBuilder(_sql.SelectDeals).Append(" WHERE TRUE");
            DealQuerySql.AppendFilters(sql, command, query, '@', static t => t.ToUniversalTime());
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

            return DealQuerySql.ToPage(deals, query);
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
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var existing = new List<string>();
                using (var exists = new NpgsqlCommand(_sql.SelectExistingIds, connection, transaction))
                {
                    exists.Parameters.AddWithValue("ids", batch.Select(i => i.Deal.Id).ToArray());
                    var reader = await exists.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            existing.Add($"Deal '{reader.GetString(0)}' already exists.");
                        }
                    }
                }

                if (existing.Count > 0)
                {
                    throw new DealImportException(existing);
                }

                try
                {
                    await CopyDealsAsync(connection, batch, data, cancellationToken).ConfigureAwait(false);
                    await CopyEventsAsync(connection, batch, cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (ex.SqlState == UniqueViolation)
                {
                    throw new DealImportException(["A deal of the batch was created by another writer during the import."]);
                }
            }
        }
    }

    /// <summary>Closes the store's connections (unless the data source was given in the options).</summary>
    public void Dispose()
    {
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }

        _schema.Dispose();
    }

    /// <summary>Closes the store's connections (unless the data source was given in the options).</summary>
    /// <returns>A task that completes when the connections are closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }

        _schema.Dispose();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddDealParameters(NpgsqlParameterCollection p, Deal deal, string data)
    {
        p.AddWithValue("id", deal.Id);
        p.AddWithValue("pipeline_id", deal.PipelineId);
        p.AddWithValue("pipeline_version", deal.PipelineVersion);
        p.AddWithValue("stage_id", deal.StageId);
        p.AddWithValue("previous_stage_id", NpgsqlDbType.Text, (object?)deal.PreviousStageId ?? DBNull.Value);
        p.AddWithValue("version", deal.Version);
        p.AddWithValue("last_sequence", deal.LastSequence);
        p.AddWithValue("created_at", deal.CreatedAt.ToUniversalTime());
        p.AddWithValue("updated_at", deal.UpdatedAt.ToUniversalTime());
        p.AddWithValue("stage_entered_at", deal.StageEnteredAt.ToUniversalTime());
        p.AddWithValue("last_activity_at", deal.LastActivityAt.ToUniversalTime());
        p.AddWithValue("owner", NpgsqlDbType.Text, (object?)deal.Owner ?? DBNull.Value);
        p.AddWithValue("amount", NpgsqlDbType.Numeric, deal.Amount is { } amount ? amount : DBNull.Value);
        p.AddWithValue("outcome", StoredEnums.ToText(deal.Outcome));
        p.AddWithValue("outcome_reason", NpgsqlDbType.Text, (object?)deal.OutcomeReason ?? DBNull.Value);
        p.AddWithValue("next_follow_up_at", NpgsqlDbType.TimestampTz, deal.NextFollowUpAt is { } due ? due.ToUniversalTime() : DBNull.Value);
        p.AddWithValue("checklist", deal.CompletedChecklistItems.Order(StringComparer.Ordinal).ToArray());
        p.AddWithValue("data", NpgsqlDbType.Jsonb, data);
    }

    private static void AddEventParameters(NpgsqlParameterCollection p, IReadOnlyList<DealEvent> events)
    {
        p.AddWithValue("sequences", events.Select(e => e.Sequence).ToArray());
        p.AddWithValue("kinds", events.Select(e => StoredEnums.ToText(e.Kind)).ToArray());
        p.AddWithValue("occurred_at", events.Select(e => e.Timestamp.ToUniversalTime()).ToArray());
        p.AddWithValue("actors", events.Select(e => e.Actor).ToArray());
        p.AddWithValue("triggers", NpgsqlDbType.Array | NpgsqlDbType.Text, events.Select(e => e.Trigger).ToArray());
        p.AddWithValue("from_stages", NpgsqlDbType.Array | NpgsqlDbType.Text, events.Select(e => e.FromStage).ToArray());
        p.AddWithValue("to_stages", events.Select(e => e.ToStage).ToArray());
        p.AddWithValue("payloads", NpgsqlDbType.Array | NpgsqlDbType.Jsonb, events.Select(EventPayload.Serialize).ToArray());
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await writer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await writer.WriteAsync(value, type, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CopyDealsAsync(NpgsqlConnection connection, IReadOnlyList<DealImport> batch, string[] data, CancellationToken cancellationToken)
    {
        var writer = await connection.BeginBinaryImportAsync(_sql.CopyDeals, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var deal = batch[i].Deal;
                await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(deal.Id, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(deal.PipelineId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(deal.PipelineVersion, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(deal.StageId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(writer, deal.PreviousStageId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(deal.Version, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(deal.LastSequence, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(deal.CreatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(deal.UpdatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(deal.StageEnteredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(deal.LastActivityAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(writer, deal.Owner, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(writer, deal.Amount, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(StoredEnums.ToText(deal.Outcome), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(writer, deal.OutcomeReason, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(writer, deal.NextFollowUpAt?.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(deal.CompletedChecklistItems.Order(StringComparer.Ordinal).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(data[i], NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
            }

            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CopyEventsAsync(NpgsqlConnection connection, IReadOnlyList<DealImport> batch, CancellationToken cancellationToken)
    {
        var writer = await connection.BeginBinaryImportAsync(_sql.CopyEvents, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var item in batch)
            {
                foreach (var e in item.Events)
                {
                    await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(e.DealId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(e.Sequence, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(StoredEnums.ToText(e.Kind), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(e.Timestamp.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(e.Actor, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await WriteNullableAsync(writer, e.Trigger, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await WriteNullableAsync(writer, e.FromStage, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(e.ToStage, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(EventPayload.Serialize(e), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
                }
            }

            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Deal?> ReadDealAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string dealId, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(_sql.SelectDeal, connection, transaction);
        command.Parameters.AddWithValue("id", dealId);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadDeal(reader) : null;
        }
    }

    private Deal ReadDeal(NpgsqlDataReader reader)
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
            CreatedAt = reader.GetFieldValue<DateTimeOffset>(7),
            UpdatedAt = reader.GetFieldValue<DateTimeOffset>(8),
            StageEnteredAt = reader.GetFieldValue<DateTimeOffset>(9),
            LastActivityAt = reader.GetFieldValue<DateTimeOffset>(10),
            Owner = reader.GetNullableString(11),
            Amount = reader.IsDBNull(12) ? null : reader.GetDecimal(12),
            Outcome = StoredEnums.ParseStageKind(reader.GetString(13)),
            OutcomeReason = reader.GetNullableString(14),
            NextFollowUpAt = reader.IsDBNull(15) ? null : reader.GetFieldValue<DateTimeOffset>(15),
            CompletedChecklistItems = [.. reader.GetFieldValue<string[]>(16)],
            Data = _data.Deserialize(_pipelines.Get(pipelineId, pipelineVersion), id, reader.GetString(17)),
        };
    }
}
