using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Tests.Support;
using static SalesFlow.Tests.Pipelines.PipelineHarness;

namespace SalesFlow.Tests.Pipelines;

public class SevenStepB2BPipelineTests
{
    private readonly PipelineHarness _h = new();

    private SalesFlowEngine Engine => _h.Engine;

    [Fact]
    public async Task StartAsync_NewDeal_StartsInProspectingWithStandardQuestions()
    {
        var deal = await StartAsync("b1");

        deal.StageId.Should().Be(B2BStages.Prospecting);
        deal.DataAs<B2BDeal>().NeedsQuestions.Select(q => q.Id)
            .Should().Equal("previous-supplier", "business-problem", "present-situation", "outcome-when-solved");
    }

    [Fact]
    public async Task Contact_WithoutLeadSource_IsRejectedThenAcceptedOnceRecorded()
    {
        await StartAsync("b1");

        (await _h.FireAsync("b1", B2BTriggers.Contact)).ShouldBeRejectedWith(B2BGuards.LeadSource);
        await Engine.RecordLeadSourceAsync("b1", LeadSource.WhitePaper, Seller);
        var result = await _h.FireAsync("b1", B2BTriggers.Contact);

        result.Status.Should().Be(FireStatus.Accepted);
        result.Deal.StageId.Should().Be(B2BStages.Qualification);
    }

    [Fact]
    public async Task Qualify_NothingCollected_ReportsContactAndEachBantGuardSeparately()
    {
        await ToQualificationAsync("b1");

        var result = await _h.FireAsync("b1", B2BTriggers.Qualify);

        result.ShouldBeRejectedWith(B2BGuards.ContactChannel, B2BGuards.Budget, B2BGuards.Authority, B2BGuards.Need, B2BGuards.Timeline);
    }

    [Fact]
    public async Task Qualify_OnlyTimelineMissing_ReportsOnlyTimelineThenAccepts()
    {
        await ToQualificationAsync("b1");
        await Engine.RecordFirstContactAsync("b1", ContactChannel.Phone, Seller);
        await Engine.UpdateBantAsync("b1", b => b with { BudgetConfirmed = true, AuthorityConfirmed = true, NeedConfirmed = true }, Seller);

        (await _h.FireAsync("b1", B2BTriggers.Qualify)).ShouldBeRejectedWith(B2BGuards.Timeline);
        await Engine.UpdateBantAsync("b1", b => b with { TimelineConfirmed = true }, Seller);

        (await _h.FireAsync("b1", B2BTriggers.Qualify)).Deal.StageId.Should().Be(B2BStages.NeedsAssessment);
    }

    [Fact]
    public async Task Disqualify_WithoutReason_IsRejectedThenGoesToLostWithReason()
    {
        await ToQualificationAsync("b1");

        (await _h.FireAsync("b1", B2BTriggers.Disqualify)).ShouldBeRejectedWith(B2BGuards.LostReason);
        var result = await _h.FireAsync("b1", B2BTriggers.Disqualify, B2BLostReasons.NoBudget);

        result.Deal.StageId.Should().Be(B2BStages.Lost);
        result.Deal.Outcome.Should().Be(StageKind.Lost);
        result.Deal.OutcomeReason.Should().Be(B2BLostReasons.NoBudget);
    }

    [Fact]
    public async Task Present_QuestionsUnansweredAndUnderstandingUnconfirmed_ReportsBothThenAccepts()
    {
        await ToNeedsAssessmentAsync("b1");

        (await _h.FireAsync("b1", B2BTriggers.Present)).ShouldBeRejectedWith(B2BGuards.QuestionsAnswered, B2BGuards.UnderstandingConfirmed);
        await AnswerStandardQuestionsAsync("b1");
        (await _h.FireAsync("b1", B2BTriggers.Present)).ShouldBeRejectedWith(B2BGuards.UnderstandingConfirmed);
        await Engine.ConfirmUnderstandingAsync("b1", "They need faster invoicing before the audit in June.", Seller);

        (await _h.FireAsync("b1", B2BTriggers.Present)).Deal.StageId.Should().Be(B2BStages.Presentation);
    }

