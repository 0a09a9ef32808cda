using System.Data.Common;
using System.Text;

namespace SalesFlow.Storage.Relational;

/// <summary>
/// The filters, order and page of a <see cref="DealQuery"/> as SQL with every value a parameter, and the page read
/// back from the rows: deals that cannot be read are reported in <see cref="DealPage.Damaged"/> instead of failing the page.
/// </summary>
public static class DealQuerySql
{
    /// <summary>Appends <c>AND …</c> filters, <c>ORDER BY id</c> and <c>LIMIT</c> (one row more than the page) to a query that ends in a <c>WHERE</c> clause.</summary>
    /// <param name="sql">The SQL so far, for example <c>SELECT … FROM deals WHERE tenant_id = @tenant_id</c>.</param>
    /// <param name="command">The command that receives the parameters.</param>
    /// <param name="query">The query.</param>
    /// <param name="dialect">How times are stored and parameters are named.</param>
    public static void AppendFilters(StringBuilder sql, DbCommand command, DealQuery query, RelationalDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(dialect);

        void Add(string name, StoredValueKind kind, object value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = dialect.Parameter(name);
            dialect.SetValue(parameter, kind, value);
            command.Parameters.Add(parameter);
        }

        void Filter(string condition, string name, StoredValueKind kind, object value)
        {
            sql.Append(" AND ").Append(condition).Append(' ').Append(dialect.Parameter(name));
            Add(name, kind, value);
        }

        if (query.PipelineId is not null)
        {
            Filter("pipeline_id =", "pipeline_id", StoredValueKind.Text, query.PipelineId);
        }

        if (query.PipelineVersion is { } version)
        {
            Filter("pipeline_version =", "pipeline_version", StoredValueKind.SmallNumber, version);
        }

        if (query.StageId is not null)
        {
            Filter("stage_id =", "stage_id", StoredValueKind.Text, query.StageId);
        }

        if (query.FollowUpDueAtOrBefore is { } due)
        {
            Filter("next_follow_up_at IS NOT NULL AND next_follow_up_at <=", "due", StoredValueKind.Time, dialect.ToStoredTime(due));
        }

        if (query.IdleSince is { } idle)
        {
            Filter("last_activity_at <", "idle", StoredValueKind.Time, dialect.ToStoredTime(idle));
        }

        if (query.AfterDealId is not null)
        {
            Filter("id >", "after", StoredValueKind.Text, query.AfterDealId);
        }

        // One row more than the page tells whether another page follows.
        sql.Append(" ORDER BY id LIMIT ").Append(dialect.Parameter("limit"));
        Add("limit", StoredValueKind.SmallNumber, query.Limit + 1);
    }

    /// <summary>Runs a query on the deals table and reads its page: the one way a SQL store answers <see cref="IDealStore.QueryAsync"/>.</summary>
    /// <param name="command">A new command on an open connection; it receives the SQL and parameters.</param>
    /// <param name="dealsTable">The deals table's (qualified) name.</param>
    /// <param name="tenantId">The tenant whose deals are searched.</param>
    /// <param name="query">The query.</param>
    /// <param name="mapper">Reads the rows (and gives the dialect).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The page; deals that cannot be read are in <see cref="DealPage.Damaged"/>.</returns>
    public static async Task<DealPage> QueryAsync(DbCommand command, string dealsTable, string tenantId, DealQuery query, DealRowMapper mapper, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentException.ThrowIfNullOrWhiteSpace(dealsTable);
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(mapper);
        var tenant = mapper.Dialect.Parameter("tenant_id");
        var sql = new StringBuilder("SELECT ").Append(DealColumns.List).Append(" FROM ").Append(dealsTable).Append(" WHERE tenant_id = ").Append(tenant);
        mapper.SetParameter(command, command.Parameters.Count, DealColumns.All[^1], tenantId);
        AppendFilters(sql, command, query, mapper.Dialect);
        command.CommandText = sql.ToString();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await ReadPageAsync(reader, mapper, query, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads the page of a query built with <see cref="AppendFilters"/> (rows of <see cref="DealColumns.All"/>): at most
    /// <see cref="DealQuery.Limit"/> rows; a row that cannot be read is listed in <see cref="DealPage.Damaged"/>.
    /// </summary>
    /// <param name="reader">The reader of the query's rows.</param>
    /// <param name="mapper">Reads the rows.</param>
    /// <param name="query">The query.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The page.</returns>
    public static async Task<DealPage> ReadPageAsync(DbDataReader reader, DealRowMapper mapper, DealQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(mapper);
        ArgumentNullException.ThrowIfNull(query);
        var page = new PageCollector(query.Limit);
        while (!page.IsFull && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            page.Add(reader, mapper);
        }

        // A row beyond the page means another page follows.
        return page.ToPage(hasMore: page.IsFull && await reader.ReadAsync(cancellationToken).ConfigureAwait(false));
    }

    // Collects one page of rows: the deals read, the damaged ones, and the last id whichever it was.
    internal sealed class PageCollector(int limit)
    {
        private readonly List<Deal> _deals = [];
        private readonly List<DealDataDamagedException> _damaged = [];
        private string? _lastId;
        private int _rows;

        public bool IsFull => _rows == limit;

        public void Add(DbDataReader reader, DealRowMapper mapper)
        {
            _rows++;
            _lastId = reader.GetString(0);
            try
            {
                _deals.Add(mapper.ReadDeal(reader));
            }
            catch (DealDataDamagedException ex)
            {
                _damaged.Add(ex);
            }
        }

        public DealPage ToPage(bool hasMore) => new(_deals, hasMore ? _lastId : null) { Damaged = _damaged };
    }
}
