using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using SalesFlow.PostgreSql;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing.Reports;

namespace SalesFlow.Storage.Tests.Tenants;

/// <summary>
/// Two tenants with different histories on the same deal ids in one SQLite file and one PostgreSQL schema: every SQL
/// report of a tenant equals the in-memory reference over that tenant's deals alone, and is not the figure of all tenants.
/// </summary>
[Collection(PostgresServerTests.Name)]
public sealed class RelationalDealReportsTenantTests
{
    private const string PipelineId = ReportPipeline.Id;
    private static readonly DateTimeOffset Day0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly string[] Triggers = ["meet", "propose", "revisit", "restart", "win", "lose", "reopen", "call"];

    [Fact]
    public async Task Reports_SqliteTwoTenantsOnTheSameIds_EachEqualsTheReferenceOverItsOwnDeals()
    {
        using var file = new TemporarySqliteFile();
        try
        {
            await using var host = new SqliteDealStore(Registry(), new SqliteDealStoreOptions { DataSource = file.Path });

            await CompareTenantsAsync(host, (tenant, time) => ((SqliteDealStore)host.ForTenant(tenant)).Reports(time));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    [PostgresFact]
    public async Task Reports_PostgreSqlTwoTenantsOnTheSameIds_EachEqualsTheReferenceOverItsOwnDeals()
    {
        await using var schema = new TemporaryPostgresSchema();
        await using var host = new PostgreSqlDealStore(Registry(), new PostgreSqlDealStoreOptions { ConnectionString = schema.ConnectionString, Schema = schema.Name });

        await CompareTenantsAsync(host, (tenant, time) => host.ForTenant(tenant).Reports(time));
    }

    private static PipelineRegistry Registry() => new(ReportPipeline.V1());

    private static async Task CompareTenantsAsync(IDealStore host, Func<string, TimeProvider, IDealReports> sqlReportsOf)
    {
        var registry = Registry();
        var time = new FakeTimeProvider(Day0.AddDays(-10));
        var options = new SalesFlowEngineOptions { TimeProvider = time };
        var sqlEngine = new SalesFlowEngine(registry, host, options);
        var memory = new InMemoryDealStore();
        var memoryEngine = new SalesFlowEngine(registry, memory, options);
        await WriteRandomHistoriesAsync(sqlEngine, memoryEngine, time);
        time.Advance(TimeSpan.FromDays(3));

        // The figures of all tenants together: both tenants' deals in one store, the second tenant's ids renamed.
        var all = new InMemoryDealStore();
        await CopyAsync(memory.ForTenant(TenantStoreChecks.TenantA), all, "");
        await CopyAsync(memory.ForTenant(TenantStoreChecks.TenantB), all, "b-");
        var allReports = new SalesReports(registry, all, time);

        var windows = Windows(time.GetUtcNow());
        var cohorts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var tenant in new[] { TenantStoreChecks.TenantA, TenantStoreChecks.TenantB })
        {
            var sql = sqlReportsOf(tenant, time);
            var reference = new SalesReports(registry, memory.ForTenant(tenant), time);
            foreach (var window in windows)
            {
                var request = new ReportRequest(PipelineId, window);
                foreach (var mode in new[] { FunnelMode.Strict, FunnelMode.Touched, FunnelMode.Implied })
                {
                    (await sql.FunnelAsync(request, mode)).Should().BeEquivalentTo(await reference.FunnelAsync(request, mode), o => o.WithStrictOrdering(), "{0}: funnel {1} in {2}", tenant, mode, window);
                }

                (await sql.TimeInStageAsync(request)).Should().BeEquivalentTo(await reference.TimeInStageAsync(request), o => o.WithStrictOrdering(), "{0}: time in stage in {1}", tenant, window);
                (await sql.FlowAsync(request)).Should().BeEquivalentTo(await reference.FlowAsync(request), o => o.WithStrictOrdering(), "{0}: flow in {1}", tenant, window);
                (await sql.OutcomesAsync(request)).Should().BeEquivalentTo(await reference.OutcomesAsync(request), "{0}: outcomes in {1}", tenant, window);
                (await sql.BreakdownAsync(request, DealGrouping.ByOwner, 10)).Should().BeEquivalentTo(await reference.BreakdownAsync(request, DealGrouping.ByOwner, 10), o => o.WithStrictOrdering(), "{0}: owners in {1}", tenant, window);
                (await sql.BreakdownAsync(request, DealGrouping.ByData("Region"), 10))
                    .Should().BeEquivalentTo(await reference.BreakdownAsync(request, DealGrouping.ByData("Region"), 10), o => o.WithStrictOrdering(), "{0}: regions in {1}", tenant, window);
            }

            (await sql.IdleAsync(PipelineId)).Should().BeEquivalentTo(await reference.IdleAsync(PipelineId), o => o.WithStrictOrdering(), "{0}: idle deals", tenant);

            var everything = new ReportRequest(PipelineId, ReportWindow.All);
            var funnel = await sql.FunnelAsync(everything, FunnelMode.Touched);
            var outcomes = await sql.OutcomesAsync(everything);
            var allOutcomes = await allReports.OutcomesAsync(everything);
            funnel.Should().NotBeEquivalentTo(await allReports.FunnelAsync(everything, FunnelMode.Touched), "{0} sees its own deals, not every tenant's", tenant);
            outcomes.Won.Should().BeLessThan(allOutcomes.Won, "{0} won only some of all tenants' deals", tenant);
            (await sql.TimeInStageAsync(everything)).Should().NotBeEquivalentTo(await allReports.TimeInStageAsync(everything));
            cohorts[tenant] = funnel.Deals;
        }

        var allFunnel = await allReports.FunnelAsync(new ReportRequest(PipelineId, ReportWindow.All), FunnelMode.Touched);
        cohorts.Values.Sum().Should().Be(allFunnel.Deals, "the tenants' cohorts add up to all deals");
        cohorts.Values.Should().OnlyContain(c => c > 20);
        var hostFunnel = await sqlReportsOf(SalesFlow.Tenants.Default, time).FunnelAsync(new ReportRequest(PipelineId, ReportWindow.All), FunnelMode.Touched);
        hostFunnel.Deals.Should().Be(0, "the default tenant has no deals");
    }

    // Random walks of both tenants interleaved, on ids they share ("r000", "r001", ...), each written through the SQL
    // store's tenant engine and the in-memory store's in step: the same calls at the same instants.
    private static async Task WriteRandomHistoriesAsync(SalesFlowEngine sql, SalesFlowEngine memory, FakeTimeProvider time)
    {
        var random = new Random(2026);
        var ids = new Dictionary<string, List<string>>(StringComparer.Ordinal) { [TenantStoreChecks.TenantA] = [], [TenantStoreChecks.TenantB] = [] };
        string[] regions = ["north", "south", "east"];
        for (var step = 0; step < 700; step++)
        {
            time.Advance(TimeSpan.FromMinutes(random.Next(1, 600)) + TimeSpan.FromSeconds(random.Next(0, 60))); // whole seconds: every store keeps them
            var tenant = random.Next(3) == 0 ? TenantStoreChecks.TenantB : TenantStoreChecks.TenantA;
            var (sqlTenant, memoryTenant, deals) = (sql.ForTenant(tenant), memory.ForTenant(tenant), ids[tenant]);
            if (deals.Count < 5 || random.NextDouble() < 0.2)
            {
                var id = "r" + deals.Count.ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
                var data = new ReportData(random.Next(4) == 0 ? null : regions[random.Next(regions.Length)]);
                var request = new StartRequest("test") { Owner = random.Next(5) == 0 ? null : "owner" + random.Next(4), Amount = random.Next(4) == 0 ? null : random.Next(10, 500) * 10m };
                await sqlTenant.StartAsync(PipelineId, id, data, request);
                await memoryTenant.StartAsync(PipelineId, id, data, request);
                deals.Add(id);
            }
            else
            {
                var id = deals[random.Next(deals.Count)];
                var trigger = Triggers[random.Next(Triggers.Length)];
                var written = await sqlTenant.FireAsync(id, trigger, new FireRequest("test"));
                var reference = await memoryTenant.FireAsync(id, trigger, new FireRequest("test"));
                written.Accepted.Should().Be(reference.Accepted, "both stores hold the same deal {0}/{1}", tenant, id);
            }
        }

        ids.Values.Should().OnlyContain(d => d.Count > 30);
    }

    private static async Task CopyAsync(InMemoryDealStore from, InMemoryDealStore to, string prefix)
    {
        var page = await from.QueryAsync(new DealQuery { Limit = 1000 });
        var batch = new List<DealImport>();
        foreach (var deal in page.Deals)
        {
            var events = await from.GetEventsAsync(deal.Id);
            batch.Add(new DealImport(deal with { Id = prefix + deal.Id, TenantId = SalesFlow.Tenants.Default }, [.. events.Select(e => e with { DealId = prefix + e.DealId })]));
        }

        await to.ImportAsync(batch);
    }

    private static List<ReportWindow> Windows(DateTimeOffset end)
    {
        var windows = new List<ReportWindow> { ReportWindow.All, new(Day0, Day0.AddDays(30)) };
        var random = new Random(7);
        var minutes = (int)(end - Day0).TotalMinutes + (10 * 24 * 60);
        for (var i = 0; i < 5; i++)
        {
            var from = random.Next(minutes);
            windows.Add(new ReportWindow(Day0.AddDays(-10).AddMinutes(from), Day0.AddDays(-10).AddMinutes(from + random.Next(1, minutes - from + 1))));
        }

        return windows;
    }
}
