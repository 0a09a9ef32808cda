using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Migration;

/// <summary>
/// Version 2 of the renewal pipeline: a new "qualified" stage after "open", "negotiation" replaced by "proposal",
/// the decision-maker guard moved from leaving "open" to leaving "qualified", and smaller stage edits.
/// </summary>
public static class RenewalVersions
{
    public static PipelineDefinition<RenewalData> V1() => RenewalPipeline.Build();

    public static PipelineDefinition<RenewalData> V2() =>
        PipelineBuilder.Create<RenewalData>(RenewalPipeline.Id, version: 2)
            .Stage("open", s => s.Name("Open").Probability(0.2).Checklist("call-logged", "Call logged", required: true).Checklist("email-sent", "Email sent").Guidance("Call the customer within a day."))
            .Stage("qualified", s => s.Name("Qualified").Probability(0.4).Checklist("needs-noted", "Needs noted", required: true))
            .Stage("proposal", s => s.Name("Proposal").Probability(0.7).IdleAfter(TimeSpan.FromDays(7)))
            .Stage("won", s => s.Name("Signed").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("advance", from: "open", to: "qualified")
                .When("budget.confirmed", d => d.BudgetConfirmed, "Budget not confirmed")
            .Transition("advance", from: "qualified", to: "proposal")
                .When("decision-maker.known", d => d.DecisionMakerKnown, "Decision maker not identified")
            .Transition("sign", from: "proposal", to: "won")
                .When("contract.signed", d => d.Signed, "Contract not signed")
            .Transition("lose", from: ["open", "qualified", "proposal"], to: "lost")
                .When("lost.reason", (_, ctx) => !string.IsNullOrWhiteSpace(ctx.Reason), "A lost reason is required")
            .ReturnTransition("reopen", "lost")
            .InternalAction("ping", "open", "qualified", "proposal")
            .Build();

    /// <summary>The migration from version 1 to 2: negotiation deals go to proposal; every other stage keeps its id.</summary>
    public static PipelineMigration Migration() => new PipelineMigration(RenewalPipeline.Id, 1, 2).MapStage("negotiation", "proposal");
}
