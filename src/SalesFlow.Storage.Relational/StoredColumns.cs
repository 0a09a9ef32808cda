namespace SalesFlow.Storage.Relational;

/// <summary>A column of a SalesFlow table, with what its values are.</summary>
/// <param name="Name">The column's name.</param>
/// <param name="Kind">What its values are.</param>
public readonly record struct StoredColumn(string Name, StoredValueKind Kind);

/// <summary>
/// The columns of the deals table, in the one order <see cref="DealRowMapper"/> binds and reads them; every
/// statement that writes or reads a whole deal row is built from this list.
/// </summary>
public static class DealColumns
{
    /// <summary>Gets the columns, in binding and reading order; <c>id</c> first, <c>tenant_id</c> last.</summary>
    public static IReadOnlyList<StoredColumn> All { get; } =
    [
        new("id", StoredValueKind.Text),
        new("pipeline_id", StoredValueKind.Text),
        new("pipeline_version", StoredValueKind.SmallNumber),
        new("stage_id", StoredValueKind.Text),
        new("previous_stage_id", StoredValueKind.Text),
        new("version", StoredValueKind.Number),
        new("last_sequence", StoredValueKind.Number),
        new("created_at", StoredValueKind.Time),
        new("updated_at", StoredValueKind.Time),
        new("stage_entered_at", StoredValueKind.Time),
        new("last_activity_at", StoredValueKind.Time),
        new("owner", StoredValueKind.Text),
        new("amount", StoredValueKind.Amount),
        new("outcome", StoredValueKind.Text),
        new("outcome_reason", StoredValueKind.Text),
        new("next_follow_up_at", StoredValueKind.Time),
        new("checklist", StoredValueKind.Checklist),
        new("data", StoredValueKind.Json),
        new("stage_entered_sequence", StoredValueKind.Number),
        new("tenant_id", StoredValueKind.Text),
    ];

    /// <summary>Gets the column names separated by commas, for <c>SELECT</c> and <c>INSERT</c>.</summary>
    public static string List { get; } = string.Join(", ", All.Select(c => c.Name));

    /// <summary>Gets the parameters of every column separated by commas, for <c>INSERT … VALUES (…)</c>.</summary>
    /// <param name="dialect">The dialect (parameter marker).</param>
    /// <returns>For example <c>@id, @pipeline_id, …</c>.</returns>
    public static string ParameterList(RelationalDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        return string.Join(", ", All.Select(c => dialect.Parameter(c.Name)));
    }

    /// <summary>
    /// Gets <c>column = parameter</c> for every column but the key (<c>id</c> and <c>tenant_id</c>), for <c>UPDATE … SET</c>;
    /// the statement's <c>WHERE</c> names the key.
    /// </summary>
    /// <param name="dialect">The dialect (parameter marker).</param>
    /// <returns>For example <c>pipeline_id = @pipeline_id, …</c>.</returns>
    public static string Assignments(RelationalDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        return string.Join(", ", All.Skip(1).SkipLast(1).Select(c => c.Name + " = " + dialect.Parameter(c.Name)));
    }
}

/// <summary>The columns of the deal events table, in the one order <see cref="DealRowMapper"/> binds and reads them.</summary>
public static class EventColumns
{
    /// <summary>Gets the columns, in binding and reading order; <c>deal_id</c> first, <c>tenant_id</c> last.</summary>
    public static IReadOnlyList<StoredColumn> All { get; } =
    [
        new("deal_id", StoredValueKind.Text),
        new("sequence", StoredValueKind.Number),
        new("kind", StoredValueKind.Text),
        new("occurred_at", StoredValueKind.Time),
        new("actor", StoredValueKind.Text),
        new("trigger", StoredValueKind.Text),
        new("from_stage", StoredValueKind.Text),
        new("to_stage", StoredValueKind.Text),
        new("payload", StoredValueKind.Json),
        new("idempotency_key", StoredValueKind.Text),
        new("tenant_id", StoredValueKind.Text),
    ];

    /// <summary>Gets the column names separated by commas.</summary>
    public static string List { get; } = string.Join(", ", All.Select(c => c.Name));

    /// <summary>Gets the column names, each prefixed with a table alias, separated by commas.</summary>
    /// <param name="alias">The alias, for example <c>e</c>.</param>
    /// <returns>For example <c>e.deal_id, e.sequence, …</c>.</returns>
    public static string Qualified(string alias) => string.Join(", ", All.Select(c => alias + "." + c.Name));

    /// <summary>Gets the parameters of every column separated by commas, for <c>INSERT … VALUES (…)</c>.</summary>
    /// <param name="dialect">The dialect (parameter marker).</param>
    /// <returns>For example <c>@deal_id, @sequence, …</c>.</returns>
    public static string ParameterList(RelationalDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        return string.Join(", ", All.Select(c => dialect.Parameter(c.Name)));
    }
}
