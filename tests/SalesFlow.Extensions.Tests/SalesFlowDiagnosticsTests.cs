using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using SalesFlow.Extensions.Tests.Support;

namespace SalesFlow.Extensions.Tests;

/// <summary>Metrics and traces of an engine resolved from dependency injection (the meter comes from IMeterFactory).</summary>
public class SalesFlowDiagnosticsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 4, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Engine_FromDependencyInjection_PublishesExactlyTheDocumentedInstruments()
    {
        await using var provider = Build();
        var meterFactory = provider.GetRequiredService<IMeterFactory>();
        var instruments = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Scope == meterFactory)
                {
                    instruments.Add(instrument);
                }
            },
        };
        listener.Start();

        _ = provider.GetRequiredService<SalesFlowEngine>();

        instruments.Should().OnlyContain(i => i.Meter.Name == "SalesFlow");
        instruments.Select(i => (i.Name, i.Unit, i.GetType().GetGenericTypeDefinition().Name)).Should().BeEquivalentTo(new[]
        {
            ("salesflow.moves", "{move}", "Counter`1"),
            ("salesflow.move.duration", "s", "Histogram`1"),
            ("salesflow.conflicts", "{conflict}", "Counter`1"),
            ("salesflow.hook.failures", "{failure}", "Counter`1"),
            ("salesflow.stage.duration", "s", "Histogram`1"),
        });
    }

    [Fact]
    public async Task Fire_Accepted_CountsTheMoveAndTimesItWithPipelineTriggerAndResult()
    {
        await using var provider = Build();
        var meterFactory = provider.GetRequiredService<IMeterFactory>();
        using var moves = new MetricCollector<long>(meterFactory, "SalesFlow", "salesflow.moves");
        using var durations = new MetricCollector<double>(meterFactory, "SalesFlow", "salesflow.move.duration");
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData { Qualified = true }, "alice");

        await engine.FireAsync("d1", "qualify", new FireRequest("alice"));
        await engine.FireAsync("d1", "qualify", new FireRequest("alice"));

        var expectedTags = new Dictionary<string, object?>
        {
            ["salesflow.pipeline.id"] = LeadPipeline.Id,
            ["salesflow.trigger"] = "qualify",
            ["salesflow.move.result"] = "accepted",
        };
        moves.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["salesflow.move.result"])).Should().Equal((1L, "accepted"), (1L, "not_permitted"));
        moves.GetMeasurementSnapshot()[0].Tags.Should().BeEquivalentTo(expectedTags);
        durations.GetMeasurementSnapshot().Should().HaveCount(2);
        durations.GetMeasurementSnapshot()[0].Tags.Should().BeEquivalentTo(expectedTags);
        durations.GetMeasurementSnapshot()[0].Value.Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public async Task Fire_Rejected_CountsRejected()
    {
        await using var provider = Build();
        using var moves = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), "SalesFlow", "salesflow.moves");
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData(), "alice");

        await engine.FireAsync("d1", "qualify", new FireRequest("alice"));

        moves.LastMeasurement!.Tags["salesflow.move.result"].Should().Be("rejected");
    }

    [Fact]
    public async Task Fire_LeavingAStage_RecordsTheTimeSpentInIt()
    {
        await using var provider = Build();
        using var stages = new MetricCollector<double>(provider.GetRequiredService<IMeterFactory>(), "SalesFlow", "salesflow.stage.duration");
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData { Qualified = true }, "alice");

        _time.Advance(TimeSpan.FromHours(2));
        await engine.FireAsync("d1", "qualify", new FireRequest("alice"));

        var measurement = stages.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        measurement.Value.Should().Be(7200);
        measurement.Tags.Should().BeEquivalentTo(new Dictionary<string, object?> { ["salesflow.pipeline.id"] = LeadPipeline.Id, ["salesflow.stage"] = "new" });
    }

    [Fact]
    public async Task Fire_Conflicts_CountsEveryConflictAndTheGivenUpMove()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddSingleton<IDealStore, AlwaysConflictingStore>();
        services.AddSalesFlow(o => o.ConflictRetryCount = 2).AddPipeline(LeadPipeline.Build());
        await using var provider = services.BuildServiceProvider();
        var meterFactory = provider.GetRequiredService<IMeterFactory>();
        using var conflicts = new MetricCollector<long>(meterFactory, "SalesFlow", "salesflow.conflicts");
        using var moves = new MetricCollector<long>(meterFactory, "SalesFlow", "salesflow.moves");
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData { Qualified = true }, "alice");

        await engine.FireAsync("d1", "qualify", new FireRequest("alice"));

        var conflict = conflicts.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        conflict.Value.Should().Be(3);
        conflict.Tags.Should().BeEquivalentTo(new Dictionary<string, object?> { ["salesflow.pipeline.id"] = LeadPipeline.Id, ["salesflow.operation"] = "move" });
        moves.LastMeasurement!.Tags["salesflow.move.result"].Should().Be("conflict");
    }

    [Fact]
    public async Task Fire_HookFails_CountsTheFailureByPhaseAndHook()
    {
        await using var provider = Build(b => b.AddHook<FailingAfterSaveHook>());
        using var failures = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), "SalesFlow", "salesflow.hook.failures");
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData { Qualified = true }, "alice");

        await engine.FireAsync("d1", "qualify", new FireRequest("alice"));

        var failure = failures.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        failure.Value.Should().Be(1);
        failure.Tags.Should().BeEquivalentTo(new Dictionary<string, object?>
        {
            ["salesflow.pipeline.id"] = LeadPipeline.Id,
            ["salesflow.trigger"] = "qualify",
            ["salesflow.hook.phase"] = "transitioned",
            ["salesflow.hook.name"] = nameof(FailingAfterSaveHook),
        });
    }

    [Fact]
    public async Task Fire_Accepted_StartsOneActivityWithEveryTag()
    {
        await using var provider = Build();
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        var dealId = "trace-" + Guid.NewGuid().ToString("N");
        using var activities = new ActivityRecorder(dealId);
        await engine.StartAsync(LeadPipeline.Id, dealId, new LeadData { Qualified = true }, "alice");

        await engine.FireAsync(dealId, "qualify", new FireRequest("alice"));

        var activity = activities.Stopped.Should().ContainSingle().Subject;
        activity.OperationName.Should().Be("salesflow.move");
        activity.Source.Name.Should().Be("SalesFlow");
        activity.Status.Should().Be(ActivityStatusCode.Unset);
        activity.TagObjects.ToDictionary(t => t.Key, t => t.Value).Should().BeEquivalentTo(new Dictionary<string, object?>
        {
            ["salesflow.deal.id"] = dealId,
            ["salesflow.operation"] = "move",
            ["salesflow.trigger"] = "qualify",
            ["salesflow.pipeline.id"] = LeadPipeline.Id,
            ["salesflow.pipeline.version"] = 1,
            ["salesflow.stage.from"] = "new",
            ["salesflow.stage.to"] = "qualified",
            ["salesflow.move.result"] = "accepted",
        });
    }

    [Fact]
    public async Task Fire_AbortedByHook_MarksTheActivityAsError()
    {
        await using var provider = Build(b => b.AddHook<VetoHook>());
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        var dealId = "trace-" + Guid.NewGuid().ToString("N");
        using var activities = new ActivityRecorder(dealId);
        await engine.StartAsync(LeadPipeline.Id, dealId, new LeadData { Qualified = true }, "alice");

        await engine.FireAsync(dealId, "qualify", new FireRequest("alice"));

        var activity = activities.Stopped.Should().ContainSingle().Subject;
        activity.Status.Should().Be(ActivityStatusCode.Error);
        activity.GetTagItem("salesflow.move.result").Should().Be("aborted");
        activity.GetTagItem("salesflow.stage.to").Should().BeNull();
    }

    [Fact]
    public async Task Fire_UnknownDeal_MarksTheActivityAsErrorAndCountsAnError()
    {
        await using var provider = Build();
        using var moves = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), "SalesFlow", "salesflow.moves");
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        var dealId = "missing-" + Guid.NewGuid().ToString("N");
        using var activities = new ActivityRecorder(dealId);

        var act = async () => await engine.FireAsync(dealId, "qualify", new FireRequest("alice"));

        await act.Should().ThrowAsync<DealNotFoundException>();
        var activity = activities.Stopped.Should().ContainSingle().Subject;
        activity.Status.Should().Be(ActivityStatusCode.Error);
        activity.GetTagItem("error.type").Should().Be(typeof(DealNotFoundException).FullName);
        moves.LastMeasurement!.Tags.Should().BeEquivalentTo(new Dictionary<string, object?>
        {
            ["salesflow.trigger"] = "unknown",
            ["salesflow.move.result"] = "error",
            ["error.type"] = typeof(DealNotFoundException).FullName,
        });
    }

    [Fact]
    public async Task MovesCounter_TriggerNotInThePipeline_IsTaggedUnknown()
    {
        await using var provider = Build();
        using var moves = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), "SalesFlow", "salesflow.moves");
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(LeadPipeline.Id, "d-unknown", new LeadData(), "alice");

        var result = await engine.FireAsync("d-unknown", "free text from a form " + Guid.NewGuid(), new FireRequest("alice"));

        result.Status.Should().Be(FireStatus.NotPermitted);
        moves.LastMeasurement!.Tags["salesflow.trigger"].Should().Be("unknown");
        moves.LastMeasurement.Tags["salesflow.move.result"].Should().Be("not_permitted");
    }

    private ServiceProvider Build(Action<ISalesFlowBuilder>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddSingleton<TimeProvider>(_time);
        var builder = services.AddSalesFlow().AddPipeline(LeadPipeline.Build()).UseInMemoryStore();
        configure?.Invoke(builder);
        return services.BuildServiceProvider();
    }
}
