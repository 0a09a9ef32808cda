using System.Collections.Immutable;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Pipelines.Showroom;

namespace SalesFlow.Samples.Console;

/// <summary>
/// Runs deals through a built-in process with realistic, seeded outcomes and timings: at each open stage a deal moves on
/// with the odds its stages' win probabilities imply (from 0.4 to 0.6 is two chances in three), or is lost; time in a
/// stage is drawn around the stage's idle threshold (8 days when it has none); deals still open at the present stay open. Guards are met the way a seller would meet
/// them, through the process's domain operations, so every move goes through the engine as in real use.
/// </summary>
internal sealed class Simulation(SalesFlowEngine engine, SimulationClock clock, Random random)
{
    private static readonly string[] Owners = ["ana", "li", "sam", "kim", "noor"];
    private static readonly string[] LostReasons = ["No budget", "Went with a competitor", "No decision", "Timing", "Price too high"];

    public static IReadOnlyList<string> SupportedPipelines { get; } = [SalesPipelines.SevenStepB2BId, SalesPipelines.ShowroomId, SalesPipelines.RetailFloorId];

    /// <summary>
    /// Starts one deal at <paramref name="start"/> and moves it until it is won, lost or closed, or until
    /// <paramref name="now"/> (then it stays open, as the deals a team is working on do).
    /// </summary>
    public async Task<Deal> RunDealAsync(PipelineDefinition pipeline, string dealId, DateTimeOffset start, DateTimeOffset now, CancellationToken cancellationToken)
    {
        clock.Now = start;
        var owner = Owners[random.Next(Owners.Length)];
        var request = new StartRequest(owner) { Owner = owner, Amount = Amount(pipeline.Id) };
        var deal = pipeline.Id switch
        {
            SalesPipelines.SevenStepB2BId => await engine.StartAsync(pipeline.Id, dealId, new B2BDeal { Industry = Pick(["logistics", "retail", "health", "finance"]) }, request, cancellationToken),
            SalesPipelines.ShowroomId => await engine.StartAsync(pipeline.Id, dealId, new ShowroomDeal(), request, cancellationToken),
            _ => await engine.StartAsync(pipeline.Id, dealId, new RetailDeal(), request, cancellationToken),
        };

        for (var move = 0; move < 40 && pipeline.GetStage(deal.StageId).IsOpen; move++)
        {
            var stage = pipeline.GetStage(deal.StageId);
            clock.Now += Stay(stage);
            if (clock.Now > now)
            {
                break;
            }

            var exits = pipeline.Transitions.Where(t => t.From == stage.Id && t.Kind == TransitionKind.Transition && t.To != stage.Id).ToList();
            var losing = exits.Where(t => pipeline.GetStage(t.To!).Kind == StageKind.Lost).ToList();
            var onward = exits.Except(losing).DistinctBy(t => t.Trigger).ToList();
            var chosen = onward.Count > 0 && (losing.Count == 0 || random.NextDouble() < Odds(stage, pipeline, onward))
                ? PickWeighted(onward, t => pipeline.GetStage(t.To!).WinProbability + 0.05)
                : losing.FirstOrDefault();
            if (chosen is null)
            {
                break;
            }

            deal = await MoveAsync(pipeline, deal, chosen.Trigger, owner, cancellationToken) ?? deal;
        }

        return deal;
    }

    // The chance to move on: the win probability here over the one the next stage has, as a forecast implies.
    private static double Odds(StageDefinition stage, PipelineDefinition pipeline, List<TransitionDefinition> onward)
    {
        var next = onward.Select(t => pipeline.GetStage(t.To!).WinProbability).Max();
        return next <= 0 ? 0.5 : Math.Clamp(stage.WinProbability / next, 0.15, 0.95);
    }

    private async Task<Deal?> MoveAsync(PipelineDefinition pipeline, Deal deal, string trigger, string actor, CancellationToken cancellationToken)
    {
        var fire = new FireRequest(actor);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var result = await engine.FireAsync(deal.Id, trigger, fire, cancellationToken);
            if (result.Accepted)
            {
                return result.Deal;
            }

            foreach (var guard in result.UnmetGuards)
            {
                fire = await SatisfyAsync(pipeline, deal.Id, guard.Code, fire, actor, cancellationToken);
            }
        }

