namespace SalesFlow;

/// <summary>
/// The names SalesFlow reports metrics and traces under: subscribe with
/// <c>AddMeter(SalesFlowDiagnostics.MeterName)</c> and <c>AddSource(SalesFlowDiagnostics.ActivitySourceName)</c>.
/// Tags carry ids, stage and trigger names only, never deal data.
/// </summary>
public static class SalesFlowDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/>: <c>SalesFlow</c>.</summary>
    public const string MeterName = "SalesFlow";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/>: <c>SalesFlow</c>.</summary>
    public const string ActivitySourceName = "SalesFlow";

    /// <summary>The name of the activity started for every move: <c>salesflow.move</c>.</summary>
    public const string MoveActivityName = "salesflow.move";

    /// <summary>The name of the activity (trace span) of every recorded deal activity (data change, checklist item, note).</summary>
    public const string DealActivityName = "salesflow.activity";

    /// <summary>The name of the activity (trace span) of every deal start.</summary>
    public const string StartActivityName = "salesflow.start";

    /// <summary>The name of the activity (trace span) of every deal moved to another pipeline version by a migration.</summary>
    public const string MigrateActivityName = "salesflow.migrate";

    /// <summary>The tag carrying the activity type of a <see cref="DealActivityName"/> span (for example <c>objection.raised</c>).</summary>
    public const string ActivityTypeTag = "salesflow.activity.type";

    /// <summary>Counter of moves (fired triggers), unit <c>{move}</c>; tags pipeline, trigger, result (and <c>error.type</c> for <c>error</c>).</summary>
    public const string MovesInstrument = "salesflow.moves";

    /// <summary>Histogram of how long a move took, unit <c>s</c>; tags pipeline, trigger, result.</summary>
    public const string MoveDurationInstrument = "salesflow.move.duration";

    /// <summary>Counter of saves refused by optimistic concurrency (each retried or given up), unit <c>{conflict}</c>; tags pipeline, operation.</summary>
    public const string ConflictsInstrument = "salesflow.conflicts";

    /// <summary>Counter of hooks that threw, unit <c>{failure}</c>; tags pipeline, trigger, hook phase, hook name.</summary>
    public const string HookFailuresInstrument = "salesflow.hook.failures";

    /// <summary>Histogram of the time a deal spent in a stage, recorded when a move leaves it, unit <c>s</c>; tags pipeline, stage.</summary>
    public const string StageDurationInstrument = "salesflow.stage.duration";

    /// <summary>Tag: the pipeline id.</summary>
    public const string PipelineTag = "salesflow.pipeline.id";

    /// <summary>Tag (activity only): the pipeline version.</summary>
    public const string PipelineVersionTag = "salesflow.pipeline.version";

    /// <summary>Tag (activity only): the deal id.</summary>
    public const string DealIdTag = "salesflow.deal.id";

    /// <summary>Tag: the trigger fired.</summary>
    public const string TriggerTag = "salesflow.trigger";

    /// <summary>Tag (activity only): the stage the move started from.</summary>
    public const string FromStageTag = "salesflow.stage.from";

    /// <summary>Tag (activity only): the stage the move ended in (accepted moves).</summary>
    public const string ToStageTag = "salesflow.stage.to";

    /// <summary>Tag: the stage left (stage duration).</summary>
    public const string StageTag = "salesflow.stage";

    /// <summary>
    /// Tag: the outcome of a move: <c>accepted</c>, <c>rejected</c>, <c>not_permitted</c>, <c>conflict</c>,
    /// <c>aborted</c> (a hook aborted it) or <c>error</c> (an exception escaped).
    /// </summary>
    public const string ResultTag = "salesflow.move.result";

    /// <summary>Tag: what hit a conflict: <c>move</c> or <c>activity</c> (data update, checklist item, note).</summary>
    public const string OperationTag = "salesflow.operation";

    /// <summary>Tag: the hook phase, <c>transitioning</c> or <c>transitioned</c>.</summary>
    public const string HookPhaseTag = "salesflow.hook.phase";

    /// <summary>Tag: the hook's name (its type name, or the name given in the pipeline definition).</summary>
    public const string HookNameTag = "salesflow.hook.name";

    /// <summary>Tag: the type of the exception that ended a move (result <c>error</c>), as in OpenTelemetry's <c>error.type</c>.</summary>
    public const string ErrorTypeTag = "error.type";
}
