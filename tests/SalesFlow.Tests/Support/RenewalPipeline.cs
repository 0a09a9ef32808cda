namespace SalesFlow.Tests.Support;

/// <summary>A small custom pipeline used across the core tests.</summary>
public sealed record RenewalData
{
    public bool Signed { get; init; }

    public bool BudgetConfirmed { get; init; }

    public bool DecisionMakerKnown { get; init; }

    public string? Contact { get; init; }

    public int Counter { get; init; }
}

public static class RenewalPipeline
{
    public const string Id = "renewals";

    public static PipelineBuilder<RenewalData> Builder() =>
        PipelineBuilder.Create<RenewalData>(Id, version: 1)
            .Stage("open", s => s.Name("Open").Probability(0.2).Checklist("call-logged", "Call logged", required: true).Guidance("Call the customer."))
            .Stage("negotiation", s => s.Name("Negotiation").Probability(0.6))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("advance", from: "open", to: "negotiation")
                .When("budget.confirmed", d => d.BudgetConfirmed, "Budget not confirmed")
                .When("decision-maker.known", d => d.DecisionMakerKnown, "Decision maker not identified")
            .Transition("sign", from: "negotiation", to: "won")
                .When("contract.signed", d => d.Signed, "Contract not signed")
            .Transition("lose", from: ["open", "negotiation"], to: "lost")
                .When("lost.reason", (_, ctx) => !string.IsNullOrWhiteSpace(ctx.Reason), "A lost reason is required")
            .ReturnTransition("reopen", "lost")
            .InternalAction("ping", "open", "negotiation");

    public static PipelineDefinition<RenewalData> Build() => Builder().Build();
}
