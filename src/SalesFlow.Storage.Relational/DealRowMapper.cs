using System.Data.Common;
using System.Text.Json;

namespace SalesFlow.Storage.Relational;

/// <summary>
/// Turns deals and events into the values of their rows and rows back into deals and events, for one dialect:
/// the one place a SQL store binds and reads the columns of <see cref="DealColumns"/> and <see cref="EventColumns"/>.
/// It keeps the JSON of deal data it wrote or read, so unchanged data is neither serialized nor parsed again.
/// </summary>
/// <remarks>
/// A row that cannot be read back (data or payload JSON that no longer parses, an unknown stored name) raises
/// <see cref="DealDataDamagedException"/> naming the deal, never the stored content. Thread-safe.
/// </remarks>
public sealed class DealRowMapper
{
    private readonly PipelineRegistry _pipelines;
    private readonly DealDataCache _data = new();

    /// <summary>Initializes a new instance of the <see cref="DealRowMapper"/> class.</summary>
    /// <param name="pipelines">The pipelines of the stored deals; they write and read each deal's data as JSON.</param>
    /// <param name="dialect">How the database stores values.</param>
    public DealRowMapper(PipelineRegistry pipelines, RelationalDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(dialect);
        _pipelines = pipelines;
        Dialect = dialect;
    }

    /// <summary>Gets the dialect the mapper converts values with.</summary>
    public RelationalDialect Dialect { get; }

    /// <summary>Gets the JSON of a deal's data, as its pipeline writes it; serialized once per data object.</summary>
    /// <param name="deal">The deal.</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="PipelineNotFoundException">The deal's pipeline (version) is not registered.</exception>
    public string SerializeData(Deal deal)
    {
        ArgumentNullException.ThrowIfNull(deal);
        return _data.Serialize(_pipelines.Get(deal.PipelineId, deal.PipelineVersion), deal.Data);
    }

    /// <summary>Remembers the data of a committed save, so the deal's next read can return the same object without parsing.</summary>
    /// <param name="deal">The saved deal.</param>
    /// <param name="dataJson">The JSON saved for its data.</param>
    public void Saved(Deal deal, string dataJson)
    {
        ArgumentNullException.ThrowIfNull(deal);
        ArgumentNullException.ThrowIfNull(dataJson);
        _data.Saved(_pipelines.Get(deal.PipelineId, deal.PipelineVersion), deal.Id, dataJson, deal.Data);
    }