    [Fact]
    public async Task Present_UserAddedRequiredQuestionUnanswered_IsRejected()
    {
        await ToNeedsAssessmentAsync("b1");
        await AnswerStandardQuestionsAsync("b1");
        await Engine.ConfirmUnderstandingAsync("b1", "Summary confirmed.", Seller);
        await Engine.AddNeedsQuestionAsync("b1", "integration", "Which systems must it integrate with?", required: true, Seller);

        (await _h.FireAsync("b1", B2BTriggers.Present)).ShouldBeRejectedWith(B2BGuards.QuestionsAnswered);
        await Engine.AnswerNeedsQuestionAsync("b1", "integration", "The ERP.", Seller);

        (await _h.FireAsync("b1", B2BTriggers.Present)).Accepted.Should().BeTrue();
    }

    [Fact]
    public async Task Present_UserAddedOptionalQuestionUnanswered_IsAccepted()
    {
        await ToNeedsAssessmentAsync("b1");
        await AnswerStandardQuestionsAsync("b1");
        await Engine.ConfirmUnderstandingAsync("b1", "Summary confirmed.", Seller);
        await Engine.AddNeedsQuestionAsync("b1", "nice-to-know", "Who else did you talk to?", required: false, Seller);

        (await _h.FireAsync("b1", B2BTriggers.Present)).Accepted.Should().BeTrue();
    }

    [Fact]
    public async Task Propose_NoDecisionMakerNoDate_ReportsBothThenAccepts()
    {
        await ToPresentationAsync("b1");

        (await _h.FireAsync("b1", B2BTriggers.Propose)).ShouldBeRejectedWith(B2BGuards.DecisionMaker, B2BGuards.ProposalDate);
        await Engine.IdentifyDecisionMakerAsync("b1", "CFO", Seller);
        (await _h.FireAsync("b1", B2BTriggers.Propose)).ShouldBeRejectedWith(B2BGuards.ProposalDate);
        await Engine.AgreeProposalDateAsync("b1", new DateOnly(2026, 3, 20), Seller);

        (await _h.FireAsync("b1", B2BTriggers.Propose)).Deal.StageId.Should().Be(B2BStages.Proposal);
    }

    [Fact]
    public async Task Close_FromPresentationWhenProposalRequired_IsRejectedThenAcceptedWhenNotRequired()
    {
        await ToPresentationAsync("b1");
        await Engine.IdentifyDecisionMakerAsync("b1", "Owner", Seller);

        (await _h.FireAsync("b1", B2BTriggers.Close)).ShouldBeRejectedWith(B2BGuards.ProposalNotRequired);
        await Engine.UpdateAsync<B2BDeal>("b1", d => d with { ProposalRequired = false }, Seller);

        (await _h.FireAsync("b1", B2BTriggers.Close)).Deal.StageId.Should().Be(B2BStages.Close);
    }

    [Fact]
    public async Task Close_FromPresentationWithoutDecisionMakerOrWithOpenObjection_ReportsBoth()
    {
        await ToPresentationAsync("b1");
        await Engine.UpdateAsync<B2BDeal>("b1", d => d with { ProposalRequired = false }, Seller);
        await Engine.RaiseObjectionAsync("b1", "Too expensive", Seller, category: "price");

        (await _h.FireAsync("b1", B2BTriggers.Close)).ShouldBeRejectedWith(B2BGuards.DecisionMaker, B2BGuards.NoOpenObjection);
    }

