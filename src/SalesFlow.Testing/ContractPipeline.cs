namespace SalesFlow.Testing;

/// <summary>The small pipeline the contract's deals run on: a cycle (toggle), an internal action (ping), won and lost.</summary>
public static class ContractPipeline
{
    /// <summary>The pipeline's id.</summary>
    public const string Id = "store-contract";

    /// <summary>Builds the pipeline.</summary>
    /// <returns>The definition (version 1).</returns>
    public static PipelineDefinition<ContractDealData> Build() =>
        PipelineBuilder.Create<ContractDealData>(Id, version: 1)
            .Stage("open", s => s.Name("Open").Probability(0.2).Checklist("call-logged", "Call logged"))
            .Stage("working", s => s.Name("Working").Probability(0.5))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("toggle", from: "open", to: "working")
            .Transition("toggle", from: "working", to: "open")
            .Transition("sign", from: "working", to: "won")
                .When("contract.signed", d => d.IsSigned, "Contract not signed")
            .Transition("lose", from: ["open", "working"], to: "lost")
            .InternalAction("ping", "open", "working")
            .Build();

    /// <summary>A registry holding the pipeline, as a store needs it.</summary>
    /// <returns>The registry.</returns>
    public static PipelineRegistry Registry() => new(Build());
}
