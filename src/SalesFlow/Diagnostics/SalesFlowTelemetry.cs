using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SalesFlow;

/// <summary>
/// The engine's instruments and activity source. Every method returns at once when nothing listens, so an
/// unobserved move allocates nothing for telemetry.
/// </summary>
internal sealed class SalesFlowTelemetry
{
    private const string UnknownTrigger = "unknown";

    private static readonly ActivitySource Source = new(SalesFlowDiagnostics.ActivitySourceName);
    private static readonly Lazy<SalesFlowTelemetry> StaticInstance = new(() => new SalesFlowTelemetry(new Meter(SalesFlowDiagnostics.MeterName)));

    private readonly Counter<long> _moves;
    private readonly Histogram<double> _moveDuration;
    private readonly Counter<long> _conflicts;
    private readonly Counter<long> _hookFailures;
    private readonly Histogram<double> _stageDuration;

    private SalesFlowTelemetry(Meter meter)
    {
        Meter = meter;
        _moves = meter.CreateCounter<long>(SalesFlowDiagnostics.MovesInstrument, "{move}", "Moves (fired triggers) by pipeline, trigger and result.");
        _moveDuration = meter.CreateHistogram<double>(SalesFlowDiagnostics.MoveDurationInstrument, "s", "How long a move took, from load to the end of its hooks.");
        _conflicts = meter.CreateCounter<long>(SalesFlowDiagnostics.ConflictsInstrument, "{conflict}", "Saves refused by optimistic concurrency, retried or given up.");
        _hookFailures = meter.CreateCounter<long>(SalesFlowDiagnostics.HookFailuresInstrument, "{failure}", "Hooks that threw.");
        _stageDuration = meter.CreateHistogram<double>(SalesFlowDiagnostics.StageDurationInstrument, "s", "Time a deal spent in a stage, recorded when a move leaves it.");
    }

    public Meter Meter { get; }

    /// <summary>Gets the telemetry for an engine: through <paramref name="meterFactory"/> when given, else one process-wide meter.</summary>
    public static SalesFlowTelemetry For(IMeterFactory? meterFactory) =>
        meterFactory is null ? StaticInstance.Value : new SalesFlowTelemetry(meterFactory.Create(new MeterOptions(SalesFlowDiagnostics.MeterName)));

    public MoveTelemetry StartCommit(CommitKind kind, string dealId, string? name)
    {
        var activity = Source.StartActivity(kind switch
        {
            CommitKind.Move => SalesFlowDiagnostics.MoveActivityName,
            CommitKind.Activity => SalesFlowDiagnostics.DealActivityName,
            CommitKind.Migration => SalesFlowDiagnostics.MigrateActivityName,
            _ => SalesFlowDiagnostics.StartActivityName,
        }, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(SalesFlowDiagnostics.DealIdTag, dealId);
            activity.SetTag(SalesFlowDiagnostics.OperationTag, OperationName(kind));
            if (name is not null)
            {
                activity.SetTag(kind == CommitKind.Move ? SalesFlowDiagnostics.TriggerTag : SalesFlowDiagnostics.ActivityTypeTag, name);
            }
        }

        return new MoveTelemetry(activity, kind == CommitKind.Move && _moveDuration.Enabled ? Stopwatch.GetTimestamp() : 0);
    }

    /// <summary>Ends the span of a start or an activity: the same tags and status rules as a move, without the move instruments.</summary>
    public void EndCommit(in MoveTelemetry commit, CommitKind kind, Deal deal, FireStatus status, int retries, HookFailure? aborted, IReadOnlyList<HookFailure> failures) =>
        End(commit, kind, deal, fromStage: null, status, retries, OperationName(kind), aborted, failures);

    public void EndMove(in MoveTelemetry move, FireResult result)
    {
        var deal = result.Deal;
        End(move, CommitKind.Move, deal, result.Event?.FromStage ?? deal.StageId, result.Status, result.ConflictRetries, result.Trigger, result.FailedHook, result.HookFailures);
        if (_moves.Enabled || _moveDuration.Enabled)
        {
            var tags = new TagList
            {
                { SalesFlowDiagnostics.PipelineTag, deal.PipelineId },
                { SalesFlowDiagnostics.TriggerTag, result.TriggerKnown ? result.Trigger : UnknownTrigger },
                { SalesFlowDiagnostics.ResultTag, ResultName(result.Status) },
            };
            _moves.Add(1, tags);
            RecordDuration(move, tags);
        }
    }

