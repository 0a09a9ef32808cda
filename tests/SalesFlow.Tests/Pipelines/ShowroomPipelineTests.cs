using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Showroom;
using static SalesFlow.Tests.Pipelines.PipelineHarness;

namespace SalesFlow.Tests.Pipelines;

public class ShowroomPipelineTests
{
    private readonly PipelineHarness _h = new();

    private SalesFlowEngine Engine => _h.Engine;

    [Fact]
    public async Task Introduce_VisitHistoryNotAsked_IsRejectedThenAccepted()
    {
        await StartAsync("s1");

        (await _h.FireAsync("s1", ShowroomTriggers.Introduce)).ShouldBeRejectedWith(ShowroomGuards.VisitHistory);
        await Engine.RecordVisitHistoryAsync("s1", firstVisit: true, phonedBefore: false, Seller);

        (await _h.FireAsync("s1", ShowroomTriggers.Introduce)).Deal.StageId.Should().Be(ShowroomStages.ProjectIntroduction);
    }

    [Fact]
    public async Task TourSite_NoSandTableNoNeeds_ReportsBothThenAccepts()
    {
        await ToStageAsync("s1", ShowroomStages.ProjectIntroduction);

        (await _h.FireAsync("s1", ShowroomTriggers.TourSite)).ShouldBeRejectedWith(ShowroomGuards.CustomerNeeds, "checklist." + ShowroomChecklist.SandTable);
        await Engine.CompleteChecklistItemAsync("s1", ShowroomChecklist.SandTable, Seller);
        (await _h.FireAsync("s1", ShowroomTriggers.TourSite)).ShouldBeRejectedWith(ShowroomGuards.CustomerNeeds);
        await Engine.RecordCustomerNeedsAsync("s1", "Three bedrooms, south facing, near a school", Seller);

        (await _h.FireAsync("s1", ShowroomTriggers.TourSite)).Deal.StageId.Should().Be(ShowroomStages.SiteTour);
    }

    [Fact]
    public async Task Negotiate_UnitAdvantagesNotPresented_IsRejectedThenAccepted()
    {
        await ToStageAsync("s1", ShowroomStages.SiteTour);

        (await _h.FireAsync("s1", ShowroomTriggers.Negotiate)).ShouldBeRejectedWith("checklist." + ShowroomChecklist.UnitAdvantages);
        await Engine.CompleteChecklistItemAsync("s1", ShowroomChecklist.UnitAdvantages, Seller);

        (await _h.FireAsync("s1", ShowroomTriggers.Negotiate)).Deal.StageId.Should().Be(ShowroomStages.Negotiation);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(50)]
    [InlineData(70)]
    public async Task Subscribe_PurchaseDesireNotAbove70_IsRejected(int? percent)
    {
        await ToStageAsync("s1", ShowroomStages.Negotiation);
        if (percent is { } p)
        {
            await Engine.AssessPurchaseDesireAsync("s1", p, Seller);
        }

        (await _h.FireAsync("s1", ShowroomTriggers.Subscribe)).ShouldBeRejectedWith(ShowroomGuards.PurchaseDesire);
    }

    [Fact]
    public async Task Subscribe_PurchaseDesire71_IsAccepted()
    {
        await ToStageAsync("s1", ShowroomStages.Negotiation);
        await Engine.AssessPurchaseDesireAsync("s1", 71, Seller);

        (await _h.FireAsync("s1", ShowroomTriggers.Subscribe)).Deal.StageId.Should().Be(ShowroomStages.Subscription);
    }

    [Fact]
    public async Task NoDeal_FromNegotiation_IsAcceptedWithoutConditions()
    {
        await ToStageAsync("s1", ShowroomStages.Negotiation);

        (await _h.FireAsync("s1", ShowroomTriggers.NoDeal)).Deal.StageId.Should().Be(ShowroomStages.NoDealYet);
    }

