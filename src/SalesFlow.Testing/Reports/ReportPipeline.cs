namespace SalesFlow.Testing.Reports;

/// <summary>The data of the report tests' deals: a region to break down by.</summary>
/// <param name="Region">The region, or <see langword="null"/>.</param>
public sealed record ReportData(string? Region = null);

/// <summary>
/// A small pipeline for the report tests: lead → meeting → proposal → won, a skip (lead → proposal, meeting → won), a
/// backward move (proposal → meeting), a re-entry (proposal → proposal), lost from every open stage and a reopen.
/// Version 2 renames "meeting" to "talks". For tests of a store's reports against the reference: every kind of move the
/// reports treat apart is there.
/// </summary>
public static class ReportPipeline
{
    /// <summary>The pipeline's id.</summary>
    public const string Id = "reports";

    /// <summary>Version 1, with the stage "meeting".</summary>
    /// <returns>The definition.</returns>
    public static PipelineDefinition<ReportData> V1() => Build(1, "meeting");

    /// <summary>Version 2: "meeting" renamed "talks".</summary>
    /// <returns>The definition.</returns>
    public static PipelineDefinition<ReportData> V2() => Build(2, "talks");

    /// <summary>The migration from version 1 to 2 (meeting becomes talks).</summary>
    /// <returns>The migration.</returns>
    public static PipelineMigration Migration() => new PipelineMigration(Id, 1, 2).MapStage("meeting", "talks");

    private static PipelineDefinition<ReportData> Build(int version, string meeting) =>
        PipelineBuilder.Create<ReportData>(Id, version)
            .Stage("lead", s => s.Name("Lead").Order(1).IdleAfter(TimeSpan.FromDays(2)))
            .Stage(meeting, s => s.Name("Meeting").Order(2).IdleAfter(TimeSpan.FromDays(3)))
            .Stage("proposal", s => s.Name("Proposal").Order(3))
            .Stage("won", s => s.Name("Won").Order(4).Won())
            .Stage("lost", s => s.Name("Lost").Order(5).Lost())
            .Transition("meet", from: "lead", to: meeting)
            .Transition("propose", from: ["lead", meeting], to: "proposal")
            .Transition("revisit", from: "proposal", to: meeting)
            .Transition("restart", from: "proposal", to: "proposal")
            .Transition("win", from: [meeting, "proposal"], to: "won")
            .Transition("lose", from: ["lead", meeting, "proposal"], to: "lost")
            .ReturnTransition("reopen", "lost")
            .InternalAction("call", "lead", meeting, "proposal")
            .Build();
}