    // What every write reports when it ends: the span's tags and status, conflicts, and hook failures (tagged with the
    // trigger of a move, or the operation of a start or an activity).
    private void End(
        in MoveTelemetry commit, CommitKind kind, Deal deal, string? fromStage, FireStatus status, int retries, string hookTag, HookFailure? aborted, IReadOnlyList<HookFailure> failures)
    {
        var outcome = ResultName(status);
        if (commit.Activity is { } activity)
        {
            if (activity.IsAllDataRequested)
            {
                activity.SetTag(SalesFlowDiagnostics.PipelineTag, deal.PipelineId);
                activity.SetTag(SalesFlowDiagnostics.PipelineVersionTag, deal.PipelineVersion);
                if (fromStage is not null)
                {
                    activity.SetTag(SalesFlowDiagnostics.FromStageTag, fromStage);
                }

                if (status == FireStatus.Accepted)
                {
                    activity.SetTag(SalesFlowDiagnostics.ToStageTag, deal.StageId);
                }

                activity.SetTag(SalesFlowDiagnostics.ResultTag, outcome);
            }

            if (status is FireStatus.Conflict or FireStatus.Aborted)
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome);
            }

            activity.Dispose();
        }

        var conflicts = retries + (status == FireStatus.Conflict ? 1 : 0);
        if (conflicts > 0 && _conflicts.Enabled)
        {
            _conflicts.Add(conflicts, new(SalesFlowDiagnostics.PipelineTag, deal.PipelineId), new(SalesFlowDiagnostics.OperationTag, OperationName(kind)));
        }

        if (_hookFailures.Enabled)
        {
            if (aborted is not null)
            {
                HookFailed(deal.PipelineId, hookTag, aborted);
            }

            foreach (var failure in failures)
            {
                HookFailed(deal.PipelineId, hookTag, failure);
            }
        }
    }

    public void FailCommit(in MoveTelemetry move, CommitKind kind, Exception exception)
    {
        var errorType = exception.GetType().FullName;
        if (move.Activity is { } activity)
        {
            if (activity.IsAllDataRequested)
            {
                activity.SetTag(SalesFlowDiagnostics.ResultTag, "error");
                activity.SetTag(SalesFlowDiagnostics.ErrorTypeTag, errorType);
            }

            activity.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            activity.Dispose();
        }

        if (kind == CommitKind.Move && (_moves.Enabled || _moveDuration.Enabled))
        {
            var tags = new TagList
            {
                // The move failed before its trigger was checked against a pipeline: the caller's text is not a tag value.
                { SalesFlowDiagnostics.TriggerTag, UnknownTrigger },
                { SalesFlowDiagnostics.ResultTag, "error" },
                { SalesFlowDiagnostics.ErrorTypeTag, errorType },
            };
            _moves.Add(1, tags);
            RecordDuration(move, tags);
        }
    }

    /// <summary>Records the time spent in the stage a saved move left (internal actions leave no stage).</summary>
    public void StageLeft(Deal before, Deal after)
    {
        if (_stageDuration.Enabled && after.StageEnteredAt != before.StageEnteredAt)
        {
            _stageDuration.Record(
                (after.StageEnteredAt - before.StageEnteredAt).TotalSeconds,
                new(SalesFlowDiagnostics.PipelineTag, before.PipelineId),
                new(SalesFlowDiagnostics.StageTag, before.StageId));
        }
    }

    /// <summary>Counts a conflict of an activity (data update, checklist item, note).</summary>
    private void HookFailed(string pipelineId, string trigger, HookFailure failure) =>
        _hookFailures.Add(
            1,
            new(SalesFlowDiagnostics.PipelineTag, pipelineId),
            new(SalesFlowDiagnostics.TriggerTag, trigger),
            new(SalesFlowDiagnostics.HookPhaseTag, failure.Phase == HookPhase.Transitioning ? "transitioning" : "transitioned"),
            new(SalesFlowDiagnostics.HookNameTag, failure.HookName));

    private void RecordDuration(in MoveTelemetry move, in TagList tags)
    {
        if (_moveDuration.Enabled && move.StartTimestamp != 0)
        {
            _moveDuration.Record(Stopwatch.GetElapsedTime(move.StartTimestamp).TotalSeconds, tags);
        }
    }

    private static string OperationName(CommitKind kind) => kind switch
    {
        CommitKind.Move => "move",
        CommitKind.Activity => "activity",
        CommitKind.Migration => "migration",
        _ => "start",
    };

    private static string ResultName(FireStatus status) => status switch
    {
        FireStatus.Accepted => "accepted",
        FireStatus.Rejected => "rejected",
        FireStatus.NotPermitted => "not_permitted",
        FireStatus.Conflict => "conflict",
        FireStatus.Forbidden => "forbidden",
        _ => "aborted",
    };
}

/// <summary>What telemetry keeps of a move in flight: its activity (when sampled) and its start time (when timed).</summary>
internal readonly record struct MoveTelemetry(Activity? Activity, long StartTimestamp);

/// <summary>The kinds of write that take the engine's commit path.</summary>
internal enum CommitKind
{
    Start = 0,
    Move = 1,
    Activity = 2,
    Migration = 3,
}
