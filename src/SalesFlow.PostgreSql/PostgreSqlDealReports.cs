using System.Data.Common;
using SalesFlow.Storage.Relational;

namespace SalesFlow.PostgreSql;

/// <summary>
/// The reports of a <see cref="PostgreSqlDealStore"/>, computed by PostgreSQL: the same SQL as the SQLite store's
/// (<see cref="RelationalDealReports"/>: window functions over each deal's events in sequence order), so only small
/// per-deal or per-stage rows cross the network. The figures equal those of <see cref="SalesReports"/> over the same
/// store; docs/reports.md defines them. Get one from <see cref="PostgreSqlDealStore.Reports"/>.
/// </summary>
/// <remarks>A report reads a live store: deals and events written while it runs may or may not be included.</remarks>
public sealed class PostgreSqlDealReports : RelationalDealReports
{
    private readonly PostgreSqlDealStore _store;

    /// <summary>Creates the reports over a PostgreSQL store (the arguments in the order of <see cref="SalesReports"/>'s).</summary>
    /// <param name="pipelines">The registry holding the pipelines reported on (every version of them).</param>
    /// <param name="store">The store whose deals and events are reported on.</param>
    /// <param name="timeProvider">The clock for "now"; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public PostgreSqlDealReports(PipelineRegistry pipelines, PostgreSqlDealStore store, TimeProvider? timeProvider = null)
        : base(pipelines, store, PostgreSqlDialect.Instance, Table(store, "deals"), Table(store, "deal_events"), timeProvider)
    {
        _store = store;
    }

    /// <inheritdoc/>
    protected override Task<T> ExecuteAsync<T>(Func<DbCommand, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        _store.ReadAsync(
            async connection =>
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    return await work(command, cancellationToken).ConfigureAwait(false);
                }
            },
            cancellationToken);

    private static string Table(PostgreSqlDealStore store, string name)
    {
        ArgumentNullException.ThrowIfNull(store);
        return "\"" + store.Schema + "\"." + name;
    }
}
