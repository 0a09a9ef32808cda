using SalesFlow.Testing.Reports;
using Microsoft.Extensions.Time.Testing;

namespace SalesFlow.Tests.Reports;

/// <summary>
/// Deals built through the real engine on the in-memory store, on a fake clock: every time is exact. Day 0 is
/// <see cref="Day0"/>; <see cref="At(double)"/> moves the clock to a day (never back).
/// </summary>
public sealed class ReportScenario
{
    public static readonly DateTimeOffset Day0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public ReportScenario(params PipelineDefinition[] pipelines)
    {
        Time = new FakeTimeProvider(Day0.AddDays(-10));
        Store = new InMemoryDealStore();
        Engine = new SalesFlowEngine(new PipelineRegistry(pipelines.Length == 0 ? [ReportPipeline.V1()] : pipelines), Store, new SalesFlowEngineOptions { TimeProvider = Time });
    }

    public FakeTimeProvider Time { get; }

    public InMemoryDealStore Store { get; }

    public SalesFlowEngine Engine { get; }

    public SalesReports Reports => Engine.Reports;

    public static DateTimeOffset DayAt(double day) => Day0.AddDays(day);

    public static ReportRequest Request(double fromDay, double toDay, int? version = null) =>
        new(ReportPipeline.Id, new ReportWindow(DayAt(fromDay), DayAt(toDay))) { PipelineVersion = version };

    public ReportScenario At(double day)
    {
        Time.SetUtcNow(DayAt(day));
        return this;
    }

    public void Start(string dealId, string? owner = null, decimal? amount = null, string? region = null, int? version = null) =>
        Engine.StartAsync(ReportPipeline.Id, dealId, new ReportData(region), new StartRequest("test") { Owner = owner, Amount = amount, PipelineVersion = version })
            .AsTask().GetAwaiter().GetResult();

    public void Fire(string dealId, string trigger) =>
        Engine.FireAsync(dealId, trigger, new FireRequest("test") { Reason = "because" }).AsTask().GetAwaiter().GetResult().EnsureAccepted();

    public void Activity(string dealId, DateTimeOffset? nextFollowUpAt = null) =>
        Engine.RecordActivityAsync(dealId, new ActivityRequest("test") { Activity = "note", NextFollowUpAt = nextFollowUpAt }).AsTask().GetAwaiter().GetResult();

    public void Migrate() =>
        Engine.ApplyMigrationAsync(ReportPipeline.Migration(), "admin").AsTask().GetAwaiter().GetResult().Failed.Should().Be(0);

    /// <summary>
    /// The main history (one version). Window [day 0, day 30), now day 40. d1 goes straight through; d2 skips meeting;
    /// d3 goes back from proposal to meeting; d4 is lost, reopened, re-enters proposal and stays open; d5 is lost from lead;
    /// d7 started before the window and is won after it.
    /// </summary>
    public static ReportScenario Standard()
    {
        var s = new ReportScenario();
        s.At(-5).Start("d7", "dave", 4000m, "north");
        s.At(-2).Fire("d7", "meet");
        s.At(0).Start("d1", "alice", 1000m, "north");
        s.Start("d2", "bob", 2000m, "south");
        s.At(1).Fire("d1", "meet");
        s.Start("d3", "alice", 1500m, "north");
        s.At(2).Fire("d2", "propose");
        s.Fire("d3", "meet");
        s.Start("d4", "bob", 3000m, "south");
        s.Fire("d7", "propose");
        s.At(3).Fire("d1", "propose");
        s.Fire("d4", "meet");
        s.Start("d5", "carol", 700m);
        s.At(4).Fire("d3", "propose");
        s.Fire("d4", "lose");
        s.At(5).Fire("d1", "win");
        s.Fire("d3", "revisit");
        s.Fire("d5", "lose");
        s.At(6).Fire("d2", "win");
        s.At(7).Fire("d3", "propose");
        s.At(8).Fire("d4", "reopen");
        s.At(9).Fire("d4", "propose");
        s.At(10).Fire("d3", "win");
        s.At(15).Fire("d4", "call");
        s.At(20).Fire("d4", "restart");
        s.At(35).Fire("d7", "win");
        s.At(40);
        return s;
    }

    /// <summary>
    /// Two deals across a migration (v1 → v2 renames meeting to talks) at day 3: m1 was in meeting (renamed), m2 in lead
    /// (same id). Now day 10.
    /// </summary>
    public static ReportScenario Migrated()
    {
        var s = new ReportScenario(ReportPipeline.V1(), ReportPipeline.V2());
        s.At(0).Start("m1", "alice", 1000m, version: 1);
        s.Start("m2", "bob", 500m, version: 1);
        s.At(1).Fire("m1", "meet");
        s.At(3).Migrate();
        s.At(4).Fire("m2", "lose");
        s.At(5).Fire("m1", "propose");
        s.At(6).Fire("m1", "win");
        s.At(10);
        return s;
    }
}
