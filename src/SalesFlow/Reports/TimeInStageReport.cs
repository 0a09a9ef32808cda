using System.Collections.Immutable;

namespace SalesFlow;

/// <summary>How long deals stay in each open stage of a pipeline.</summary>
/// <param name="PipelineId">The pipeline's id.</param>
/// <param name="PipelineVersion">The version whose open stages are listed.</param>
/// <param name="Window">The window: stays that ended in it are measured, entries made in it are counted.</param>
/// <param name="AsOf">The instant the current stays are measured to.</param>
/// <param name="Stages">One entry per open stage, in stage order.</param>
public sealed record TimeInStageReport(string PipelineId, int PipelineVersion, ReportWindow Window, DateTimeOffset AsOf, ImmutableArray<StageTimes> Stages);

/// <summary>Time spent in one stage.</summary>
/// <param name="StageId">The stage's id.</param>
/// <param name="StageName">The stage's display name.</param>
/// <param name="Entries">How many times deals entered the stage in the window (re-entries counted).</param>
/// <param name="Latest">Over deals that left the stage in the window: each deal's latest stay that ended in the window.</param>
/// <param name="Cumulative">Over the same deals: the sum of each deal's stays that ended in the window (re-entries counted).</param>
/// <param name="Current">Over open deals in the stage now: how long they have been in it.</param>
public sealed record StageTimes(string StageId, string StageName, int Entries, DurationStats Latest, DurationStats Cumulative, DurationStats Current);
