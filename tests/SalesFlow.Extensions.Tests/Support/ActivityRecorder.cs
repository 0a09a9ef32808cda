using System.Diagnostics;

namespace SalesFlow.Extensions.Tests.Support;

/// <summary>Records the SalesFlow activities of one deal (tests run in parallel, so other deals' activities are ignored).</summary>
public sealed class ActivityRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly List<Activity> _stopped = [];

    public ActivityRecorder(string dealId, string operationName = SalesFlowDiagnostics.MoveActivityName)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SalesFlowDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem(SalesFlowDiagnostics.DealIdTag), dealId) && activity.OperationName == operationName)
                {
                    lock (_stopped)
                    {
                        _stopped.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Stopped
    {
        get
        {
            lock (_stopped)
            {
                return [.. _stopped];
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
