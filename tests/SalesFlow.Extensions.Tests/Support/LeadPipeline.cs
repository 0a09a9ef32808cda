namespace SalesFlow.Extensions.Tests.Support;

/// <summary>Deal data with personal fields, to prove they never reach the logs.</summary>
public sealed record LeadData
{
    public bool Qualified { get; init; }

    public string? ContactName { get; init; }

    public string? Phone { get; init; }
}

/// <summary>A small custom pipeline: new → qualified → won, or lost.</summary>
public static class LeadPipeline
{
    public const string Id = "leads";

    public static PipelineDefinition<LeadData> Build(string id = Id, int version = 1) =>
        PipelineBuilder.Create<LeadData>(id, version)
            .Stage("new", s => s.Name("New").Probability(0.1))
            .Stage("qualified", s => s.Name("Qualified").Probability(0.5))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("qualify", from: "new", to: "qualified")
                .When("lead.qualified", d => d.Qualified, "Lead not qualified")
            .Transition("win", from: "qualified", to: "won")
            .Transition("lose", from: ["new", "qualified"], to: "lost")
            .ReturnTransition("reopen", "lost")
            .Build();
}
