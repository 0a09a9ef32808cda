using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Diagnostics;

/// <summary>Runs alone: it listens to the process-wide meter and activity source, and measures allocations.</summary>
[CollectionDefinition(nameof(SalesFlowTelemetryTests), DisableParallelization = true)]
public sealed class TelemetryTestGroup;

[Collection(nameof(SalesFlowTelemetryTests))]
public class SalesFlowTelemetryTests
{
    [Fact]
    public async Task Engine_BuiltByHandWithoutMeterFactory_RecordsOnTheProcessWideMeter()
    {
        using var moves = new MetricCollector<long>(null, SalesFlowDiagnostics.MeterName, SalesFlowDiagnostics.MovesInstrument);
        using var stages = new MetricCollector<double>(null, SalesFlowDiagnostics.MeterName, SalesFlowDiagnostics.StageDurationInstrument);
        var test = new TestEngine();
        await test.StartReadyAsync();

        test.Time.Advance(TimeSpan.FromMinutes(30));
        await test.FireAsync("advance");

        moves.LastMeasurement!.Tags.Should().BeEquivalentTo(new Dictionary<string, object?>
        {
            [SalesFlowDiagnostics.PipelineTag] = RenewalPipeline.Id,
            [SalesFlowDiagnostics.TriggerTag] = "advance",
            [SalesFlowDiagnostics.ResultTag] = "accepted",
        });
        stages.LastMeasurement!.Value.Should().Be(1800);
        stages.LastMeasurement.Tags[SalesFlowDiagnostics.StageTag].Should().Be("open");
        moves.Instrument!.Meter.Scope.Should().BeNull();
    }

    [Fact]
    public async Task Engine_BuiltByHandWithMeterFactory_CreatesTheSalesFlowMeterThroughIt()
    {
        using var factory = new TestMeterFactory();
        using var moves = new MetricCollector<long>(factory, SalesFlowDiagnostics.MeterName, SalesFlowDiagnostics.MovesInstrument);
        var test = new TestEngine(configure: o => o.MeterFactory = factory);
        await test.StartAsync();

        await test.FireAsync("advance");

        factory.Meters.Should().ContainSingle().Which.Name.Should().Be(SalesFlowDiagnostics.MeterName);
        moves.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags[SalesFlowDiagnostics.ResultTag].Should().Be("rejected");
    }

    [Fact]
    public async Task Engine_BuiltByHand_StartsOneActivityPerWriteWithItsTags()
    {
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == SalesFlowDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var test = new TestEngine();
        await test.StartReadyAsync();
        stopped.Select(a => a.OperationName).Should().Equal(SalesFlowDiagnostics.StartActivityName, SalesFlowDiagnostics.DealActivityName);
        stopped.Select(a => a.GetTagItem(SalesFlowDiagnostics.OperationTag)).Should().Equal("start", "activity");
        stopped[1].GetTagItem(SalesFlowDiagnostics.ActivityTypeTag).Should().Be("checklist.completed");
        stopped.Should().OnlyContain(a => (string?)a.GetTagItem(SalesFlowDiagnostics.ResultTag) == "accepted");
        stopped.Clear();

        await test.FireAsync("advance");
        await test.FireAsync("sign");

        stopped.Select(a => a.GetTagItem(SalesFlowDiagnostics.ResultTag)).Should().Equal("accepted", "rejected");
        stopped[0].GetTagItem(SalesFlowDiagnostics.FromStageTag).Should().Be("open");
        stopped[0].GetTagItem(SalesFlowDiagnostics.ToStageTag).Should().Be("negotiation");
        stopped[0].GetTagItem(SalesFlowDiagnostics.PipelineVersionTag).Should().Be(1);
        stopped[0].GetTagItem(SalesFlowDiagnostics.DealIdTag).Should().Be("deal-1");
        stopped[1].GetTagItem(SalesFlowDiagnostics.ToStageTag).Should().BeNull();
        stopped.Should().OnlyContain(a => a.Status == ActivityStatusCode.Unset);
    }

    [Fact]
    public async Task Engine_ActivityConflict_IsCounted()
    {
        using var conflicts = new MetricCollector<long>(null, SalesFlowDiagnostics.MeterName, SalesFlowDiagnostics.ConflictsInstrument);
        var inner = new InMemoryDealStore();
        var test = new TestEngine(configure: o => o.ConflictRetryCount = 0, store: new ConflictOnUpdateStore(inner));
        await test.StartAsync();

        var act = async () => await test.Engine.RecordActivityAsync("deal-1", new ActivityRequest("alice") { Note = "call" });

        await act.Should().ThrowAsync<DealConflictException>();
        conflicts.LastMeasurement!.Tags[SalesFlowDiagnostics.OperationTag].Should().Be("activity");
    }

    [Fact]
    public async Task MoveTelemetry_NoListener_AllocatesNothing()
    {
        using var factory = new TestMeterFactory();
        var telemetry = SalesFlowTelemetry.For(factory);
        var test = new TestEngine();
        var before = await test.StartReadyAsync();
        var result = await test.FireAsync("advance");
        RecordOnce(telemetry, before, result);

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        RecordOnce(telemetry, before, result);
        var after = GC.GetAllocatedBytesForCurrentThread();

        after.Should().Be(allocated);
    }

    private static void RecordOnce(SalesFlowTelemetry telemetry, Deal before, FireResult result)
    {
        var move = telemetry.StartCommit(CommitKind.Move, before.Id, "advance");
        telemetry.StageLeft(before, result.Deal);
        telemetry.EndMove(move, result);
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Meters { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            Meters.Add(meter);
            return meter;
        }

        public void Dispose() => Meters.ForEach(m => m.Dispose());
    }

    private sealed class ConflictOnUpdateStore(InMemoryDealStore inner) : IDealStore
    {
        public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default) => inner.GetAsync(dealId, cancellationToken);

        public ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default) =>
            writes[0].ExpectedVersion == 0 ? inner.TrySaveAsync(writes, cancellationToken) : ValueTask.FromResult(false);

        public ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default) =>
            inner.GetEventsAsync(dealId, afterSequence, limit, cancellationToken);

        public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

        public ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default) => inner.ImportAsync(batch, cancellationToken);
    }
}
