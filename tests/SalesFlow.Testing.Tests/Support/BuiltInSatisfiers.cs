using System.Collections.Immutable;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Pipelines.Showroom;

namespace SalesFlow.Testing.Tests.Support;

/// <summary>Satisfiers for the guards of the three built-in processes, written with their domain operations.</summary>
public static class BuiltInSatisfiers
{
    private static readonly DateTimeOffset Appointment = new(2026, 3, 9, 10, 0, 0, TimeSpan.Zero);

    public static GuardSatisfiers SevenStepB2B() => new GuardSatisfiers()
        .Add(B2BGuards.LeadSource, async (c, ct) => await c.Engine.RecordLeadSourceAsync(c.DealId, LeadSource.Blog, c.Actor, ct))
        .Add(B2BGuards.ContactChannel, async (c, ct) => await c.Engine.RecordFirstContactAsync(c.DealId, ContactChannel.Phone, c.Actor, cancellationToken: ct))
        .Add(B2BGuards.Budget, async (c, ct) => await c.Engine.UpdateBantAsync(c.DealId, b => b with { BudgetConfirmed = true }, c.Actor, ct))
        .Add(B2BGuards.Authority, async (c, ct) => await c.Engine.UpdateBantAsync(c.DealId, b => b with { AuthorityConfirmed = true }, c.Actor, ct))
        .Add(B2BGuards.Need, async (c, ct) => await c.Engine.UpdateBantAsync(c.DealId, b => b with { NeedConfirmed = true }, c.Actor, ct))
        .Add(B2BGuards.Timeline, async (c, ct) => await c.Engine.UpdateBantAsync(c.DealId, b => b with { TimelineConfirmed = true }, c.Actor, ct))
        .Add(B2BGuards.QuestionsAnswered, async (c, ct) =>
        {
            var deal = await c.GetDealAsync(ct);
            foreach (var question in deal.DataAs<B2BDeal>().UnansweredRequiredQuestions.ToList())
            {
                await c.Engine.AnswerNeedsQuestionAsync(c.DealId, question.Id, "Answered on the test path", c.Actor, ct);
            }
        })
        .Add(B2BGuards.UnderstandingConfirmed, async (c, ct) => await c.Engine.ConfirmUnderstandingAsync(c.DealId, "What we heard", c.Actor, ct))
        .Add(B2BGuards.DecisionMaker, async (c, ct) => await c.Engine.IdentifyDecisionMakerAsync(c.DealId, "CFO", c.Actor, ct))
        .Add(B2BGuards.ProposalDate, async (c, ct) => await c.Engine.AgreeProposalDateAsync(c.DealId, new DateOnly(2026, 4, 1), c.Actor, ct))
        .AddData<B2BDeal>(B2BGuards.ProposalNotRequired, d => d with { ProposalRequired = false })
        .AddData<B2BDeal>(
            B2BGuards.NoOpenObjection,
            d => d with { Objections = [.. d.Objections.Select(o => o with { Status = ObjectionStatus.Resolved })] })
        .Add(B2BGuards.TermsFinalized, async (c, ct) => await c.Engine.FinalizeTermsAsync(c.DealId, c.Actor, cancellationToken: ct))
        .Add(B2BGuards.DeliveryFinalized, async (c, ct) => await c.Engine.FinalizeDeliveryAsync(c.DealId, c.Actor, cancellationToken: ct))
        .Add(B2BGuards.ClosingTechnique, async (c, ct) => await c.Engine.RecordClosingTechniqueAsync(c.DealId, ClosingTechnique.Direct, c.Actor, ct))
        .AddRequest(B2BGuards.LostReason, r => r with { Reason = B2BLostReasons.NoBudget })
        // Refer carries the referred deal's id in the event (ReferAsync sets it when it starts that deal).
        .AddRequest(B2BGuards.ReferredDeal, r => r with
        {
            Properties = (r.Properties ?? ImmutableDictionary<string, string>.Empty).ToImmutableDictionary().SetItem(B2BEngineExtensions.ReferredDealIdProperty, "referred-by-test-path"),
        });

    public static GuardSatisfiers Showroom() => new GuardSatisfiers()
        .Add(ShowroomGuards.VisitHistory, async (c, ct) => await c.Engine.RecordVisitHistoryAsync(c.DealId, firstVisit: true, phonedBefore: false, c.Actor, ct))
        .Add(ShowroomGuards.CustomerNeeds, async (c, ct) => await c.Engine.RecordCustomerNeedsAsync(c.DealId, "Three rooms, south facing", c.Actor, ct))
        .Add(ShowroomGuards.PurchaseDesire, async (c, ct) => await c.Engine.AssessPurchaseDesireAsync(c.DealId, 80, c.Actor, ct))
        .Add(ShowroomGuards.NextAppointment, async (c, ct) => await c.Engine.SetNextAppointmentAsync(c.DealId, Appointment, c.Actor, ct))
        .Add(ShowroomGuards.Grade, async (c, ct) => await c.Engine.AssignGradeAsync(c.DealId, CustomerGrade.A, c.Actor, cancellationToken: ct))
        .AddRequest(ShowroomGuards.VisitRecord, r => r with { Note = "Visited the show flat again with the family" })
        .Add(ShowroomGuards.ContractComplete, UpdateContract)
        .Add(ShowroomGuards.SigningArticles, UpdateContract)
        .Add(ShowroomGuards.NoDispute, UpdateContract)
        .AddRequest(ShowroomGuards.CheckOutReason, r => r with { Reason = "Moving abroad" })
        .Add(ShowroomGuards.CheckOutEligible, async (c, ct) => await c.Engine.DecideCheckOutAsync(c.DealId, eligible: true, c.Actor, cancellationToken: ct))
        .Add(ShowroomGuards.CheckOutNotEligible, async (c, ct) => await c.Engine.DecideCheckOutAsync(c.DealId, eligible: false, c.Actor, cancellationToken: ct))
        .AddRequest(ShowroomGuards.LostReason, r => r with { Reason = "Bought elsewhere" });

    // Quoting the price before Desire is a policy no data meets: the test path forces it with a recorded override.
    public static GuardSatisfiers RetailFloor() => new GuardSatisfiers()
        .AddOverride(RetailGuards.PriceBeforeDesire, "Test path: the quote before Desire is fired on purpose");

    private static async ValueTask UpdateContract(GuardSatisfierContext c, CancellationToken ct) =>
        await c.Engine.UpdateContractAsync(c.DealId, contentsComplete: true, articlesPrepared: true, termsDisputed: false, c.Actor, ct);
}
