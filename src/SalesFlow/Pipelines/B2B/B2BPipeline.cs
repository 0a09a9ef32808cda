using static SalesFlow.Pipelines.PipelineGuardHelpers;

namespace SalesFlow.Pipelines.B2B;

/// <summary>Builds the seven-step B2B pipeline from the seed's "seven processes of sales reception".</summary>
internal static class B2BPipeline
{
    public const string Id = "b2b-seven-step";

    private static readonly string[] OpenStages =
    [
        B2BStages.Prospecting, B2BStages.Qualification, B2BStages.NeedsAssessment,
        B2BStages.Presentation, B2BStages.Proposal, B2BStages.Close,
    ];

    public static PipelineDefinition<B2BDeal> Build() =>
        PipelineBuilder.Create<B2BDeal>(Id, version: 1)
            .Name("Seven-step B2B")
            .DataTypeName("b2b-deal")
            .Stage(B2BStages.Prospecting, s => s
                .Name("Prospecting (lead mining)")
                .Probability(0.05)
                .Guidance(
                    "Mine leads and record where each one came from. Inbound marketing (blogs, broadcasts, videos, e-books, "
                    + "newsletters, white papers, product pages, SEO, SEM, social media) attracts customers with useful content and "
                    + "resources, and has proved the more effective and cheaper source of qualified leads. Outbound marketing reaches "
                    + "out actively: telemarketing, mail marketing, direct mail, exhibitions and traditional advertising (TV, "
                    + "magazines, newspapers, radio). Use demographic data, industry and other characteristics to judge whether the "
                    + "buyer is likely to be interested.")
                .Checklist("prospecting-source", "Record the lead source: inbound content or outbound outreach")
                .Checklist("prospecting-fit", "Check the buyer's fit by demographics, industry or other characteristics"))
            .Stage(B2BStages.Qualification, s => s
                .Name("Qualification (first contact)")
                .Probability(0.1)
                .Guidance(
                    "Make first contact by phone, email or social media. In this first interaction, collect the key facts that "
                    + "show whether the lead fits your product or service: a qualified lead meets BANT (budget, authority = the "
                    + "decision maker, need, timeline). Hand qualified leads to the sales team quickly and drop the others with a "
                    + "reason, so no time goes into inquiries that are not leads.")
                .Checklist("qualification-first-contact", "Make first contact by phone, email or social media")
                .Checklist("qualification-bant", "Collect BANT: budget, authority (decision maker), need, timeline"))
            .Stage(B2BStages.NeedsAssessment, s => s
                .Name("Needs assessment")
                .Probability(0.2)
                .Guidance(
                    "Ask a prepared series of standard, open-ended questions so no important detail is forgotten and the "
                    + "prospect is encouraged to talk. Listen more and talk less; do not start discussing the product yet. "
                    + "Understand the prospect's situation well enough to tailor the presentation and to foresee objections. "
                    + "When every question is discussed, repeat back what you heard to make sure you understood, and ask more "
                    + "questions to clear up any misunderstanding before moving on.")
                .Checklist("needs-prepare-questions", "Prepare the standard open-ended questions")
                .Checklist("needs-listen", "Listen more, talk less; do not pitch the product yet")
                .Checklist("needs-repeat-back", "Repeat back what you heard and have the prospect confirm it"))
            .Stage(B2BStages.Presentation, s => s
                .Name("Presentation")
                .Probability(0.4)
                .Guidance(
                    "Convey the value of the solution by linking the prospect's needs, challenges and expectations to the "
                    + "product's features and advantages. Prepare the demonstration and the product and technical knowledge to "
                    + "exchange. Find the real decision makers and understand their personality and way of working. Set the time "
                    + "and agenda in advance, with the end time, so everyone can attend the whole meeting. Agree on expectations "
                    + "and the result both sides want. Show how the proposal solves the most important problems, let everyone ask "
                    + "questions openly, and highlight what this customer cares about. Remember who is most enthusiastic. End by "
                    + "agreeing a date to submit the proposal.")
                .Checklist("presentation-prepare", "Prepare the demonstration and the product and technical knowledge")
                .Checklist("presentation-decision-makers", "Find the real decision makers; understand their personality and way of working")
                .Checklist("presentation-agenda", "Set the time, agenda and end time in advance")
                .Checklist("presentation-expectations", "Agree the expectations and the result both sides want")
                .Checklist("presentation-demonstrate", "Demonstrate how the solution solves the most important problems")
                .Checklist("presentation-proposal-date", "Agree a date to submit the proposal"))
            .Stage(B2BStages.Proposal, s => s
                .Name("Proposal & objections")
                .Probability(0.6)
                .Guidance(
                    "Not every product needs a separate proposal; when one is needed, tailor it to the prospect's needs, "
                    + "challenges and motivations and stress how it achieves the result they expect. Write down every objection "
                    + "and answer them one by one; if someone is not 100% satisfied, ask what would make them so. Ask teammates for "
                    + "help with difficult ones; one you cannot answer now becomes the reason for the next meeting. Continue only "
                    + "when every objection is answered or dealt with: a prospect who asks no questions may not want to buy. Record "
                    + "recurring objections and share the best answers with the team.")
                .Checklist("proposal-tailor", "Tailor the proposal to the prospect's needs, challenges and motivations")
                .Checklist("proposal-objections", "Write down every objection and answer them one by one")
                .Checklist("proposal-share-objections", "Record recurring objections and share the best answers with the team"))
            .Stage(B2BStages.Close, s => s
                .Name("Close")
                .Probability(0.8)
                .Guidance(
                    "The prospect commits to buy or stops the process; it succeeds only when the previous steps were done well "
                    + "and in order. Pick a closing technique that fits: direct close (a clear buying signal, or no doubt left), "
                    + "assumptive close (doubts removed, strong approval), opportunity close (re-stress the vision, cite similar "
                    + "cases, make clear this is the best chance), pressure close (show a hesitant buyer the real pressures they "
                    + "face), and others. Resolve every remaining objection, finalise the terms, price and all delivery details, "
                    + "and introduce the colleagues responsible for the next steps.")
                .Checklist("close-technique", "Choose and record the closing technique")
                .Checklist("close-terms", "Finalise the terms, price and delivery details")
                .Checklist("close-handover", "Introduce the colleagues responsible for the next steps"))
            .Stage(B2BStages.FollowUp, s => s
                .Name("Follow-up (won)")
                .Won()
                .Guidance(
                    "Cultivate the relationship with the happy customer: they buy again and are the best source of referrals. "
                    + "Keep a customer file with everything relevant (children, hobbies, education, position, performance, places "
                    + "visited, age, cultural background) to talk about what interests them. Stay in touch through product updates, "
                    + "industry news, newsletters or a reward program, so they think of you first when they or their friends have a need.")
                .Checklist("follow-up-customer-file", "Keep a customer file")
                .Checklist("follow-up-stay-in-touch", "Stay in touch: product updates, industry news, newsletters, reward program")
                .Checklist("follow-up-referrals", "Ask for referrals"))
            .Stage(B2BStages.Lost, s => s.Name("Lost").Lost())
            .Transition(B2BTriggers.Contact, from: B2BStages.Prospecting, to: B2BStages.Qualification)
                .When(B2BGuards.LeadSource, d => d.Source is not null, "Lead source not recorded: note whether the lead came from inbound content or outbound outreach")
            .Transition(B2BTriggers.Qualify, from: B2BStages.Qualification, to: B2BStages.NeedsAssessment)
                .When(B2BGuards.ContactChannel, d => d.FirstContactChannel is not null, "First contact not recorded: reach the lead by phone, email or social media")
                .When(B2BGuards.Budget, d => d.Bant.BudgetConfirmed, "Budget not confirmed")
                .When(B2BGuards.Authority, d => d.Bant.AuthorityConfirmed, "Authority not confirmed: the decision maker is not identified")
                .When(B2BGuards.Need, d => d.Bant.NeedConfirmed, "Need not confirmed")
                .When(B2BGuards.Timeline, d => d.Bant.TimelineConfirmed, "Timeline not confirmed: no time frame for the purchase")
            .Transition(B2BTriggers.Disqualify, from: B2BStages.Qualification, to: B2BStages.Lost)
                .When(B2BGuards.LostReason, (_, ctx) => HasReason(ctx), "A reason is required: say why the lead does not qualify")
            .Transition(B2BTriggers.Present, from: B2BStages.NeedsAssessment, to: B2BStages.Presentation)
                .When(B2BGuards.QuestionsAnswered, d => !d.UnansweredRequiredQuestions.Any(), "Not every required needs-assessment question is answered")
                .When(B2BGuards.UnderstandingConfirmed, d => !string.IsNullOrWhiteSpace(d.ConfirmedUnderstanding), "Understanding not confirmed: repeat back what you heard and have the prospect confirm it")
            .Transition(B2BTriggers.Propose, from: B2BStages.Presentation, to: B2BStages.Proposal)
                .When(B2BGuards.DecisionMaker, d => d.DecisionMakers.Length > 0, "No real decision maker identified")
                .When(B2BGuards.ProposalDate, d => d.ProposalDueOn is not null, "No date agreed with the prospect to submit the proposal")
            .Transition(B2BTriggers.Close, from: B2BStages.Presentation, to: B2BStages.Close)
                .When(B2BGuards.ProposalNotRequired, d => !d.ProposalRequired, "This product needs a tailored proposal: use Propose first")
                .When(B2BGuards.DecisionMaker, d => d.DecisionMakers.Length > 0, "No real decision maker identified")
                .When(B2BGuards.NoOpenObjection, d => !d.OpenObjections.Any(), "Objections are still open: answer and resolve each one before closing")
            .Transition(B2BTriggers.Close, from: B2BStages.Proposal, to: B2BStages.Close)
                .When(B2BGuards.NoOpenObjection, d => !d.OpenObjections.Any(), "Objections are still open: answer and resolve each one before closing")
            .Transition(B2BTriggers.Win, from: B2BStages.Close, to: B2BStages.FollowUp)
                .When(B2BGuards.TermsFinalized, d => d.TermsFinalized, "Terms and price not finalised")
                .When(B2BGuards.DeliveryFinalized, d => d.DeliveryFinalized, "Delivery details not finalised")
                .When(B2BGuards.ClosingTechnique, d => d.ClosingTechnique is not null, "Closing technique not recorded")
            .Transition(B2BTriggers.Lose, from: OpenStages, to: B2BStages.Lost)
                .When(B2BGuards.LostReason, (_, ctx) => HasReason(ctx), "A lost reason is required: pick one of B2BLostReasons or write your own")
            .ReturnTransition(B2BTriggers.Reopen, B2BStages.Lost)
            .InternalAction(B2BTriggers.Refer, B2BStages.FollowUp)
                .When(B2BGuards.ReferredDeal, (_, ctx) => ctx.Options?.Properties?.ContainsKey(B2BEngineExtensions.ReferredDealIdProperty) == true, "The referred deal is missing: refer through ReferAsync, which starts the new deal and links both")
            .Build();
}
