using SalesFlow.Testing.Reports;
using Microsoft.Extensions.Time.Testing;
using SalesFlow.PostgreSql;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Tests.Support;

namespace SalesFlow.Storage.Tests.Reports;

/// <summary>
/// The same history written through the engine to the in-memory store (the reference) and to a SQL store gives the same
/// figures in every report: the reports read each store through its event feed.
/// </summary>
[Collection(PostgresServerTests.Name)]
public sealed class SalesReportsAcrossStoresTests
{
    private static readonly DateTimeOffset Day0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Reports_Sqlite_SameFiguresAsTheInMemoryStore()
    {
        using var file = new TemporarySqliteFile();
        var registry = Registry();
        await using var store = new SqliteDealStore(registry, new SqliteDealStoreOptions { DataSource = file.Path });

        await CompareAsync(registry, store);
    }

    [PostgresFact]
    public async Task Reports_PostgreSql_SameFiguresAsTheInMemoryStore()
    {
        await using var schema = new TemporaryPostgresSchema();
        var registry = Registry();
        await using var store = new PostgreSqlDealStore(registry, new PostgreSqlDealStoreOptions { ConnectionString = schema.ConnectionString, Schema = schema.Name });

        await CompareAsync(registry, store);
    }

    private static PipelineRegistry Registry() => new(ReportPipeline.V1());

    private static async Task CompareAsync(PipelineRegistry registry, IDealStore sqlStore)
    {
        var reference = await BuildAsync(registry, new InMemoryDealStore());
        var sql = await BuildAsync(registry, sqlStore);
        var window = new ReportRequest("reports", new ReportWindow(Day0, Day0.AddDays(30)));

        foreach (var mode in new[] { FunnelMode.Strict, FunnelMode.Touched, FunnelMode.Implied })
        {
            (await sql.FunnelAsync(window, mode)).Should().BeEquivalentTo(await reference.FunnelAsync(window, mode), o => o.WithStrictOrdering());
        }

        (await sql.TimeInStageAsync(window)).Should().BeEquivalentTo(await reference.TimeInStageAsync(window), o => o.WithStrictOrdering());
        (await sql.FlowAsync(window)).Should().BeEquivalentTo(await reference.FlowAsync(window), o => o.WithStrictOrdering());
        (await sql.OutcomesAsync(window)).Should().BeEquivalentTo(await reference.OutcomesAsync(window));
        (await sql.BreakdownAsync(window, DealGrouping.ByOwner, 10)).Should().BeEquivalentTo(await reference.BreakdownAsync(window, DealGrouping.ByOwner, 10), o => o.WithStrictOrdering());
        (await sql.BreakdownAsync(window, DealGrouping.ByData("Region"), 10)).Should().BeEquivalentTo(await reference.BreakdownAsync(window, DealGrouping.ByData("Region"), 10), o => o.WithStrictOrdering());
        (await sql.IdleAsync("reports")).Should().BeEquivalentTo(await reference.IdleAsync("reports"), o => o.WithStrictOrdering());

        var outcomes = await sql.OutcomesAsync(window);
        outcomes.Won.Should().Be(3, "d1, d2 and d3 were won in the window");
        outcomes.Lost.Should().Be(1, "d4 was reopened; d5 stays lost");
    }

    // Skips (d2), a backward move (d3), a loss then a reopen and a re-entry (d4), a deal started before the window (d7),
    // an open deal idle past its threshold (d6) and one with a follow-up overdue (d4).
    private static async Task<SalesReports> BuildAsync(PipelineRegistry registry, IDealStore store)
    {
        var time = new FakeTimeProvider(Day0.AddDays(-10));
        var engine = new SalesFlowEngine(registry, store, new SalesFlowEngineOptions { TimeProvider = time });

        async Task At(double day, Func<Task> step)
        {
            if (Day0.AddDays(day) > time.GetUtcNow())
            {
                time.SetUtcNow(Day0.AddDays(day));
            }

            await step();
        }

        Task Start(string id, string owner, decimal amount, string? region) =>
            engine.StartAsync("reports", id, new ReportData(region), new StartRequest("test") { Owner = owner, Amount = amount }).AsTask();

        async Task Fire(string id, string trigger) =>
            (await engine.FireAsync(id, trigger, new FireRequest("test") { Reason = "because" })).EnsureAccepted();

        await At(-5, () => Start("d7", "dave", 4000m, "north"));
        await At(-2, () => Fire("d7", "meet"));
        await At(0, () => Start("d1", "alice", 1000m, "north"));
        await At(0, () => Start("d2", "bob", 2000m, "south"));
        await At(1, () => Fire("d1", "meet"));
        await At(1, () => Start("d3", "alice", 1500m, "north"));
        await At(2, () => Fire("d2", "propose"));
        await At(2, () => Fire("d3", "meet"));
        await At(2, () => Start("d4", "bob", 3000m, "south"));
        await At(2, () => Fire("d7", "propose"));
        await At(3, () => Fire("d1", "propose"));
        await At(3, () => Fire("d4", "meet"));
        await At(3, () => Start("d5", "carol", 700m, null));
        await At(4, () => Fire("d3", "propose"));
        await At(4, () => Fire("d4", "lose"));
        await At(5, () => Fire("d1", "win"));
        await At(5, () => Fire("d3", "revisit"));
        await At(5, () => Fire("d5", "lose"));
        await At(6, () => Fire("d2", "win"));
        await At(6, () => Start("d6", "carol", 900m, "south"));
        await At(7, () => Fire("d3", "propose"));
        await At(8, () => Fire("d4", "reopen"));
        await At(9, () => Fire("d4", "propose"));
        await At(10, () => Fire("d3", "win"));
        await At(15, () => Fire("d4", "call"));
        await At(16, () => engine.RecordActivityAsync("d4", new ActivityRequest("test") { Activity = "note", NextFollowUpAt = Day0.AddDays(25) }).AsTask());
        await At(20, () => Fire("d4", "restart"));
        await At(35, () => Fire("d7", "win"));
        time.SetUtcNow(Day0.AddDays(40));
        return new SalesReports(registry, store, time);
    }
}
