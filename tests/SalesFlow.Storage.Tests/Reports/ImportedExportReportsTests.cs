using SalesFlow.PostgreSql;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing.CrmExports;

namespace SalesFlow.Storage.Tests.Reports;

/// <summary>
/// Issue 11 §3: several thousand deals of a generated CRM export, in each shape, imported into each store; every report
/// figure (stage counts, funnel, win rate, median and mean time to close for won and for all closed deals, won value,
/// average won size, sales velocity, wins and won value per owner and per product) must equal the figure computed here,
/// separately from the library, from the generator's ground truth. On the SQL stores, <see cref="CrmImportChecks"/> checks
/// the same truth with SQL over the store's own tables (stage counts, outcomes, won value, wins per owner, every deal's
/// first and last event time), so library, SQL and truth agree.
/// </summary>
[Collection(PostgresServerTests.Name)]
public sealed class ImportedExportReportsTests
{
    private const int Deals = 3000;
    private static readonly PipelineDefinition Pipeline = PipelineJson.Parse(CrmExportGenerator.PipelineJson);
    private static readonly string[] Bars = ["lead", "qualified", "discovery", "demo", "proposal", "negotiation", "won"];

    public static TheoryData<ExportShape> Shapes => new() { ExportShape.Snapshot, ExportShape.History };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Reports_InMemoryStore_EqualTheIndependentFigures(ExportShape shape)
    {
        var registry = new PipelineRegistry(Pipeline);
        var store = new InMemoryDealStore();

        await ImportAndCompareAsync(shape, store, new SalesReports(registry, store, TimeProvider.System));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Reports_SqliteStore_EqualTheIndependentFigures(ExportShape shape)
    {
        using var file = new TemporarySqliteFile();
        await using var store = new SqliteDealStore(new PipelineRegistry(Pipeline), new SqliteDealStoreOptions { DataSource = file.Path });

        await ImportAndCompareAsync(shape, store, store.Reports());
    }

    [PostgresFact]
    public async Task Reports_PostgreSqlStore_SnapshotExport_EqualTheIndependentFigures()
    {
        await using var schema = new TemporaryPostgresSchema();
        await using var store = new PostgreSqlDealStore(new PipelineRegistry(Pipeline), new PostgreSqlDealStoreOptions { ConnectionString = schema.ConnectionString, Schema = schema.Name });

        await ImportAndCompareAsync(ExportShape.Snapshot, store, store.Reports());
    }

    [PostgresFact]
    public async Task Reports_PostgreSqlStore_HistoryExport_EqualTheIndependentFigures()
    {
        await using var schema = new TemporaryPostgresSchema();
        await using var store = new PostgreSqlDealStore(new PipelineRegistry(Pipeline), new PostgreSqlDealStoreOptions { ConnectionString = schema.ConnectionString, Schema = schema.Name });

        await ImportAndCompareAsync(ExportShape.History, store, store.Reports());
    }

    private static async Task ImportAndCompareAsync(ExportShape shape, IDealStore store, IDealReports reports)
    {
        var generator = new CrmExportGenerator(seed: 1111);
        var (export, mapping) = shape == ExportShape.Snapshot
            ? (generator.Snapshot(Deals), CrmExportGenerator.SnapshotMapping)
            : (generator.History(Deals), CrmExportGenerator.HistoryMapping);
        var result = await new CrmImporter(store, Pipeline, ImportMapping.Parse(mapping)).ImportAsync(new StringReader(export.Csv));
        result.DealsImported.Should().Be(export.Deals.Count);
        result.Rejected.Select(r => r.Line).Should().Equal(export.RejectedLines);

        var truth = export.Deals;
        var request = new ReportRequest(Pipeline.Id, new ReportWindow(truth.Min(d => d.StartedAt), truth.Max(d => d.LastMovedAt).AddTicks(1)));
        var won = truth.Where(d => d.StageId == "won").ToList();
        var lost = truth.Where(d => d.StageId == "lost").ToList();
        var open = truth.Where(d => d.StageId is not ("won" or "lost")).ToList();
        won.Should().NotBeEmpty();
        lost.Should().NotBeEmpty();
        open.Should().NotBeEmpty();

        // Stage counts: open stages from the time-in-stage report's current stays, won and lost from the outcomes.
        var outcomes = await reports.OutcomesAsync(request);
        var times = await reports.TimeInStageAsync(request);
        var counted = times.Stages.Where(s => s.Current.Count > 0).ToDictionary(s => s.StageId, s => s.Current.Count);
        counted["won"] = outcomes.Won;
        counted["lost"] = outcomes.Lost;
        counted.Should().BeEquivalentTo(truth.GroupBy(d => d.StageId).ToDictionary(g => g.Key, g => g.Count()));

        // Outcomes.
        outcomes.WinRate.Should().Be((double)won.Count / (won.Count + lost.Count));
        outcomes.WonValue.Should().Be(won.Sum(d => d.Amount));
        outcomes.AverageWonSize.Should().Be(won.Sum(d => d.Amount) / won.Count);
        outcomes.OpenDeals.Should().Be(open.Count);
        var wonCycles = won.Select(Cycle).ToList();
        var closedCycles = won.Concat(lost).Select(Cycle).ToList();
        (outcomes.WonCycle.Count, outcomes.WonCycle.Median, outcomes.WonCycle.Mean).Should().Be((wonCycles.Count, Median(wonCycles), Mean(wonCycles)));
        (outcomes.LostCycle.Count, outcomes.LostCycle.Median, outcomes.LostCycle.Mean).Should().Be((lost.Count, Median([.. lost.Select(Cycle)]), Mean([.. lost.Select(Cycle)])));
        (outcomes.ClosedCycle.Count, outcomes.ClosedCycle.Median, outcomes.ClosedCycle.Mean).Should().Be((closedCycles.Count, Median(closedCycles), Mean(closedCycles)));
        var averageSize = won.Sum(d => d.Amount) / won.Count;
        outcomes.SalesVelocity.Should().Be(open.Count * averageSize * won.Count / (won.Count + lost.Count) * TimeSpan.TicksPerDay / Mean(wonCycles)!.Value.Ticks);

        // Wins and won value per owner and per product (the product's canonical name: the mapping folds its spellings).
        var owners = await reports.BreakdownAsync(request, DealGrouping.ByOwner, top: 100);
        owners.OtherGroups.Should().Be(0);
        owners.Rows.ToDictionary(r => r.Key!, r => (r.Outcomes.Won, r.Outcomes.WonValue, r.Started))
            .Should().BeEquivalentTo(truth.GroupBy(d => d.Owner).ToDictionary(
                g => g.Key, g => (g.Count(d => d.StageId == "won"), g.Where(d => d.StageId == "won").Sum(d => d.Amount), g.Count())));
        var products = await reports.BreakdownAsync(request, DealGrouping.ByData("product"), top: 100);
        products.Rows.ToDictionary(r => r.Key!, r => (r.Outcomes.Won, r.Outcomes.WonValue))
            .Should().BeEquivalentTo(truth.GroupBy(d => d.Product).ToDictionary(
                g => g.Key, g => (g.Count(d => d.StageId == "won"), g.Where(d => d.StageId == "won").Sum(d => d.Amount))));
        products.Rows.Select(r => r.Key).Should().BeEquivalentTo(["Analytics Suite", "CRM Cloud", "Data Connector"]);

        // The funnel in each mode, over the stages each deal touched.
        var touched = truth.Select(d => (Stages: Touched(d), Lost: d.StageId == "lost")).ToList();
        foreach (var mode in new[] { FunnelMode.Strict, FunnelMode.Touched, FunnelMode.Implied })
        {
            var funnel = await reports.FunnelAsync(request, mode);
            funnel.Deals.Should().Be(truth.Count);
            funnel.Bars.Select(b => b.StageId).Should().Equal(Bars);
            funnel.Bars.Select(b => b.Count).Should().Equal(Bars.Select((_, i) => touched.Count(d => Counts(d.Stages, d.Lost, i, mode))), mode.ToString());
        }
    }

    private static TimeSpan Cycle(GeneratedDeal deal) => deal.LastMovedAt - deal.StartedAt;

    // A snapshot deal is started in the first stage and moved to its current one; a history deal visits its stages.
    private static HashSet<string> Touched(GeneratedDeal deal) =>
        deal.Stages.Count > 0 ? [.. deal.Stages] : ["lead", deal.StageId];

    private static bool Counts(HashSet<string> stages, bool lost, int bar, FunnelMode mode) => mode switch
    {
        FunnelMode.Touched => stages.Contains(Bars[bar]),
        FunnelMode.Strict => Bars.Take(bar + 1).All(stages.Contains),
        _ => lost ? stages.Contains(Bars[bar]) : Bars.Skip(bar).Any(stages.Contains),
    };

    // docs/reports.md: the middle value, or halfway between the two middle ones rounded down to the tick.
    private static TimeSpan? Median(List<TimeSpan> values)
    {
        var sorted = values.Select(v => v.Ticks).Order().ToList();
        var n = sorted.Count;
        return n == 0 ? null : TimeSpan.FromTicks(n % 2 == 1 ? sorted[n / 2] : sorted[(n / 2) - 1] + ((sorted[n / 2] - sorted[(n / 2) - 1]) / 2));
    }

    // docs/reports.md: the mean rounded down to the tick.
    private static TimeSpan? Mean(List<TimeSpan> values) =>
        values.Count == 0 ? null : TimeSpan.FromTicks((long)(values.Aggregate((Int128)0, (sum, v) => sum + v.Ticks) / values.Count));
}
