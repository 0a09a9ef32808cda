using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Showroom;
using static SalesFlow.Tests.Pipelines.PipelineHarness;

namespace SalesFlow.Tests.Pipelines;

public class ShowroomEngineExtensionsTests
{
    private readonly PipelineHarness _h = new();

    private SalesFlowEngine Engine => _h.Engine;

    [Fact]
    public async Task AssignGradeAsync_Grade_RecordsGradedActivityWithGrade()
    {
        await StartAsync("s1");

        var deal = await Engine.AssignGradeAsync("s1", CustomerGrade.A, Seller);

        deal.DataAs<ShowroomDeal>().Grade.Should().Be(CustomerGrade.A);
        var e = await _h.LastEventAsync("s1");
        e.Activity.Should().Be(ShowroomActivities.Graded);
        e.Properties["grade"].Should().Be("A");
    }

    [Fact]
    public async Task AssignGradeAsync_WithNextFollowUp_ReschedulesNow()
    {
        await StartAsync("s1");
        var at = _h.Time.GetUtcNow().AddDays(1);

        var deal = await Engine.AssignGradeAsync("s1", CustomerGrade.A, Seller, nextFollowUpAt: at);

        deal.NextFollowUpAt.Should().Be(at);
    }

    [Fact]
    public async Task AssignGradeAsync_UndefinedGrade_Throws()
    {
        await StartAsync("s1");

        var act = async () => await Engine.AssignGradeAsync("s1", (CustomerGrade)7, Seller);

        await act.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public async Task AssessPurchaseDesireAsync_OutOfRange_Throws(int percent)
    {
        await StartAsync("s1");

        var act = async () => await Engine.AssessPurchaseDesireAsync("s1", percent, Seller);

        await act.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task RecordCustomerNeedsAsync_Needs_KeptInDataNotInEvent()
    {
        await StartAsync("s1");

        var deal = await Engine.RecordCustomerNeedsAsync("s1", "Needs a ground floor flat for a parent", Seller);

        deal.DataAs<ShowroomDeal>().CustomerNeeds.Should().Contain("ground floor");
        var e = await _h.LastEventAsync("s1");
        e.Activity.Should().Be(ShowroomActivities.NeedsRecorded);
        e.Note.Should().BeNull();
        e.Properties.Should().BeEmpty();
    }

    [Fact]
    public async Task DecideCheckOutAsync_NotInCheckOut_Throws()
    {
        await StartAsync("s1");

        var act = async () => await Engine.DecideCheckOutAsync("s1", true, Seller);

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*check-out*");
    }

    [Fact]
    public async Task RecordVisitHistoryAsync_Answers_RecordedInDataAndEvent()
    {
        await StartAsync("s1");

        var deal = await Engine.RecordVisitHistoryAsync("s1", firstVisit: false, phonedBefore: true, Seller);

        deal.DataAs<ShowroomDeal>().FirstVisit.Should().BeFalse();
        deal.DataAs<ShowroomDeal>().PhonedBefore.Should().BeTrue();
        var e = await _h.LastEventAsync("s1");
        e.Activity.Should().Be(ShowroomActivities.VisitHistoryRecorded);
        e.Properties["phonedBefore"].Should().Be("true");
    }

    [Fact]
    public async Task GetShowroomFollowUpsDueAsync_MixedGrades_ListsOnlyDueShowroomDeals()
    {
        await ShowroomPipelineTests.ToStageAsync(_h, "a", ShowroomStages.Tracking, CustomerGrade.A);
        await ShowroomPipelineTests.ToStageAsync(_h, "b", ShowroomStages.Tracking, CustomerGrade.B);
        await ShowroomPipelineTests.ToStageAsync(_h, "c", ShowroomStages.Tracking, CustomerGrade.C);
        var start = _h.Time.GetUtcNow();

        (await Engine.GetShowroomFollowUpsDueAsync(start.AddDays(1))).Should().BeEmpty();
        (await Engine.GetShowroomFollowUpsDueAsync(start.AddDays(2))).Select(d => d.Id).Should().Equal("a");
        (await Engine.GetShowroomFollowUpsDueAsync(start.AddDays(7))).Select(d => d.Id).Should().Equal("a", "b");
        (await Engine.GetShowroomFollowUpsDueAsync(start.AddDays(14))).Select(d => d.Id).Should().Equal("a", "b", "c");
    }

    [Fact]
    public async Task GetShowroomFollowUpsDueAsync_AfterReturnVisit_DealIsNoLongerDue()
    {
        await ShowroomPipelineTests.ToStageAsync(_h, "a", ShowroomStages.Tracking, CustomerGrade.A);
        _h.Time.Advance(TimeSpan.FromDays(2));
        (await Engine.GetShowroomFollowUpsDueAsync(_h.Time.GetUtcNow())).Select(d => d.Id).Should().Equal("a");

        (await Engine.LogReturnVisitAsync("a", "Visited; sent the new price list.", Seller)).EnsureAccepted();

        (await Engine.GetShowroomFollowUpsDueAsync(_h.Time.GetUtcNow())).Should().BeEmpty();
        (await Engine.GetShowroomFollowUpsDueAsync(_h.Time.GetUtcNow().AddDays(2))).Select(d => d.Id).Should().Equal("a");
    }

    [Fact]
    public async Task Operations_BlankArguments_Throw()
    {
        SalesFlowEngine? none = null;
        await StartAsync("s1");

        await FluentActions.Awaiting(async () => await none!.AssignGradeAsync("s1", CustomerGrade.A, Seller)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await Engine.RecordCustomerNeedsAsync("s1", " ", Seller)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await Engine.LogReturnVisitAsync("s1", "x", "")).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await Engine.RequestCheckOutAsync("", "x", Seller)).Should().ThrowAsync<ArgumentException>();
    }

    private Task StartAsync(string id) => Engine.StartAsync(SalesPipelines.ShowroomId, id, new ShowroomDeal(), Seller).AsTask();
}