    /// <summary>Gets the data JSON of every deal of an import batch, listing every deal whose pipeline is not registered.</summary>
    /// <param name="batch">The batch.</param>
    /// <returns>The JSON texts, in batch order.</returns>
    /// <exception cref="DealImportException">A deal's pipeline (version) is not registered; the exception lists every such deal.</exception>
    public string[] SerializeImportData(IReadOnlyList<DealImport> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
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

    /// <summary>Gets the stored values of a deal row, in <see cref="DealColumns.All"/> order, converted by the dialect.</summary>
    /// <param name="deal">The deal.</param>
    /// <param name="dataJson">The JSON of its data (<see cref="SerializeData"/>).</param>
    /// <returns>One value per column; <see langword="null"/> for SQL NULL.</returns>
    public object?[] GetDealValues(Deal deal, string dataJson)
    {
        ArgumentNullException.ThrowIfNull(deal);
        ArgumentNullException.ThrowIfNull(dataJson);
        var d = Dialect;
        return
        [
            deal.Id,
            deal.PipelineId,
            deal.PipelineVersion,
            deal.StageId,
            deal.PreviousStageId,
            deal.Version,
            deal.LastSequence,
            d.ToStoredTime(deal.CreatedAt),
            d.ToStoredTime(deal.UpdatedAt),
            d.ToStoredTime(deal.StageEnteredAt),
            d.ToStoredTime(deal.LastActivityAt),
            deal.Owner,
            deal.Amount is { } amount ? d.ToStoredAmount(amount) : null,
            StoredEnums.ToText(deal.Outcome),
            deal.OutcomeReason,
            deal.NextFollowUpAt is { } due ? d.ToStoredTime(due) : null,
            d.ToStoredChecklist(deal.CompletedChecklistItems),
            dataJson,
            deal.StageEnteredSequence,
            deal.TenantId,
        ];
    }

    /// <summary>Gets the stored values of an event row, in <see cref="EventColumns.All"/> order, converted by the dialect.</summary>
    /// <param name="e">The event.</param>
    /// <param name="tenantId">The tenant of the event's deal.</param>
    /// <returns>One value per column; <see langword="null"/> for SQL NULL.</returns>
    public object?[] GetEventValues(DealEvent e, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(tenantId);
        return
        [
            e.DealId,
            e.Sequence,
            StoredEnums.ToText(e.Kind),
            Dialect.ToStoredTime(e.Timestamp),
            e.Actor,
            e.Trigger,
            e.FromStage,
            e.ToStage,
            EventPayload.Serialize(e),
            e.IdempotencyKey,
            tenantId,
        ];
    }

    /// <summary>
    /// Binds a deal to a command's first parameters, one per column of <see cref="DealColumns.All"/> named like it;
    /// they are created on the first bind, so a prepared command is bound again without allocating parameters.
    /// </summary>
    /// <param name="command">The command (its SQL uses <see cref="DealColumns.ParameterList"/> or <see cref="DealColumns.Assignments"/>).</param>
    /// <param name="deal">The deal.</param>
    /// <param name="dataJson">The JSON of its data.</param>
    public void BindDeal(DbCommand command, Deal deal, string dataJson) =>
        Bind(command, 0, DealColumns.All, GetDealValues(deal, dataJson));

    /// <summary>Binds an event to a command's parameters from <paramref name="firstParameter"/> on, one per column of <see cref="EventColumns.All"/>.</summary>
    /// <param name="command">The command.</param>
    /// <param name="firstParameter">The index of the first event parameter.</param>
    /// <param name="e">The event.</param>
    /// <param name="tenantId">The tenant of the event's deal.</param>
    public void BindEvent(DbCommand command, int firstParameter, DealEvent e, string tenantId) =>
        Bind(command, firstParameter, EventColumns.All, GetEventValues(e, tenantId));

    /// <summary>Sets the parameter at <paramref name="index"/>, creating it (named with the dialect's marker) when the command has exactly that many.</summary>
    /// <param name="command">The command.</param>
    /// <param name="index">The parameter's index.</param>
    /// <param name="column">The parameter's name and kind.</param>
    /// <param name="value">The value, already converted by the dialect; <see langword="null"/> for SQL NULL.</param>
    public void SetParameter(DbCommand command, int index, StoredColumn column, object? value)
    {
        ArgumentNullException.ThrowIfNull(command);
        DbParameter parameter;
        if (index == command.Parameters.Count)
        {
            parameter = command.CreateParameter();
            parameter.ParameterName = Dialect.Parameter(column.Name);
            command.Parameters.Add(parameter);
        }
        else
        {
            parameter = command.Parameters[index];
        }

        Dialect.SetValue(parameter, column.Kind, value);
    }

    /// <summary>Reads a deal from the current row, whose first columns are <see cref="DealColumns.All"/> in order.</summary>
    /// <param name="reader">The reader on the row.</param>
    /// <returns>The deal.</returns>
    /// <exception cref="DealDataDamagedException">The row cannot be read back (its data JSON does not parse, a stored name is unknown).</exception>
    /// <exception cref="PipelineNotFoundException">The deal's pipeline (version) is not registered.</exception>
    public Deal ReadDeal(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var id = reader.GetString(0);
        var pipelineId = reader.GetString(1);
        var pipelineVersion = reader.GetInt32(2);
        var pipeline = _pipelines.Get(pipelineId, pipelineVersion);
        var d = Dialect;
        try
        {
            return new Deal
            {
                Id = id,
                PipelineId = pipelineId,
                PipelineVersion = pipelineVersion,
                StageId = reader.GetString(3),
                PreviousStageId = reader.GetNullableString(4),
                Version = reader.GetInt64(5),
                LastSequence = reader.GetInt64(6),
                CreatedAt = d.ReadTime(reader, 7),
                UpdatedAt = d.ReadTime(reader, 8),
                StageEnteredAt = d.ReadTime(reader, 9),
                LastActivityAt = d.ReadTime(reader, 10),
                Owner = reader.GetNullableString(11),
                Amount = reader.IsDBNull(12) ? null : d.ReadAmount(reader, 12),
                Outcome = StoredEnums.ParseStageKind(reader.GetString(13)),
                OutcomeReason = reader.GetNullableString(14),
                NextFollowUpAt = reader.IsDBNull(15) ? null : d.ReadTime(reader, 15),
                CompletedChecklistItems = d.ReadChecklist(reader, 16),
                Data = _data.Deserialize(pipeline, id, reader.GetString(17)),
                StageEnteredSequence = reader.GetInt64(18),
                TenantId = reader.GetString(19),
            };
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            throw new DealDataDamagedException(id, $"its row does not read back as a deal of pipeline '{pipelineId}' v{pipelineVersion} ({ex.GetType().Name})", ex);
        }
    }

    /// <summary>Reads an event from the current row, whose columns from <paramref name="firstOrdinal"/> on are <see cref="EventColumns.All"/> in order.</summary>
    /// <param name="reader">The reader on the row.</param>
    /// <param name="firstOrdinal">The ordinal of the <c>deal_id</c> column.</param>
    /// <returns>The event.</returns>
    /// <exception cref="DealDataDamagedException">The row cannot be read back (its payload JSON does not parse, a stored name is unknown).</exception>
    public DealEvent ReadEvent(DbDataReader reader, int firstOrdinal = 0)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var o = firstOrdinal;
        var dealId = reader.GetString(o);
        var sequence = reader.GetInt64(o + 1);
        try
        {
            var read = EventPayload.ToEvent(
                reader.GetString(o + 8),
                dealId,
                sequence,
                StoredEnums.ParseEventKind(reader.GetString(o + 2)),
                Dialect.ReadTime(reader, o + 3),
                reader.GetString(o + 4),
                reader.GetNullableString(o + 5),
                reader.GetNullableString(o + 6),
                reader.GetString(o + 7));
            return reader.GetNullableString(o + 9) is { } key ? read with { IdempotencyKey = key } : read;
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            throw new DealDataDamagedException(dealId, $"its event {sequence} does not read back ({ex.GetType().Name})", ex);
        }
    }

    /// <summary>
    /// Reads a feed event from the current row: the position's commit and offset, the deal's pipeline id, then
    /// <see cref="EventColumns.All"/> in order.
    /// </summary>
    /// <param name="reader">The reader on the row.</param>
    /// <returns>The feed event.</returns>
    /// <exception cref="DealDataDamagedException">The event cannot be read back.</exception>
    public FeedEvent ReadFeedEvent(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new FeedEvent(new FeedPosition(reader.GetInt64(0), reader.GetInt64(1)), reader.GetString(2), ReadEvent(reader, 3))
        {
            TenantId = reader.GetString(3 + EventColumns.All.Count - 1),
        };
    }

    private static bool IsUnreadable(Exception ex) =>
        ex is JsonException or InvalidDataException or FormatException or OverflowException or NotSupportedException or InvalidCastException;

    private void Bind(DbCommand command, int first, IReadOnlyList<StoredColumn> columns, object?[] values)
    {
        ArgumentNullException.ThrowIfNull(command);
        for (var i = 0; i < columns.Count; i++)
        {
            SetParameter(command, first + i, columns[i], values[i]);
        }
    }
}

internal static class DataReaderExtensions
{
    public static string? GetNullableString(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
