using System.Collections.Immutable;

namespace SalesFlow;

/// <summary>Open deals that need attention now: idle past their stage's threshold, or with a follow-up overdue.</summary>
/// <param name="PipelineId">The pipeline's id.</param>
/// <param name="AsOf">The instant the report was computed for.</param>
/// <param name="Idle">Idle deals, the longest idle first (then by deal id).</param>
/// <param name="Overdue">Deals whose follow-up is overdue, the most overdue first (then by deal id).</param>
public sealed record IdleReport(string PipelineId, DateTimeOffset AsOf, ImmutableArray<IdleDeal> Idle, ImmutableArray<OverdueFollowUp> Overdue);

/// <summary>An open deal without activity for longer than its stage's idle threshold and no follow-up scheduled ahead.</summary>
/// <param name="DealId">The deal's id.</param>
/// <param name="StageId">Its current stage.</param>
/// <param name="Owner">Its owner, if any.</param>
/// <param name="LastActivityAt">When something last happened to it.</param>
/// <param name="IdleFor">How long it has been idle.</param>
/// <param name="Threshold">The stage's idle threshold.</param>
public sealed record IdleDeal(string DealId, string StageId, string? Owner, DateTimeOffset LastActivityAt, TimeSpan IdleFor, TimeSpan Threshold);

/// <summary>An open deal whose follow-up time has passed.</summary>
/// <param name="DealId">The deal's id.</param>
/// <param name="StageId">Its current stage.</param>
/// <param name="Owner">Its owner, if any.</param>
/// <param name="DueAt">When the follow-up was due.</param>
/// <param name="OverdueBy">How long ago that was.</param>
public sealed record OverdueFollowUp(string DealId, string StageId, string? Owner, DateTimeOffset DueAt, TimeSpan OverdueBy);
