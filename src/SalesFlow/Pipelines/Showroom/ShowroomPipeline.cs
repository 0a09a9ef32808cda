using static SalesFlow.Pipelines.PipelineGuardHelpers;

namespace SalesFlow.Pipelines.Showroom;

/// <summary>Builds the ten-step showroom pipeline (a property sales office) from the seed.</summary>
internal static class ShowroomPipeline
{
    public const string Id = "showroom-ten-step";

    // The follow-up rules, by the names the JSON form of the process uses.
    public const string ReturnVisitRule = "showroom.return-visit-by-grade";
    public const string ClearFollowUpRule = "showroom.clear-follow-up";

    private static readonly string[] LosableStages =
    [
        ShowroomStages.Reception, ShowroomStages.ProjectIntroduction, ShowroomStages.SiteTour, ShowroomStages.Negotiation,
        ShowroomStages.NoDealYet, ShowroomStages.CustomerRecord, ShowroomStages.Tracking, ShowroomStages.Subscription,
    ];

    public static PipelineDefinition<ShowroomDeal> Build(FollowUpCadence cadence) =>
        PipelineBuilder.Create<ShowroomDeal>(Id, version: 1)
            .Name("Ten-step showroom")
            .DataTypeName("showroom-deal")
            .Stage(ShowroomStages.Reception, s => s
                .Name("Reception")
                .Probability(0.05)
                .Guidance("Welcome the customer warmly. Ask whether they have been here before and whether they phoned for information.")
                .Checklist(ShowroomChecklist.WarmWelcome, "Give the customer a warm welcome"))
            .Stage(ShowroomStages.ProjectIntroduction, s => s
                .Name("Project introduction")
                .Probability(0.1)
                .Guidance("Introduce the project on the sand-table model, then ask about the customer and what they need.")
                .Checklist(ShowroomChecklist.SandTable, "Introduce the project on the sand-table model", required: true))
            .Stage(ShowroomStages.SiteTour, s => s
                .Name("Site tour")
                .Probability(0.2)
                .Guidance(
                    "Show the site and the show flat. Do not neglect the customer on the way; plan the best route in advance; "
                    + "find the advantages of each unit layout and present them to the customer.")
                .Checklist(ShowroomChecklist.AttendCustomer, "Do not neglect the customer on the way")
                .Checklist(ShowroomChecklist.PlanRoute, "Plan the best route in advance")
                .Checklist(ShowroomChecklist.UnitAdvantages, "Find the advantages of the unit layouts and present them", required: true))
            .Stage(ShowroomStages.Negotiation, s => s
                .Name("Negotiation")
                .Probability(0.4)
                .Guidance(
                    "Be hospitable; test the customer; introduce unit layouts selectively; use the atmosphere and props. "
                    + "Move to subscription when the customer's desire to buy is above 70% and they are comfortable.")
                .Checklist(ShowroomChecklist.Hospitality, "Offer hospitality")
                .Checklist(ShowroomChecklist.TestCustomer, "Test the customer's intent")
                .Checklist(ShowroomChecklist.SelectiveUnits, "Introduce unit layouts selectively")
                .Checklist(ShowroomChecklist.Atmosphere, "Use the atmosphere and props"))
            .Stage(ShowroomStages.NoDealYet, s => s
                .Name("No deal yet")
                .Probability(0.15)
                .Guidance(
                    "Hand the prepared materials to the customer, exchange contact details, appoint a time for the next "
                    + "negotiation, and see the customer off warmly at the door.")
                .Checklist(ShowroomChecklist.MaterialsHandedOver, "Hand the prepared materials to the customer", required: true)
                .Checklist(ShowroomChecklist.ContactsExchanged, "Exchange contact details", required: true)
                .Checklist(ShowroomChecklist.SeenOff, "See the customer off warmly at the door"))
            .Stage(ShowroomStages.CustomerRecord, s => s
                .Name("Customer record")
                .Probability(0.15)
                .Guidance(
                    "Fill in the customer data sheet in detail and keep it safe. Grade the customer (A, B or C) and adjust the "
                    + "grade in time as tracking shows.")
                .Checklist(ShowroomChecklist.DataSheet, "Fill in the customer data sheet in detail", required: true)
                .Checklist(ShowroomChecklist.KeepSafe, "Keep the data sheet safe"))
            .Stage(ShowroomStages.Tracking, s => s
                .Name("Tracking")
                .Probability(0.15)
                .Guidance(
                    "Keep detailed tracking records, prepare what you will say in advance, and pay return visits on time "
                    + "according to the customer's grade.")
                .Checklist(ShowroomChecklist.PrepareScript, "Prepare what you will say in advance"))
            .Stage(ShowroomStages.Subscription, s => s
                .Name("Subscription")
                .Probability(0.7)
                .Guidance(
                    "The deal is made: take the deposit. Explain the product situation and the terms of the agreement in detail, "
                    + "fill in the agreement carefully, and keep control of the on-site sale.")
                .Checklist(ShowroomChecklist.ProductExplained, "Explain the product situation in detail", required: true)
                .Checklist(ShowroomChecklist.TermsExplained, "Explain the terms of the agreement in detail", required: true)
                .Checklist(ShowroomChecklist.AgreementFilled, "Fill in the agreement carefully", required: true)
                .Checklist(ShowroomChecklist.SalesControl, "Keep control of the on-site sale"))
            .Stage(ShowroomStages.Contract, s => s
                .Name("Contract")
                .Probability(0.9)
                .Guidance(
                    "Fill in the contract's contents completely. Prepare the articles needed for signing before the customer "
                    + "arrives. Avoid disputes with the customer over contract terms."))
            .Stage(ShowroomStages.CheckOut, s => s
                .Name("Check-out")
                .Probability(0.5)
                .Guidance(
                    "The customer wants to withdraw after signing. Ask the reason, decide against the check-out conditions "
                    + "whether they qualify, and do not get into conflict with the customer over it."))
            .Stage(ShowroomStages.Completed, s => s.Name("Completed").Won())
            .Stage(ShowroomStages.Cancelled, s => s.Name("Cancelled (checked out)").Closed())
            .Stage(ShowroomStages.Lost, s => s.Name("Lost").Lost())
            .Transition(ShowroomTriggers.Introduce, from: ShowroomStages.Reception, to: ShowroomStages.ProjectIntroduction)
                .When(ShowroomGuards.VisitHistory, d => d.FirstVisit is not null && d.PhonedBefore is not null, "Ask whether the customer has been here before and whether they phoned for information")
            .Transition(ShowroomTriggers.TourSite, from: ShowroomStages.ProjectIntroduction, to: ShowroomStages.SiteTour)
                .When(ShowroomGuards.CustomerNeeds, d => !string.IsNullOrWhiteSpace(d.CustomerNeeds), "Ask about the customer and record what they need")
            .Transition(ShowroomTriggers.Negotiate, from: ShowroomStages.SiteTour, to: ShowroomStages.Negotiation)
            .Transition(ShowroomTriggers.Subscribe, from: ShowroomStages.Negotiation, to: ShowroomStages.Subscription)
                .When(ShowroomGuards.PurchaseDesire, d => d.PurchaseDesirePercent > 70, "Purchase desire is not above 70%: keep negotiating, or let the customer go with materials and a next appointment")
            .Transition(ShowroomTriggers.NoDeal, from: ShowroomStages.Negotiation, to: ShowroomStages.NoDealYet)
            .Transition(ShowroomTriggers.RecordCustomer, from: ShowroomStages.NoDealYet, to: ShowroomStages.CustomerRecord)
                .When(ShowroomGuards.NextAppointment, d => d.NextAppointmentAt is not null, "No time appointed for the next negotiation")
            .Transition(ShowroomTriggers.StartTracking, from: ShowroomStages.CustomerRecord, to: ShowroomStages.Tracking)
                .When(ShowroomGuards.Grade, d => d.Grade is not null, "Customer grade (A, B or C) not assigned")
                .SchedulesFollowUp((d, now) => d.Grade is { } grade ? cadence.NextFollowUp(grade, now) : null, ReturnVisitRule)
            .InternalAction(ShowroomTriggers.LogReturnVisit, ShowroomStages.Tracking)
                .When(ShowroomGuards.VisitRecord, (_, ctx) => HasNote(ctx), "The tracking record must be detailed: describe the return visit in the note")
                .SchedulesFollowUp((d, now) => d.Grade is { } grade ? cadence.NextFollowUp(grade, now) : null, ReturnVisitRule)
            .Transition(ShowroomTriggers.ResumeNegotiation, from: ShowroomStages.Tracking, to: ShowroomStages.Negotiation)
                .SchedulesFollowUp((_, _) => null, ClearFollowUpRule)
            .Transition(ShowroomTriggers.SignContract, from: ShowroomStages.Subscription, to: ShowroomStages.Contract)
            .Transition(ShowroomTriggers.Complete, from: ShowroomStages.Contract, to: ShowroomStages.Completed)
                .When(ShowroomGuards.ContractComplete, d => d.ContractContentsComplete, "The contract's contents are not filled in completely")
                .When(ShowroomGuards.SigningArticles, d => d.SigningArticlesPrepared, "The articles needed for signing are not prepared")
                .When(ShowroomGuards.NoDispute, d => !d.ContractTermsDisputed, "A dispute with the customer over contract terms is open: settle it first")
            .Transition(ShowroomTriggers.RequestCheckOut, from: ShowroomStages.Contract, to: ShowroomStages.CheckOut)
                .When(ShowroomGuards.CheckOutReason, (_, ctx) => HasReason(ctx), "Ask the customer why they want to check out and give it as the reason")
            .Transition(ShowroomTriggers.ApproveCheckOut, from: ShowroomStages.CheckOut, to: ShowroomStages.Cancelled)
                .When(ShowroomGuards.CheckOutEligible, (d, ctx) => DecidedInThisCheckOut(d, ctx) && d.CheckOutDecision!.Eligible, "The customer has not been found eligible against the check-out conditions")
            .Transition(ShowroomTriggers.RejectCheckOut, from: ShowroomStages.CheckOut, to: ShowroomStages.Contract)
                .When(ShowroomGuards.CheckOutNotEligible, (d, ctx) => DecidedInThisCheckOut(d, ctx) && !d.CheckOutDecision!.Eligible, "The customer has not been found ineligible against the check-out conditions")
            .Transition(ShowroomTriggers.Lose, from: LosableStages, to: ShowroomStages.Lost)
                .When(ShowroomGuards.LostReason, (_, ctx) => HasReason(ctx), "A reason is required: say why the customer was lost")
            .ReturnTransition(ShowroomTriggers.Reopen, ShowroomStages.Lost)
            .Build();

    private static bool DecidedInThisCheckOut(ShowroomDeal data, GuardContext context) =>
        data.CheckOutDecision is { } decision && decision.CheckOutSequence == context.Deal.StageEnteredSequence;
}
