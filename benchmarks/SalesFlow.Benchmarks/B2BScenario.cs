using System.Collections.Immutable;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using Stateless;

namespace SalesFlow.Benchmarks;

/// <summary>
/// The seven-step B2B process as every benchmark uses it: the SalesFlow definition, and the same graph
/// with the same guards configured by hand on a raw Stateless machine, as an application without
/// SalesFlow would write it (enum states and triggers, external state, guards with descriptions).
/// </summary>
public static class B2BScenario
{
    /// <summary>The happy path: six moves from Prospecting to Follow-up (won).</summary>
    public static readonly string[] HappyPath =
        [B2BTriggers.Contact, B2BTriggers.Qualify, B2BTriggers.Present, B2BTriggers.Propose, B2BTriggers.Close, B2BTriggers.Win];

    /// <summary>The happy path as the stage each move reaches and its trigger, for the raw SQL baselines.</summary>
    public static readonly (string Stage, string Trigger)[] StagePath =
    [
        (B2BStages.Qualification, B2BTriggers.Contact), (B2BStages.NeedsAssessment, B2BTriggers.Qualify),
        (B2BStages.Presentation, B2BTriggers.Present), (B2BStages.Proposal, B2BTriggers.Propose),
        (B2BStages.Close, B2BTriggers.Close), (B2BStages.FollowUp, B2BTriggers.Win),
    ];

    public static readonly Trigger[] RawHappyPath = [Trigger.Contact, Trigger.Qualify, Trigger.Present, Trigger.Propose, Trigger.Close, Trigger.Win];

    public enum Stage
    {
        Prospecting,
        Qualification,
        NeedsAssessment,
        Presentation,
        Proposal,
        Close,
        FollowUp,
        Lost,
    }

    public enum Trigger
    {
        Contact,
        Qualify,
        Disqualify,
        Present,
        Propose,
        Close,
        Win,
        Lose,
        Reopen,
        Refer,
    }

    public static PipelineDefinition<B2BDeal> Pipeline => SalesPipelines.SevenStepB2B();

    /// <summary>Deal data that meets every guard of the happy path.</summary>
    public static B2BDeal ReadyData() =>
        new()
        {
            Source = LeadSource.Seo,
            FirstContactChannel = ContactChannel.Phone,
            ConfirmedUnderstanding = "They need a faster quote-to-cash process.",
            DecisionMakers = ["CFO"],
            ProposalDueOn = new DateOnly(2026, 12, 1),
            ClosingTechnique = ClosingTechnique.Direct,
            TermsFinalized = true,
            DeliveryFinalized = true,
            Bant = new BantAssessment { BudgetConfirmed = true, AuthorityConfirmed = true, NeedConfirmed = true, TimelineConfirmed = true },
            NeedsQuestions = [.. NeedsQuestion.Standard().Select(q => q with { Answer = "answered" })],
        };

    /// <summary>A started deal (one event) in Prospecting, ready to import into a store.</summary>
    public static DealImport StartedDeal(string id, B2BDeal data, DateTimeOffset at)
    {
        var deal = new Deal
        {
            Id = id,
            PipelineId = Pipeline.Id,
            PipelineVersion = Pipeline.Version,
            StageId = B2BStages.Prospecting,
            Version = 1,
            LastSequence = 1,
            StageEnteredSequence = 1,
            CreatedAt = at,
            UpdatedAt = at,
            StageEnteredAt = at,
            LastActivityAt = at,
            Data = data,
        };
        var started = new DealEvent { DealId = id, Sequence = 1, Kind = DealEventKind.Started, Timestamp = at, Actor = "bench", ToStage = B2BStages.Prospecting, Properties = ImmutableDictionary<string, string>.Empty };
        return new DealImport(deal, [started]);
    }

