using System.Data.Common;
using System.Text;

namespace SalesFlow.Storage.Internal;

// Shared by the SQLite and PostgreSQL stores (compiled into both): the filters, order and page size of a DealQuery,
// with every value passed as a parameter. The stores differ only in the parameter marker and how they store times.
internal static class DealQuerySql
{
    /// <summary>Appends <c>AND …</c> filters, <c>ORDER BY id</c> and <c>LIMIT</c> (one row more than the page) to <paramref name="sql"/>.</summary>
    public static void AppendFilters(StringBuilder sql, DbCommand command, DealQuery query, char marker, Func<DateTimeOffset, object> time)
    {
        void Filter(string condition, string name, object value)
        {
            sql.Append(" AND ").Append(condition).Append(' ').Append(marker).Append(name);
            var parameter = command.CreateParameter();
            parameter.ParameterName = marker + name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        if (query.PipelineId is not null)
        {
            Filter("pipeline_id =", "pipeline_id", query.PipelineId);
        }

        if (query.StageId is not null)
        {
            Filter("stage_id =", "stage_id", query.StageId);
        }

        if (query.FollowUpDueAtOrBefore is { } due)
        {
            Filter("next_follow_up_at IS NOT NULL AND next_follow_up_at <=", "due", time(due));
        }

        if (query.IdleSince is { } idle)
        {
            Filter("last_activity_at <", "idle", time(idle));
        }

        if (query.AfterDealId is not null)
        {
            Filter("id >", "after", query.AfterDealId);
        }

        // One row more than the page tells whether another page follows.
        sql.Append(" ORDER BY id LIMIT ").Append(marker).Append("limit");
        var limit = command.CreateParameter();
        limit.ParameterName = marker + "limit";
        limit.Value = query.Limit + 1;
        command.Parameters.Add(limit);
    }

    /// <summary>The page of a query read with <see cref="AppendFilters"/>: drops the extra row and says where the next page starts.</summary>
    public static DealPage ToPage(List<Deal> deals, DealQuery query)
    {
        var hasMore = deals.Count > query.Limit;
        if (hasMore)
        {
            deals.RemoveAt(deals.Count - 1);
        }

        return new DealPage(deals, hasMore ? deals[^1].Id : null);
    }
}