    [Fact]
    public async Task RecordCustomer_NothingDone_ReportsMaterialsContactsAndAppointmentThenAccepts()
    {
        await ToStageAsync("s1", ShowroomStages.NoDealYet);

        (await _h.FireAsync("s1", ShowroomTriggers.RecordCustomer)).ShouldBeRejectedWith(
            ShowroomGuards.NextAppointment, "checklist." + ShowroomChecklist.MaterialsHandedOver, "checklist." + ShowroomChecklist.ContactsExchanged);
        await Engine.CompleteChecklistItemAsync("s1", ShowroomChecklist.MaterialsHandedOver, Seller);
        await Engine.CompleteChecklistItemAsync("s1", ShowroomChecklist.ContactsExchanged, Seller);
        (await _h.FireAsync("s1", ShowroomTriggers.RecordCustomer)).ShouldBeRejectedWith(ShowroomGuards.NextAppointment);
        await Engine.SetNextAppointmentAsync("s1", _h.Time.GetUtcNow().AddDays(5), Seller);

        (await _h.FireAsync("s1", ShowroomTriggers.RecordCustomer)).Deal.StageId.Should().Be(ShowroomStages.CustomerRecord);
    }

    [Fact]
    public async Task StartTracking_NoDataSheetNoGrade_ReportsBothThenAccepts()
    {
        await ToStageAsync("s1", ShowroomStages.CustomerRecord);

        (await _h.FireAsync("s1", ShowroomTriggers.StartTracking)).ShouldBeRejectedWith(ShowroomGuards.Grade, "checklist." + ShowroomChecklist.DataSheet);
        await Engine.CompleteChecklistItemAsync("s1", ShowroomChecklist.DataSheet, Seller);
        (await _h.FireAsync("s1", ShowroomTriggers.StartTracking)).ShouldBeRejectedWith(ShowroomGuards.Grade);
        await Engine.AssignGradeAsync("s1", CustomerGrade.B, Seller);

        (await _h.FireAsync("s1", ShowroomTriggers.StartTracking)).Deal.StageId.Should().Be(ShowroomStages.Tracking);
    }

    [Theory]
    [InlineData(CustomerGrade.A, 2)]
    [InlineData(CustomerGrade.B, 7)]
    [InlineData(CustomerGrade.C, 14)]
    public async Task StartTracking_ByGrade_SchedulesFirstFollowUpWithDefaultCadence(CustomerGrade grade, int days)
    {
        await ToStageAsync("s1", ShowroomStages.CustomerRecord);
        await Engine.CompleteChecklistItemAsync("s1", ShowroomChecklist.DataSheet, Seller);
        await Engine.AssignGradeAsync("s1", grade, Seller);
        var now = _h.Time.GetUtcNow();

        var result = await _h.FireAsync("s1", ShowroomTriggers.StartTracking);

        result.Deal.NextFollowUpAt.Should().Be(now.AddDays(days));
    }

    [Fact]
    public async Task LogReturnVisit_WithoutRecord_IsRejectedThenReschedulesFromVisitTime()
    {
        await ToStageAsync("s1", ShowroomStages.Tracking, CustomerGrade.A);
        _h.Time.Advance(TimeSpan.FromDays(3));

        (await Engine.LogReturnVisitAsync("s1", " ", Seller)).ShouldBeRejectedWith(ShowroomGuards.VisitRecord);
        var result = await Engine.LogReturnVisitAsync("s1", "Called; still comparing with the project across the river.", Seller);

        result.Accepted.Should().BeTrue();
        result.Deal.StageId.Should().Be(ShowroomStages.Tracking);
        result.Deal.NextFollowUpAt.Should().Be(_h.Time.GetUtcNow().AddDays(2));
        result.Event!.Note.Should().StartWith("Called");
    }

    [Fact]
    public async Task LogReturnVisit_AfterGradeChange_UsesNewGrade()
    {
        await ToStageAsync("s1", ShowroomStages.Tracking, CustomerGrade.C);
        await Engine.AssignGradeAsync("s1", CustomerGrade.A, Seller);

        var result = await Engine.LogReturnVisitAsync("s1", "Upgraded: visited the show flat twice.", Seller);

        result.Deal.NextFollowUpAt.Should().Be(_h.Time.GetUtcNow().AddDays(2));
    }

    [Fact]
    public async Task StartTracking_CustomCadence_UsesIt()
    {
        var h = new PipelineHarness(new FollowUpCadence(TimeSpan.FromHours(12), TimeSpan.FromDays(3), TimeSpan.FromDays(30)));
        await ToStageAsync(h, "s1", ShowroomStages.Tracking, CustomerGrade.A);

        (await h.Engine.GetAsync("s1")).NextFollowUpAt.Should().Be(h.Time.GetUtcNow().AddHours(12));
    }