    /// <summary>Imports <paramref name="count"/> fresh started deals, named for the iteration, into a store; returns their ids.</summary>
    public static string[] ImportFreshDeals(IDealStore store, int iteration, int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"deal-{iteration:D4}-{i:D4}").ToArray();
        var data = ReadyData();
        var at = DateTimeOffset.UtcNow;
        store.ImportAsync(ids.Select(id => StartedDeal(id, data, at)).ToArray()).AsTask().GetAwaiter().GetResult();
        return ids;
    }

    /// <summary>Takes a deal through the happy path with an engine, synchronously as a benchmark invokes it; returns the final stage.</summary>
    public static string FireHappyPath(SalesFlowEngine engine, string id, FireRequest fire)
    {
        FireResult? result = null;
        foreach (var trigger in HappyPath)
        {
            result = engine.FireAsync(id, trigger, fire).AsTask().GetAwaiter().GetResult();
            if (!result.Accepted)
            {
                throw new InvalidOperationException($"{trigger} was {result.Status}");
            }
        }

        return result!.Deal.StageId;
    }

    /// <summary>Holds the state of the deal a raw machine works on, as the external state accessor/mutator.</summary>
    public sealed class RawDeal
    {
        public Stage State;
        public Stage LostFrom;
        public B2BDeal Data = ReadyData();
        public string? Reason = "lost to a competitor";
    }

    /// <summary>Builds and configures a raw Stateless machine for the B2B graph with the same guards as the SalesFlow definition.</summary>
    public static StateMachine<Stage, Trigger> BuildRawMachine(RawDeal deal)
    {
        var m = new StateMachine<Stage, Trigger>(() => deal.State, s => deal.State = s, FiringMode.Immediate);
        var d = deal;
        Tuple<Func<bool>, string> G(Func<bool> guard, string description) => Tuple.Create(guard, description);
        var lostReason = G(() => !string.IsNullOrWhiteSpace(d.Reason), "A lost reason is required");

        m.Configure(Stage.Prospecting)
            .PermitIf(Trigger.Contact, Stage.Qualification, G(() => d.Data.Source is not null, "Lead source not recorded"))
            .PermitIf(Trigger.Lose, Stage.Lost, lostReason);
        m.Configure(Stage.Qualification)
            .PermitIf(
                Trigger.Qualify,
                Stage.NeedsAssessment,
                G(() => d.Data.FirstContactChannel is not null, "First contact not recorded"),
                G(() => d.Data.Bant.BudgetConfirmed, "Budget not confirmed"),
                G(() => d.Data.Bant.AuthorityConfirmed, "Authority not confirmed"),
                G(() => d.Data.Bant.NeedConfirmed, "Need not confirmed"),
                G(() => d.Data.Bant.TimelineConfirmed, "Timeline not confirmed"))
            .PermitIf(Trigger.Disqualify, Stage.Lost, lostReason)
            .PermitIf(Trigger.Lose, Stage.Lost, lostReason);
        m.Configure(Stage.NeedsAssessment)
            .PermitIf(
                Trigger.Present,
                Stage.Presentation,
                G(() => !d.Data.UnansweredRequiredQuestions.Any(), "Not every required question is answered"),
                G(() => !string.IsNullOrWhiteSpace(d.Data.ConfirmedUnderstanding), "Understanding not confirmed"))
            .PermitIf(Trigger.Lose, Stage.Lost, lostReason);
        m.Configure(Stage.Presentation)
            .PermitIf(
                Trigger.Propose,
                Stage.Proposal,
                G(() => d.Data.DecisionMakers.Length > 0, "No decision maker"),
                G(() => d.Data.ProposalDueOn is not null, "No proposal date"))
            .PermitIf(
                Trigger.Close,
                Stage.Close,
                G(() => !d.Data.ProposalRequired, "Proposal required"),
                G(() => d.Data.DecisionMakers.Length > 0, "No decision maker"),
                G(() => !d.Data.OpenObjections.Any(), "Objections open"))
            .PermitIf(Trigger.Lose, Stage.Lost, lostReason);
        m.Configure(Stage.Proposal)
            .PermitIf(Trigger.Close, Stage.Close, G(() => !d.Data.OpenObjections.Any(), "Objections open"))
            .PermitIf(Trigger.Lose, Stage.Lost, lostReason);
        m.Configure(Stage.Close)
            .PermitIf(
                Trigger.Win,
                Stage.FollowUp,
                G(() => d.Data.TermsFinalized, "Terms not finalised"),
                G(() => d.Data.DeliveryFinalized, "Delivery not finalised"),
                G(() => d.Data.ClosingTechnique is not null, "Closing technique not recorded"))
            .PermitIf(Trigger.Lose, Stage.Lost, lostReason);
        m.Configure(Stage.FollowUp)
            .InternalTransitionIf(Trigger.Refer, _ => d.Data.ReferredDealIds.Length >= 0, static () => { }, "Referred deal");
        m.Configure(Stage.Lost)
            .PermitDynamic(Trigger.Reopen, () => d.LostFrom);
        return m;
    }
}
