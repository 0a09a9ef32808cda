using System.Collections.Immutable;

namespace SalesFlow;

/// <summary>The funnel of one pipeline: how many deals started in the window reached each stage.</summary>
/// <param name="PipelineId">The pipeline's id.</param>
/// <param name="PipelineVersion">The version whose stages are the bars.</param>
/// <param name="Window">The window: deals started in it are counted.</param>
/// <param name="Mode">How deals that skipped or went back are counted.</param>
/// <param name="Deals">How many deals started in the window (the cohort).</param>
/// <param name="Bars">One bar per open or won stage, in stage order.</param>
public sealed record FunnelReport(string PipelineId, int PipelineVersion, ReportWindow Window, FunnelMode Mode, int Deals, ImmutableArray<FunnelBar> Bars);

/// <summary>One bar of a <see cref="FunnelReport"/>.</summary>
/// <param name="StageId">The stage's id.</param>
/// <param name="StageName">The stage's display name.</param>
/// <param name="Count">How many deals of the cohort count at this stage.</param>
/// <param name="StepConversion">This bar's count divided by the previous bar's; <see langword="null"/> for the first bar or after an empty bar.</param>
/// <param name="CumulativeConversion">This bar's count divided by the first bar's; <see langword="null"/> when the first bar is empty.</param>
public sealed record FunnelBar(string StageId, string StageName, int Count, double? StepConversion, double? CumulativeConversion);
