using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SalesFlow.Extensions.Tests.Support;

namespace SalesFlow.Extensions.Tests;

/// <summary>The engine's log events as a host sees them through dependency injection.</summary>
public class EngineLogTests
{
    private const string PersonalData = "Zofia Brzęczyszczykiewicz +48 600 700 812";

    [Fact]
    public async Task Moves_EveryOutcome_LogsItsFixedEventId()
    {
        await using var provider = Build(b => b.AddHook<FailingAfterSaveHook>(), o => o.OverrideActors.Add("manager"));
        var engine = provider.GetRequiredService<SalesFlowEngine>();

        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData(), "alice");
        await engine.FireAsync("d1", "qualify", new FireRequest("alice"));
        await engine.FireAsync("d1", "win", new FireRequest("alice"));
        await engine.FireAsync("d1", "qualify", new FireRequest("manager") { OverrideJustification = "referral" });

        var records = provider.GetFakeLogCollector().GetSnapshot().Where(r => r.Category == "SalesFlow.Engine").ToList();
        records.Select(r => (r.Id.Id, r.Id.Name)).Should().Equal(
            (1000, "DealStarted"),
            (1002, "MoveRejected"),
            (1003, "MoveNotPermitted"),
            (1007, "MoveOverridden"),
            (1001, "MoveAccepted"),
            (1006, "HookFailed"));
        records[1].StructuredState.Should().Contain(new KeyValuePair<string, string?>("GuardCodes", "lead.qualified"));
        records[5].Level.Should().Be(LogLevel.Error);
        records[5].StructuredState.Should().Contain(new KeyValuePair<string, string?>("HookName", nameof(FailingAfterSaveHook)));
    }

    [Fact]
    public async Task Moves_ConflictAndAbort_LogWarnings()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddFakeLogging());
        services.AddSingleton<IDealStore, AlwaysConflictingStore>();
        services.AddSalesFlow(o => o.ConflictRetryCount = 0).AddPipeline(LeadPipeline.Build());
        await using var conflicting = services.BuildServiceProvider();
        await using var vetoing = Build(b => b.AddHook<VetoHook>());
        foreach (var provider in new[] { conflicting, vetoing })
        {
            var engine = provider.GetRequiredService<SalesFlowEngine>();
            await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData { Qualified = true }, "alice");
            await engine.FireAsync("d1", "qualify", new FireRequest("alice"));
        }

        conflicting.GetFakeLogCollector().LatestRecord.Should().Match<FakeLogRecord>(r => r.Id.Id == 1004 && r.Level == LogLevel.Warning);
        vetoing.GetFakeLogCollector().LatestRecord.Should().Match<FakeLogRecord>(r => r.Id.Id == 1005 && r.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task Moves_PersonalDataInDealDataAndNotes_AppearsInNoLogLine()
    {
        await using var provider = Build(b => b.AddHook<FailingAfterSaveHook>(), o => o.OverrideActors.Add("manager"));
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        var personal = new FireRequest("alice") { Note = PersonalData, Reason = PersonalData, Properties = new Dictionary<string, string> { ["contact"] = PersonalData } };

        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData { ContactName = PersonalData, Phone = PersonalData }, new StartRequest("alice") { Note = PersonalData });
        await engine.FireAsync("d1", "qualify", personal);
        await engine.FireAsync("d1", "win", personal);
        await engine.UpdateAsync<LeadData>("d1", d => d with { Qualified = true }, new ActivityRequest("alice") { Note = PersonalData });
        await engine.RecordActivityAsync("d1", new ActivityRequest("alice") { Activity = "call", Note = PersonalData });
        await engine.FireAsync("d1", "qualify", personal);
        await engine.FireAsync("d1", "lose", personal);
        await engine.FireAsync("d1", "reopen", personal with { Actor = "manager", OverrideJustification = PersonalData });

        var records = provider.GetFakeLogCollector().GetSnapshot();
        records.Should().HaveCountGreaterThan(5);
        foreach (var record in records)
        {
            record.Message.Should().NotContain("Zofia");
            (record.StructuredState ?? []).Should().NotContain(kv => kv.Value != null && kv.Value.Contains("Zofia", StringComparison.Ordinal));
            (record.Exception?.ToString() ?? "").Should().NotContain("Zofia");
        }
    }

    private static ServiceProvider Build(Action<ISalesFlowBuilder> configureBuilder, Action<SalesFlowEngineOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace));
        var builder = services.AddSalesFlow(configure).AddPipeline(LeadPipeline.Build()).UseInMemoryStore();
        configureBuilder(builder);
        return services.BuildServiceProvider();
    }
}