    [Fact]
    public async Task ResumeNegotiation_FromTracking_ReturnsToNegotiationAndClearsFollowUp()
    {
        await ToStageAsync("s1", ShowroomStages.Tracking, CustomerGrade.B);

        var result = await _h.FireAsync("s1", ShowroomTriggers.ResumeNegotiation);

        result.Deal.StageId.Should().Be(ShowroomStages.Negotiation);
        result.Deal.NextFollowUpAt.Should().BeNull();
    }

    [Fact]
    public async Task SignContract_AgreementNotExplainedOrFilled_ReportsEachItemThenAccepts()
    {
        await ToStageAsync("s1", ShowroomStages.Subscription);

        (await _h.FireAsync("s1", ShowroomTriggers.SignContract)).ShouldBeRejectedWith(
            "checklist." + ShowroomChecklist.ProductExplained, "checklist." + ShowroomChecklist.TermsExplained, "checklist." + ShowroomChecklist.AgreementFilled);
        await Engine.CompleteChecklistItemAsync("s1", ShowroomChecklist.ProductExplained, Seller);
        await Engine.CompleteChecklistItemAsync("s1", ShowroomChecklist.TermsExplained, Seller);
        await Engine.CompleteChecklistItemAsync("s1", ShowroomChecklist.AgreementFilled, Seller);

        (await _h.FireAsync("s1", ShowroomTriggers.SignContract)).Deal.StageId.Should().Be(ShowroomStages.Contract);
    }

    [Fact]
    public async Task Complete_ContractNotReady_ReportsContentsArticlesAndDisputeThenAccepts()
    {
        await ToStageAsync("s1", ShowroomStages.Contract);
        await Engine.UpdateContractAsync("s1", contentsComplete: false, articlesPrepared: false, termsDisputed: true, Seller);

        (await _h.FireAsync("s1", ShowroomTriggers.Complete)).ShouldBeRejectedWith(ShowroomGuards.ContractComplete, ShowroomGuards.SigningArticles, ShowroomGuards.NoDispute);
        await Engine.UpdateContractAsync("s1", contentsComplete: true, articlesPrepared: true, termsDisputed: false, Seller);

        var result = await _h.FireAsync("s1", ShowroomTriggers.Complete);
        result.Deal.StageId.Should().Be(ShowroomStages.Completed);
        result.Deal.Outcome.Should().Be(StageKind.Won);
    }

    [Fact]
    public async Task HappyPath_ReceptionThroughTrackingToCompleted_Works()
    {
        await ToStageAsync("s1", ShowroomStages.Tracking, CustomerGrade.A);
        await Engine.LogReturnVisitAsync("s1", "Customer will come back on Saturday with family.", Seller);
        await _h.AcceptAsync("s1", ShowroomTriggers.ResumeNegotiation);
        await Engine.AssessPurchaseDesireAsync("s1", 85, Seller);
        await _h.AcceptAsync("s1", ShowroomTriggers.Subscribe);
        await CompleteSubscriptionAsync(_h, "s1");
        await _h.AcceptAsync("s1", ShowroomTriggers.SignContract);
        await Engine.UpdateContractAsync("s1", true, true, false, Seller);
        await _h.AcceptAsync("s1", ShowroomTriggers.Complete);

        var history = await Engine.GetHistoryAsync("s1");
        history.Where(e => e.Kind == DealEventKind.Transition && e.FromStage != e.ToStage).Select(e => e.ToStage).Should().Equal(
            ShowroomStages.ProjectIntroduction, ShowroomStages.SiteTour, ShowroomStages.Negotiation, ShowroomStages.NoDealYet,
            ShowroomStages.CustomerRecord, ShowroomStages.Tracking, ShowroomStages.Negotiation, ShowroomStages.Subscription,
            ShowroomStages.Contract, ShowroomStages.Completed);
        (await Engine.GetAsync("s1")).NextFollowUpAt.Should().BeNull();
    }

    [Fact]
    public async Task RequestCheckOut_WithoutReason_IsRejectedThenAccepted()
    {
        await ToStageAsync("s1", ShowroomStages.Contract);

        (await Engine.RequestCheckOutAsync("s1", " ", Seller)).ShouldBeRejectedWith(ShowroomGuards.CheckOutReason);
        var result = await Engine.RequestCheckOutAsync("s1", "Job relocation", Seller);

        result.Deal.StageId.Should().Be(ShowroomStages.CheckOut);
        result.Event!.Reason.Should().Be("Job relocation");
    }

