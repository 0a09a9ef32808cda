using System.Data.Common;
using SalesFlow.Storage.Relational;

namespace SalesFlow.Sqlite;

/// <summary>
/// The reports over a <see cref="SqliteDealStore"/>, computed in SQL: SQLite walks each deal's events with window
/// functions and aggregates them, and only small per-deal or per-stage rows come back. The figures equal those of the
/// in-memory reference <see cref="SalesReports"/> over the same store. Get one from <see cref="SqliteDealStore.Reports"/>.
/// </summary>
public sealed class SqliteDealReports : RelationalDealReports
{
    private readonly SqliteDealStore _store;

    /// <summary>Initializes a new instance of the <see cref="SqliteDealReports"/> class.</summary>
    /// <param name="pipelines">The registry holding the pipelines reported on.</param>
    /// <param name="store">The store.</param>
    /// <param name="timeProvider">The clock for "now"; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public SqliteDealReports(PipelineRegistry pipelines, SqliteDealStore store, TimeProvider? timeProvider = null)
        : base(pipelines, store, SqliteDialect.Instance, "salesflow_deals", "salesflow_deal_events", timeProvider)
    {
        _store = store;
    }

    /// <inheritdoc/>
    protected override Task<T> ExecuteAsync<T>(Func<DbCommand, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        _store.ReadWithCommandAsync(work, cancellationToken);
}
