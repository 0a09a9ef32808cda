namespace SalesFlow.Testing.Tests.Support;

/// <summary>Small hand-made pipelines for the harness tests.</summary>
public static class SmallPipelines
{
    public static PipelineDefinition<FlagData> Linear() =>
        PipelineBuilder.Create<FlagData>("linear", version: 1)
            .Stage("open", s => s.Name("Open"))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("sign", from: "open", to: "won").When("signed", d => d.Has("signed"), "Contract not signed")
            .Transition("lose", from: "open", to: "lost")
            .Build();

    // Re-entry on b, internal actions on a and b, returns from b and lost: the previous stage must follow the engine's rules.
    public static PipelineDefinition<FlagData> ReentryAndReturns() =>
        PipelineBuilder.Create<FlagData>("reentry", version: 1)
            .Stage("a", s => s.Name("A"))
            .Stage("b", s => s.Name("B"))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("next", from: "a", to: "b")
            .Transition("again", from: "b", to: "b")
            .InternalAction("ping", "a", "b")
            .ReturnTransition("undo", "b")
            .Transition("win", from: "b", to: "won")
            .Transition("lose", from: ["a", "b"], to: "lost")
            .ReturnTransition("reopen", "lost")
            .Build();

    public static PipelineDefinition<FlagData> Alternatives() =>
        PipelineBuilder.Create<FlagData>("alternatives", version: 1)
            .Stage("a", s => s.Name("A"))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("decide", from: "a", to: "won").When("yes", d => d.Has("yes"), "Not agreed")
            .Transition("decide", from: "a", to: "lost").When("no", d => d.Has("no"), "Not refused")
            .Build();
}