    [Fact]
    public async Task CheckOut_Eligible_IsCancelled()
    {
        await ToCheckOutAsync("s1");

        (await _h.FireAsync("s1", ShowroomTriggers.ApproveCheckOut)).ShouldBeRejectedWith(ShowroomGuards.CheckOutEligible);
        await Engine.DecideCheckOutAsync("s1", eligible: true, Seller, "Within the cooling-off period");

        (await _h.FireAsync("s1", ShowroomTriggers.RejectCheckOut)).ShouldBeRejectedWith(ShowroomGuards.CheckOutNotEligible);
        var result = await _h.FireAsync("s1", ShowroomTriggers.ApproveCheckOut);
        result.Deal.StageId.Should().Be(ShowroomStages.Cancelled);
        result.Deal.Outcome.Should().Be(StageKind.Closed);
    }

    [Fact]
    public async Task CheckOut_NotEligible_ReturnsToContract()
    {
        await ToCheckOutAsync("s1");

        (await _h.FireAsync("s1", ShowroomTriggers.RejectCheckOut)).ShouldBeRejectedWith(ShowroomGuards.CheckOutNotEligible);
        await Engine.DecideCheckOutAsync("s1", eligible: false, Seller, "Past the check-out deadline");

        (await _h.FireAsync("s1", ShowroomTriggers.ApproveCheckOut)).ShouldBeRejectedWith(ShowroomGuards.CheckOutEligible);
        (await _h.FireAsync("s1", ShowroomTriggers.RejectCheckOut)).Deal.StageId.Should().Be(ShowroomStages.Contract);
    }

    [Fact]
    public async Task CheckOut_DecisionOfEarlierCheckOut_DoesNotCountForNextOne()
    {
        await ToCheckOutAsync("s1");
        await Engine.DecideCheckOutAsync("s1", eligible: false, Seller);
        await _h.AcceptAsync("s1", ShowroomTriggers.RejectCheckOut);
        _h.Time.Advance(TimeSpan.FromDays(10));
        (await Engine.RequestCheckOutAsync("s1", "Asked again", Seller)).EnsureAccepted();

        (await _h.FireAsync("s1", ShowroomTriggers.RejectCheckOut)).ShouldBeRejectedWith(ShowroomGuards.CheckOutNotEligible);
    }

    [Fact]
    public async Task CheckOut_SecondCheckOutAtTheSameInstant_NeedsItsOwnDecision()
    {
        // The clock does not move: the first check-out, its rejection and the second check-out share one timestamp.
        await ToCheckOutAsync("s1");
        await Engine.DecideCheckOutAsync("s1", eligible: false, Seller);
        await _h.AcceptAsync("s1", ShowroomTriggers.RejectCheckOut);
        (await Engine.RequestCheckOutAsync("s1", "Asked again", Seller)).EnsureAccepted();

        (await _h.FireAsync("s1", ShowroomTriggers.RejectCheckOut)).ShouldBeRejectedWith(ShowroomGuards.CheckOutNotEligible);
        (await _h.FireAsync("s1", ShowroomTriggers.ApproveCheckOut)).ShouldBeRejectedWith(ShowroomGuards.CheckOutEligible);
        await Engine.DecideCheckOutAsync("s1", eligible: true, Seller);
        (await _h.FireAsync("s1", ShowroomTriggers.ApproveCheckOut)).Deal.StageId.Should().Be(ShowroomStages.Cancelled);
    }

    [Fact]
    public async Task DecideCheckOut_OutsideCheckOut_ThrowsAndRecordsNothing()
    {
        await ToStageAsync("s1", ShowroomStages.Contract);
        var before = await Engine.GetAsync("s1");

        await FluentActions.Awaiting(async () => await Engine.DecideCheckOutAsync("s1", eligible: true, Seller))
            .Should().ThrowAsync<InvalidOperationException>().WithMessage("*request the check-out first*");

        (await Engine.GetAsync("s1")).Version.Should().Be(before.Version);
    }

