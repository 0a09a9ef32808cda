using System.Collections.Immutable;
using System.Data.Common;
using System.Text.Json;

namespace SalesFlow.Storage.Relational;

/// <summary>
/// Applies <see cref="DealWrite.RedactedEvents"/> in a SQL store: rewrites the payload column of each stored event
/// (its note, reason, override justification and properties; the activity and overridden guards stay), inside the save's
/// transaction, after the deal row has been updated under its expected version.
/// </summary>
public static class EventRedactions
{
    // By name: the column list grows (the idempotency key came after the payload).
    private static readonly StoredColumn DealIdColumn = Column("deal_id");
    private static readonly StoredColumn SequenceColumn = Column("sequence");
    private static readonly StoredColumn PayloadColumn = Column("payload");
    private static readonly StoredColumn TenantColumn = Column("tenant_id");

    /// <summary>Rewrites the stored events a write redacts.</summary>
    /// <param name="connection">The save's connection.</param>
    /// <param name="transaction">The save's transaction.</param>
    /// <param name="rows">The store's row mapper (its dialect binds the parameters).</param>
    /// <param name="eventsTable">The events table, qualified as the store's SQL names it.</param>
    /// <param name="write">The write (its deal's tenant selects the rows); nothing happens when it redacts no event.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when every redacted event is rewritten.</returns>
    /// <exception cref="ArgumentException">A redacted event is not stored.</exception>
    public static async Task ApplyAsync(DbConnection connection, DbTransaction transaction, DealRowMapper rows, string eventsTable, DealWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentException.ThrowIfNullOrWhiteSpace(eventsTable);
        ArgumentNullException.ThrowIfNull(write);
        if (write.RedactedEvents.Count == 0)
        {
            return;
        }

        var p = rows.Dialect;
        using var select = connection.CreateCommand();
        select.Transaction = transaction;
        var key = " WHERE tenant_id = " + p.Parameter(TenantColumn.Name) + " AND deal_id = " + p.Parameter(DealIdColumn.Name) + " AND sequence = " + p.Parameter(SequenceColumn.Name);
        select.CommandText = "SELECT payload FROM " + eventsTable + key;
        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE " + eventsTable + " SET payload = " + p.Parameter(PayloadColumn.Name) + key;
        var tenantId = write.Deal.TenantId;
        foreach (var redacted in write.RedactedEvents)
        {
            rows.SetParameter(select, 0, TenantColumn, tenantId);
            rows.SetParameter(select, 1, DealIdColumn, redacted.DealId);
            rows.SetParameter(select, 2, SequenceColumn, redacted.Sequence);
            var stored = await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string
                ?? throw new ArgumentException($"Event {redacted.Sequence} of deal '{redacted.DealId}' is not stored; only stored events can be redacted.", nameof(write));
            rows.SetParameter(update, 0, PayloadColumn, Rewrite(stored, redacted));
            rows.SetParameter(update, 1, TenantColumn, tenantId);
            rows.SetParameter(update, 2, DealIdColumn, redacted.DealId);
            rows.SetParameter(update, 3, SequenceColumn, redacted.Sequence);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static StoredColumn Column(string name) => EventColumns.All.Single(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    // The stored payload with the redacted event's free text.
    internal static string Rewrite(string storedPayload, DealEvent redacted)
    {
        var payload = JsonSerializer.Deserialize(storedPayload, StorageJsonContext.Default.EventPayload) ?? new EventPayload();
        var merged = new DealEvent
        {
            DealId = redacted.DealId,
            Sequence = redacted.Sequence,
            Kind = redacted.Kind,
            Timestamp = redacted.Timestamp,
            Actor = redacted.Actor,
            ToStage = redacted.ToStage,
            Activity = payload.Activity,
            OverriddenGuards = payload.OverriddenGuards is null ? [] : [.. payload.OverriddenGuards],
            Note = redacted.Note,
            Reason = redacted.Reason,
            OverrideJustification = redacted.OverrideJustification,
            Properties = redacted.Properties ?? ImmutableDictionary<string, string>.Empty,
        };
        return EventPayload.Serialize(merged);
    }
}