        return null;
    }

    // What a seller does to meet each guard of the built-in processes.
    private async Task<FireRequest> SatisfyAsync(PipelineDefinition pipeline, string id, string code, FireRequest fire, string actor, CancellationToken ct)
    {
        if (code.StartsWith("checklist.", StringComparison.Ordinal))
        {
            await engine.CompleteChecklistItemAsync(id, code["checklist.".Length..], actor, ct);
            return fire;
        }

        switch (pipeline.Id, code)
        {
            case (_, B2BGuards.LostReason or ShowroomGuards.LostReason):
                return fire with { Reason = Pick(LostReasons) };
            case (_, ShowroomGuards.CheckOutReason):
                return fire with { Reason = "Moving abroad" };
            case (_, ShowroomGuards.VisitRecord):
                return fire with { Note = "Return visit with the family" };
            case (SalesPipelines.SevenStepB2BId, B2BGuards.LeadSource):
                await engine.RecordLeadSourceAsync(id, (LeadSource)random.Next(0, 9), actor, ct);
                break;
            case (SalesPipelines.SevenStepB2BId, B2BGuards.ContactChannel):
                await engine.RecordFirstContactAsync(id, ContactChannel.Phone, actor, cancellationToken: ct);
                break;
            case (SalesPipelines.SevenStepB2BId, B2BGuards.Budget or B2BGuards.Authority or B2BGuards.Need or B2BGuards.Timeline):
                await engine.UpdateBantAsync(id, b => b with { BudgetConfirmed = true, AuthorityConfirmed = true, NeedConfirmed = true, TimelineConfirmed = true }, actor, ct);
                break;
            case (SalesPipelines.SevenStepB2BId, B2BGuards.QuestionsAnswered):
                var current = await engine.GetAsync(id, ct);
                foreach (var question in current.DataAs<B2BDeal>().UnansweredRequiredQuestions.ToList())
                {
                    await engine.AnswerNeedsQuestionAsync(id, question.Id, "Noted", actor, ct);
                }

                break;
            case (SalesPipelines.SevenStepB2BId, B2BGuards.UnderstandingConfirmed):
                await engine.ConfirmUnderstandingAsync(id, "Confirmed with the prospect", actor, ct);
                break;
            case (SalesPipelines.SevenStepB2BId, B2BGuards.DecisionMaker):
                await engine.IdentifyDecisionMakerAsync(id, "Head of operations", actor, ct);
                break;
            case (SalesPipelines.SevenStepB2BId, B2BGuards.ProposalDate):
                await engine.AgreeProposalDateAsync(id, DateOnly.FromDateTime(clock.Now.UtcDateTime.AddDays(7)), actor, ct);
                break;
            case (SalesPipelines.SevenStepB2BId, B2BGuards.ProposalNotRequired):
                await engine.UpdateAsync<B2BDeal>(id, d => d with { ProposalRequired = false }, actor, ct);
                break;
            case (SalesPipelines.SevenStepB2BId, B2BGuards.NoOpenObjection):
                await engine.UpdateAsync<B2BDeal>(id, d => d with { Objections = [.. d.Objections.Select(o => o with { Status = ObjectionStatus.Resolved })] }, actor, ct);
                break;
            case (SalesPipelines.SevenStepB2BId, B2BGuards.TermsFinalized):
                await engine.FinalizeTermsAsync(id, actor, cancellationToken: ct);
                break;
            case (SalesPipelines.SevenStepB2BId, B2BGuards.DeliveryFinalized):
                await engine.FinalizeDeliveryAsync(id, actor, cancellationToken: ct);
                break;
            case (SalesPipelines.SevenStepB2BId, B2BGuards.ClosingTechnique):
                await engine.RecordClosingTechniqueAsync(id, (ClosingTechnique)random.Next(0, 4), actor, ct);
                break;
            case (SalesPipelines.ShowroomId, ShowroomGuards.VisitHistory):
                await engine.RecordVisitHistoryAsync(id, firstVisit: random.Next(2) == 0, phonedBefore: random.Next(2) == 0, actor, ct);
                break;
            case (SalesPipelines.ShowroomId, ShowroomGuards.CustomerNeeds):
                await engine.RecordCustomerNeedsAsync(id, "Three rooms, south facing", actor, ct);
                break;
            case (SalesPipelines.ShowroomId, ShowroomGuards.PurchaseDesire):
                await engine.AssessPurchaseDesireAsync(id, 75 + random.Next(25), actor, ct);
                break;
            case (SalesPipelines.ShowroomId, ShowroomGuards.NextAppointment):
                await engine.SetNextAppointmentAsync(id, clock.Now.AddDays(5), actor, ct);
                break;
            case (SalesPipelines.ShowroomId, ShowroomGuards.Grade):
                await engine.AssignGradeAsync(id, (CustomerGrade)random.Next(0, 3), actor, cancellationToken: ct);
                break;
            case (SalesPipelines.ShowroomId, ShowroomGuards.ContractComplete or ShowroomGuards.SigningArticles or ShowroomGuards.NoDispute):
                await engine.UpdateContractAsync(id, contentsComplete: true, articlesPrepared: true, termsDisputed: false, actor, ct);
                break;
            case (SalesPipelines.ShowroomId, ShowroomGuards.CheckOutEligible or ShowroomGuards.CheckOutNotEligible):
                await engine.DecideCheckOutAsync(id, eligible: code == ShowroomGuards.CheckOutEligible, actor, cancellationToken: ct);
                break;
        }

        return fire;
    }

    // Among several ways on, the more promising one is the more likely (Subscribe rather than No deal yet).
    private TransitionDefinition PickWeighted(List<TransitionDefinition> choices, Func<TransitionDefinition, double> weight)
    {
        var total = choices.Sum(weight);
        var point = random.NextDouble() * total;
        foreach (var choice in choices)
        {
            point -= weight(choice);
            if (point <= 0)
            {
                return choice;
            }
        }

        return choices[^1];
    }

    private TimeSpan Stay(StageDefinition stage)
    {
        var mean = (stage.IdleThreshold ?? TimeSpan.FromDays(8)).TotalHours * 0.6;
        var hours = -Math.Log(1 - random.NextDouble()) * mean;
        return TimeSpan.FromHours(Math.Clamp(hours, 0.25, mean * 6));
    }

    private decimal Amount(string pipelineId) => pipelineId switch
    {
        SalesPipelines.SevenStepB2BId => 5_000 + (random.Next(0, 390) * 500),
        SalesPipelines.ShowroomId => 250_000 + (random.Next(0, 130) * 5_000),
        _ => 150 + (random.Next(0, 97) * 50),
    };

    private string Pick(IReadOnlyList<string> values) => values[random.Next(values.Count)];
}

/// <summary>The simulation's clock: it jumps forward as simulated days pass.</summary>
internal sealed class SimulationClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