    [Fact]
    public async Task Close_FromProposalWithOpenObjections_IsRejectedUntilEveryOneIsResolved()
    {
        await ToProposalAsync("b1");
        await Engine.RaiseObjectionAsync("b1", "Implementation takes too long", Seller);
        await Engine.RaiseObjectionAsync("b1", "We need a reference customer", Seller, category: "trust");

        (await _h.FireAsync("b1", B2BTriggers.Close)).ShouldBeRejectedWith(B2BGuards.NoOpenObjection);
        await Engine.AnswerObjectionAsync("b1", "objection-1", "Six weeks with our onboarding team.", Seller);
        await Engine.ResolveObjectionAsync("b1", "objection-1", Seller);
        await Engine.CarryObjectionOverAsync("b1", "objection-2", Seller, "Bring a reference next meeting");
        (await _h.FireAsync("b1", B2BTriggers.Close)).ShouldBeRejectedWith(B2BGuards.NoOpenObjection);
        await Engine.ResolveObjectionAsync("b1", "objection-2", Seller);

        (await _h.FireAsync("b1", B2BTriggers.Close)).Deal.StageId.Should().Be(B2BStages.Close);
    }

    [Fact]
    public async Task Win_NothingFinalised_ReportsTermsDeliveryAndTechniqueThenAccepts()
    {
        await ToCloseAsync("b1");

        (await _h.FireAsync("b1", B2BTriggers.Win)).ShouldBeRejectedWith(B2BGuards.TermsFinalized, B2BGuards.DeliveryFinalized, B2BGuards.ClosingTechnique);
        await Engine.FinalizeTermsAsync("b1", Seller, "Net 30");
        await Engine.FinalizeDeliveryAsync("b1", Seller);
        (await _h.FireAsync("b1", B2BTriggers.Win)).ShouldBeRejectedWith(B2BGuards.ClosingTechnique);
        await Engine.RecordClosingTechniqueAsync("b1", ClosingTechnique.Assumptive, Seller);

        var result = await _h.FireAsync("b1", B2BTriggers.Win);
        result.Deal.StageId.Should().Be(B2BStages.FollowUp);
        result.Deal.Outcome.Should().Be(StageKind.Won);
    }

    [Fact]
    public async Task HappyPath_ProspectToFollowUp_RecordsEveryStepInOrder()
    {
        await ToCloseAsync("b1");
        await FinaliseAsync("b1");
        await _h.AcceptAsync("b1", B2BTriggers.Win);
        await Engine.RecordRepeatPurchaseAsync("b1", "Extra licences", 1200m, Seller);

        var history = await Engine.GetHistoryAsync("b1");
        history.Where(e => e.Kind == DealEventKind.Transition).Select(e => e.Trigger)
            .Should().Equal(B2BTriggers.Contact, B2BTriggers.Qualify, B2BTriggers.Present, B2BTriggers.Propose, B2BTriggers.Close, B2BTriggers.Win);
        history.Select(e => e.Sequence).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        history[^1].Activity.Should().Be(B2BActivities.RepeatPurchase);
        (await Engine.GetAsync("b1")).DataAs<B2BDeal>().RepeatPurchases.Should().ContainSingle(p => p.Amount == 1200m);
    }

    [Theory]
    [InlineData(B2BStages.Prospecting)]
    [InlineData(B2BStages.Qualification)]
    [InlineData(B2BStages.NeedsAssessment)]
    [InlineData(B2BStages.Presentation)]
    [InlineData(B2BStages.Proposal)]
    [InlineData(B2BStages.Close)]
    public async Task Lose_FromEveryOpenStage_NeedsReasonAndReopenReturnsToThatStage(string stage)
    {
        await ToStageAsync("b1", stage);

        (await _h.FireAsync("b1", B2BTriggers.Lose)).ShouldBeRejectedWith(B2BGuards.LostReason);
        var lost = await _h.FireAsync("b1", B2BTriggers.Lose, B2BLostReasons.Competitor);
        lost.Deal.StageId.Should().Be(B2BStages.Lost);
        lost.Deal.OutcomeReason.Should().Be(B2BLostReasons.Competitor);

        var reopened = await _h.FireAsync("b1", B2BTriggers.Reopen);

        reopened.Deal.StageId.Should().Be(stage);
        reopened.Deal.Outcome.Should().Be(StageKind.Open);
    }

