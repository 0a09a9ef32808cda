namespace SalesFlow.Storage.Relational;

/// <summary>Migration SQL that is the same in every SQL dialect SalesFlow supports, for stores to put in their migrations.</summary>
public static class StandardMigrations
{
    /// <summary>
    /// Fills <c>stage_entered_sequence</c> of every deal from its history: the latest event that entered the deal's
    /// current stage (its start, or a transition from another stage into it); 1 when none is found.
    /// </summary>
    /// <param name="dealsTable">The deals table's qualified name (the <c>UPDATE</c> target).</param>
    /// <param name="dealsName">How the target is named inside the subquery (the table's unqualified name).</param>
    /// <param name="eventsTable">The events table's qualified name.</param>
    /// <returns>The <c>UPDATE</c> statement.</returns>
    public static string BackfillStageEnteredSequence(string dealsTable, string dealsName, string eventsTable) =>
        "UPDATE " + dealsTable + " SET stage_entered_sequence = COALESCE((SELECT MAX(e.sequence) FROM " + eventsTable + " e " +
        "WHERE e.deal_id = " + dealsName + ".id AND e.to_stage = " + dealsName + ".stage_id " +
        "AND (e.kind = 'Started' OR (e.kind = 'Transition' AND (e.from_stage IS NULL OR e.from_stage <> e.to_stage)))), 1)";

    /// <summary>
    /// Adds the events' <c>idempotency_key</c> column (text, null for events written without a key) and a unique index on
    /// (<c>deal_id</c>, <c>idempotency_key</c>) over the keyed events: a deal holds a key once, so two racing repeats of
    /// one request cannot both be written.
    /// </summary>
    /// <param name="eventsTable">The events table's qualified name.</param>
    /// <param name="indexName">The unique index's name (unqualified).</param>
    /// <returns>The statements, separated by semicolons.</returns>
    public static string AddEventIdempotencyKey(string eventsTable, string indexName) =>
        "ALTER TABLE " + eventsTable + " ADD COLUMN idempotency_key TEXT NULL;\n" +
        "CREATE UNIQUE INDEX " + indexName + " ON " + eventsTable + " (deal_id, idempotency_key) WHERE idempotency_key IS NOT NULL;";
}