    [Fact]
    public async Task Lose_FromTrackingThenReopen_ReturnsToTracking()
    {
        await ToStageAsync("s1", ShowroomStages.Tracking, CustomerGrade.C);

        (await _h.FireAsync("s1", ShowroomTriggers.Lose)).ShouldBeRejectedWith(ShowroomGuards.LostReason);
        var lost = await _h.FireAsync("s1", ShowroomTriggers.Lose, "Bought elsewhere");
        lost.Deal.StageId.Should().Be(ShowroomStages.Lost);
        lost.Deal.NextFollowUpAt.Should().BeNull();

        (await _h.FireAsync("s1", ShowroomTriggers.Reopen)).Deal.StageId.Should().Be(ShowroomStages.Tracking);
    }

    [Fact]
    public async Task Lose_FromContract_IsNotPermitted()
    {
        await ToStageAsync("s1", ShowroomStages.Contract);

        (await _h.FireAsync("s1", ShowroomTriggers.Lose, "Changed mind")).Status.Should().Be(FireStatus.NotPermitted);
    }

    internal static async Task CompleteSubscriptionAsync(PipelineHarness h, string id)
    {
        await h.Engine.CompleteChecklistItemAsync(id, ShowroomChecklist.ProductExplained, Seller);
        await h.Engine.CompleteChecklistItemAsync(id, ShowroomChecklist.TermsExplained, Seller);
        await h.Engine.CompleteChecklistItemAsync(id, ShowroomChecklist.AgreementFilled, Seller);
    }

    internal static async Task ToStageAsync(PipelineHarness h, string id, string stage, CustomerGrade grade = CustomerGrade.B)
    {
        var e = h.Engine;
        await e.StartAsync(SalesPipelines.ShowroomId, id, new ShowroomDeal(), Seller);
        if (stage == ShowroomStages.Reception)
        {
            return;
        }

        await e.RecordVisitHistoryAsync(id, true, false, Seller);
        await h.AcceptAsync(id, ShowroomTriggers.Introduce);
        if (stage == ShowroomStages.ProjectIntroduction)
        {
            return;
        }

        await e.CompleteChecklistItemAsync(id, ShowroomChecklist.SandTable, Seller);
        await e.RecordCustomerNeedsAsync(id, "Two bedrooms", Seller);
        await h.AcceptAsync(id, ShowroomTriggers.TourSite);
        if (stage == ShowroomStages.SiteTour)
        {
            return;
        }

        await e.CompleteChecklistItemAsync(id, ShowroomChecklist.UnitAdvantages, Seller);
        await h.AcceptAsync(id, ShowroomTriggers.Negotiate);
        if (stage == ShowroomStages.Negotiation)
        {
            return;
        }

        if (stage is ShowroomStages.Subscription or ShowroomStages.Contract)
        {
            await e.AssessPurchaseDesireAsync(id, 80, Seller);
            await h.AcceptAsync(id, ShowroomTriggers.Subscribe);
            if (stage == ShowroomStages.Subscription)
            {
                return;
            }

            await CompleteSubscriptionAsync(h, id);
            await h.AcceptAsync(id, ShowroomTriggers.SignContract);
            return;
        }

        await h.AcceptAsync(id, ShowroomTriggers.NoDeal);
        if (stage == ShowroomStages.NoDealYet)
        {
            return;
        }

        await e.CompleteChecklistItemAsync(id, ShowroomChecklist.MaterialsHandedOver, Seller);
        await e.CompleteChecklistItemAsync(id, ShowroomChecklist.ContactsExchanged, Seller);
        await e.SetNextAppointmentAsync(id, h.Time.GetUtcNow().AddDays(4), Seller);
        await h.AcceptAsync(id, ShowroomTriggers.RecordCustomer);
        if (stage == ShowroomStages.CustomerRecord)
        {
            return;
        }

        await e.CompleteChecklistItemAsync(id, ShowroomChecklist.DataSheet, Seller);
        await e.AssignGradeAsync(id, grade, Seller);
        await h.AcceptAsync(id, ShowroomTriggers.StartTracking);
    }

    private Task StartAsync(string id) => Engine.StartAsync(SalesPipelines.ShowroomId, id, new ShowroomDeal(), Seller).AsTask();

    private Task ToStageAsync(string id, string stage, CustomerGrade grade = CustomerGrade.B) => ToStageAsync(_h, id, stage, grade);

    private async Task ToCheckOutAsync(string id)
    {
        await ToStageAsync(id, ShowroomStages.Contract);
        (await Engine.RequestCheckOutAsync(id, "Family reasons", Seller)).EnsureAccepted();
    }
}