    [Fact]
    public async Task Lose_WithFreeTextReason_IsAccepted()
    {
        await StartAsync("b1");

        var result = await _h.FireAsync("b1", B2BTriggers.Lose, "Merged with another company");

        result.Deal.OutcomeReason.Should().Be("Merged with another company");
    }

    [Fact]
    public async Task Lose_FromFollowUp_IsNotPermitted()
    {
        await ToFollowUpAsync("b1");

        var result = await _h.FireAsync("b1", B2BTriggers.Lose, B2BLostReasons.Price);

        result.Status.Should().Be(FireStatus.NotPermitted);
        result.PermittedTriggers.Should().Contain(B2BTriggers.Refer);
    }

    [Fact]
    public async Task ReferAsync_FromWonDeal_StartsLinkedDealInProspecting()
    {
        await ToFollowUpAsync("b1");

        var referred = await Engine.ReferAsync("b1", "b2", Seller);

        referred.StageId.Should().Be(B2BStages.Prospecting);
        referred.DataAs<B2BDeal>().ReferredByDealId.Should().Be("b1");
        referred.DataAs<B2BDeal>().Source.Should().Be(LeadSource.Referral);
        var referrerEvents = await Engine.GetHistoryAsync("b1");
        referrerEvents.Should().Contain(e => e.Trigger == B2BTriggers.Refer && e.Properties[B2BEngineExtensions.ReferredDealIdProperty] == "b2");
        var referredEvents = await Engine.GetHistoryAsync("b2");
        referredEvents[0].Kind.Should().Be(DealEventKind.Started);
        referredEvents[0].Properties[B2BEngineExtensions.ReferredByDealIdProperty].Should().Be("b1");
        (await Engine.GetAsync("b1")).DataAs<B2BDeal>().ReferredDealIds.Should().Equal("b2");
    }

    [Fact]
    public async Task ReferAsync_NewDealIdTaken_RecordsNothingOnTheReferrer()
    {
        await ToFollowUpAsync("b1");
        await StartAsync("taken");
        var before = await Engine.GetAsync("b1");

        await FluentActions.Awaiting(async () => await Engine.ReferAsync("b1", "taken", Seller))
            .Should().ThrowAsync<DealAlreadyExistsException>().Where(e => e.DealId == "taken");

        var after = await Engine.GetAsync("b1");
        after.Version.Should().Be(before.Version);
        after.DataAs<B2BDeal>().ReferredDealIds.Should().BeEmpty();
        (await Engine.GetHistoryAsync("taken")).Should().ContainSingle("the taken deal keeps only its own start");
    }

    [Fact]
    public async Task ReferAsync_SavesBothDealsInOneSave()
    {
        await ToFollowUpAsync("b1");
        var saves = new List<IReadOnlyList<DealWrite>>();
        var recording = new RecordingStore(_h.Store, saves);
        var engine = new SalesFlowEngine(_h.Registry, recording, new SalesFlowEngineOptions { TimeProvider = _h.Time });

        await engine.ReferAsync("b1", "b2", Seller);

        saves.Should().ContainSingle();
        saves[0].Select(w => (w.Deal.Id, w.ExpectedVersion, w.Events.Count)).Should().BeEquivalentTo(new[]
        {
            ("b1", (await _h.Store.GetAsync("b1"))!.Version - 1, 2),
            ("b2", 0L, 1),
        });
        saves[0][0].Events.Select(e => e.Kind).Should().Equal(DealEventKind.Transition, DealEventKind.Activity);
    }

