using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace SalesFlow.Storage.Tests.PersonalData;

// The scan is only as good as its capture: each kind of output holding a planted value must be found.
public partial class LeakCaptureTests
{
    [Fact]
    public void Find_ValueInALogRecordOrScope_IsFound()
    {
        using var capture = new LeakCapture();
        var logger = capture.LoggerFactory.CreateLogger("SalesFlow.Engine");

        using (logger.BeginScope(new Dictionary<string, object?> { ["customer"] = "scope-Qx9" }))
        {
            Probe(logger, "d-1", "message-Qx9");
        }

        Failed(logger, new InvalidOperationException("inner-Qx9"));

        capture.Find(["scope-Qx9"]).Should().NotBeEmpty();
        capture.Find(["message-Qx9"]).Should().HaveCountGreaterThanOrEqualTo(2, "the formatted message and the state value");
        capture.Find(["inner-Qx9"]).Should().NotBeEmpty();
        capture.Find(["not-planted"]).Should().BeEmpty();
    }

    [Fact]
    public void Find_ValueInASpanOrAMetricTag_IsFound()
    {
        using var capture = new LeakCapture();
        using var source = new ActivitySource(SalesFlowDiagnostics.ActivitySourceName);
        using var meter = new Meter(SalesFlowDiagnostics.MeterName);
        var counter = meter.CreateCounter<long>("scan.probe");

        using (var activity = source.StartActivity("probe"))
        {
            activity!.SetTag("customer", "tag-Qx9");
            activity.AddEvent(new ActivityEvent("event-Qx9"));
            activity.SetStatus(ActivityStatusCode.Error, "status-Qx9");
        }

        counter.Add(1, new KeyValuePair<string, object?>("customer", "metric-Qx9"));

        capture.Find(["tag-Qx9"]).Should().NotBeEmpty();
        capture.Find(["event-Qx9"]).Should().NotBeEmpty();
        capture.Find(["status-Qx9"]).Should().NotBeEmpty();
        capture.Find(["metric-Qx9"]).Should().NotBeEmpty();
    }

    [Fact]
    public async Task CatchAsync_ValueInAnInnerException_IsFound()
    {
        using var capture = new LeakCapture();

        var thrown = await capture.CatchAsync(() => throw new InvalidOperationException("outer", new FormatException("inner-Qx9")));

        thrown.Should().BeOfType<InvalidOperationException>();
        capture.Find(["inner-Qx9"]).Should().ContainSingle("ToString() shows the inner exception");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Deal {DealId} for {Customer}")]
    private static partial void Probe(ILogger logger, string dealId, string customer);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "failed")]
    private static partial void Failed(ILogger logger, Exception exception);
}