    [Fact]
    public async Task ReferAsync_CurrentUserMayNotStartTheReferredDeal_IsForbiddenAndSavesNeitherDeal()
    {
        await ToFollowUpAsync("b1");
        System.Security.Claims.ClaimsPrincipal? current = Users.InRoles("sam", "account-manager");
        var engine = new SalesFlowEngine(_h.Registry, _h.Store, new SalesFlowEngineOptions
        {
            TimeProvider = _h.Time,
            CurrentUser = () => current,
            Authorizer = DealAuthorizer.From(c => c.Action != DealAction.Start || c.IsInRole("lead-desk")
                ? AuthorizationDecision.Allow
                : AuthorizationDecision.Deny("new leads are started by the lead desk")),
        });
        var before = await engine.GetAsync("b1");

        var refer = async () => await engine.ReferAsync("b1", "b2", Seller);

        var thrown = (await refer.Should().ThrowAsync<DealForbiddenException>()).Which;
        thrown.Action.Should().Be(DealAction.Start);
        thrown.Reason.Should().Be("new leads are started by the lead desk");
        (await _h.Store.GetAsync("b2")).Should().BeNull();
        (await engine.GetAsync("b1")).Version.Should().Be(before.Version);

        current = Users.InRoles("lee", "lead-desk");
        (await engine.ReferAsync("b1", "b2", Seller)).StageId.Should().Be(B2BStages.Prospecting);
    }

    [Fact]
    public async Task ReferAsync_ReferrerKeepsChanging_SavesNeitherDeal()
    {
        await ToFollowUpAsync("b1");
        var engine = new SalesFlowEngine(_h.Registry, new ConflictingStore(_h.Store), new SalesFlowEngineOptions { TimeProvider = _h.Time, ConflictRetryCount = 1 });

        await FluentActions.Awaiting(async () => await engine.ReferAsync("b1", "b2", Seller)).Should().ThrowAsync<DealConflictException>();

        (await _h.Store.GetAsync("b2")).Should().BeNull();
        (await _h.Store.GetEventsAsync("b1")).Should().NotContain(e => e.Trigger == B2BTriggers.Refer);
    }

    private sealed class RecordingStore(InMemoryDealStore inner, List<IReadOnlyList<DealWrite>> saves) : IDealStore
    {
        public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default) => inner.GetAsync(dealId, cancellationToken);

        public ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default)
        {
            saves.Add(writes);
            return inner.TrySaveAsync(writes, cancellationToken);
        }

        public ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default) =>
            inner.GetEventsAsync(dealId, afterSequence, limit, cancellationToken);

        public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

        public ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default) => inner.ImportAsync(batch, cancellationToken);
    }

    // Refuses every save that changes an existing deal, as if another writer always got there first.
    private sealed class ConflictingStore(InMemoryDealStore inner) : IDealStore
    {
        public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default) => inner.GetAsync(dealId, cancellationToken);

        public ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default) =>
            writes.Any(w => w.ExpectedVersion > 0) ? ValueTask.FromResult(false) : inner.TrySaveAsync(writes, cancellationToken);

        public ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default) =>
            inner.GetEventsAsync(dealId, afterSequence, limit, cancellationToken);

        public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

        public ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default) => inner.ImportAsync(batch, cancellationToken);
    }

    [Fact]
    public async Task ReferAsync_ReferrerNotWon_ThrowsAndStartsNothing()
    {
        await StartAsync("b1");

        var act = async () => await Engine.ReferAsync("b1", "b2", Seller);

        await act.Should().ThrowAsync<MoveNotPermittedException>();
        (await _h.Store.GetAsync("b2")).Should().BeNull();
    }

    [Fact]
    public async Task ReferAsync_NewDealIdTaken_ThrowsAndRecordsNothingOnReferrer()
    {
        await ToFollowUpAsync("b1");
        await StartAsync("b2");
        var before = (await Engine.GetAsync("b1")).LastSequence;

        var act = async () => await Engine.ReferAsync("b1", "b2", Seller);

        await act.Should().ThrowAsync<DealAlreadyExistsException>();
        (await Engine.GetAsync("b1")).LastSequence.Should().Be(before);
    }

    [Fact]
    public async Task ReferAsync_GivenData_IsCopiedNotChanged()
    {
        await ToFollowUpAsync("b1");
        var data = new B2BDeal { Industry = "Retail" };

        var referred = await Engine.ReferAsync("b1", "b2", Seller, data);

        data.ReferredByDealId.Should().BeNull("the caller's object is not written to");
        data.Source.Should().BeNull();
        referred.DataAs<B2BDeal>().Industry.Should().Be("Retail");
        referred.DataAs<B2BDeal>().ReferredByDealId.Should().Be("b1");
    }

    [Fact]
    public async Task Refer_FiredWithoutReferredDeal_IsRejected()
    {
        await ToFollowUpAsync("b1");

        (await _h.FireAsync("b1", B2BTriggers.Refer)).ShouldBeRejectedWith(B2BGuards.ReferredDeal);
    }

    [Fact]
    public async Task Data_RoundTripsThroughJson_KeepsEveryField()
    {
        await ToProposalAsync("b1");
        await Engine.RaiseObjectionAsync("b1", "Price", Seller, "price");
        var pipeline = SalesPipelines.SevenStepB2B();
        var data = (await Engine.GetAsync("b1")).DataAs<B2BDeal>();

        var json = pipeline.SerializeData(data);
        var copy = (B2BDeal)pipeline.DeserializeData(json);

        json.Should().Contain("\"WhitePaper\"");
        copy.Should().BeEquivalentTo(data);
    }

    internal Task<Deal> StartAsync(string id) => Engine.StartAsync(SalesPipelines.SevenStepB2BId, id, new B2BDeal(), Seller).AsTask();

    private async Task ToQualificationAsync(string id)
    {
        await StartAsync(id);
        await Engine.RecordLeadSourceAsync(id, LeadSource.WhitePaper, Seller);
        await _h.AcceptAsync(id, B2BTriggers.Contact);
    }

    private async Task ToNeedsAssessmentAsync(string id)
    {
        await ToQualificationAsync(id);
        await Engine.RecordFirstContactAsync(id, ContactChannel.Email, Seller);
        await Engine.UpdateBantAsync(id, b => b with { BudgetConfirmed = true, AuthorityConfirmed = true, NeedConfirmed = true, TimelineConfirmed = true }, Seller);
        await _h.AcceptAsync(id, B2BTriggers.Qualify);
    }

    private async Task AnswerStandardQuestionsAsync(string id)
    {
        foreach (var q in NeedsQuestion.Standard())
        {
            await Engine.AnswerNeedsQuestionAsync(id, q.Id, "Answer to " + q.Id, Seller);
        }
    }

    private async Task ToPresentationAsync(string id)
    {
        await ToNeedsAssessmentAsync(id);
        await AnswerStandardQuestionsAsync(id);
        await Engine.ConfirmUnderstandingAsync(id, "Confirmed summary.", Seller);
        await _h.AcceptAsync(id, B2BTriggers.Present);
    }

    private async Task ToProposalAsync(string id)
    {
        await ToPresentationAsync(id);
        await Engine.IdentifyDecisionMakerAsync(id, "CFO", Seller);
        await Engine.AgreeProposalDateAsync(id, new DateOnly(2026, 3, 20), Seller);
        await _h.AcceptAsync(id, B2BTriggers.Propose);
    }

    private async Task ToCloseAsync(string id)
    {
        await ToProposalAsync(id);
        await _h.AcceptAsync(id, B2BTriggers.Close);
    }

    private async Task FinaliseAsync(string id)
    {
        await Engine.FinalizeTermsAsync(id, Seller);
        await Engine.FinalizeDeliveryAsync(id, Seller);
        await Engine.RecordClosingTechniqueAsync(id, ClosingTechnique.Direct, Seller);
    }

    private async Task ToFollowUpAsync(string id)
    {
        await ToCloseAsync(id);
        await FinaliseAsync(id);
        await _h.AcceptAsync(id, B2BTriggers.Win);
    }

    private Task ToStageAsync(string id, string stage) => stage switch
    {
        B2BStages.Prospecting => StartAsync(id),
        B2BStages.Qualification => ToQualificationAsync(id),
        B2BStages.NeedsAssessment => ToNeedsAssessmentAsync(id),
        B2BStages.Presentation => ToPresentationAsync(id),
        B2BStages.Proposal => ToProposalAsync(id),
        B2BStages.Close => ToCloseAsync(id),
        _ => throw new ArgumentOutOfRangeException(nameof(stage)),
    };
}
