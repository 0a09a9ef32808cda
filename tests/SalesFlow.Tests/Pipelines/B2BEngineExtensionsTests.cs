using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using static SalesFlow.Tests.Pipelines.PipelineHarness;

namespace SalesFlow.Tests.Pipelines;

public class B2BEngineExtensionsTests
{
    private readonly PipelineHarness _h = new();

    private SalesFlowEngine Engine => _h.Engine;

    [Fact]
    public async Task RecordLeadSourceAsync_OutboundSource_RecordsActivityWithSourceAndKind()
    {
        await StartAsync("b1");

        var deal = await Engine.RecordLeadSourceAsync("b1", LeadSource.Exhibition, Seller);

        deal.DataAs<B2BDeal>().Source.Should().Be(LeadSource.Exhibition);
        var e = await _h.LastEventAsync("b1");
        e.Activity.Should().Be(B2BActivities.LeadSourceRecorded);
        e.Properties["source"].Should().Be("Exhibition");
        e.Properties["kind"].Should().Be(nameof(LeadSourceKind.Outbound));
    }

    [Theory]
    [InlineData(LeadSource.Seo, LeadSourceKind.Inbound)]
    [InlineData(LeadSource.SocialMedia, LeadSourceKind.Inbound)]
    [InlineData(LeadSource.Telemarketing, LeadSourceKind.Outbound)]
    [InlineData(LeadSource.Advertising, LeadSourceKind.Outbound)]
    [InlineData(LeadSource.Referral, LeadSourceKind.Referral)]
    public void KindOf_Source_ClassifiesAsInTheSeed(LeadSource source, LeadSourceKind expected) =>
        LeadSources.KindOf(source).Should().Be(expected);

    [Fact]
    public async Task RaiseObjectionAsync_TwoObjections_NumbersThemAndRecordsIdAndCategory()
    {
        await StartAsync("b1");

        await Engine.RaiseObjectionAsync("b1", "Too expensive", Seller, category: "price");
        var deal = await Engine.RaiseObjectionAsync("b1", "Too slow", Seller);

        deal.DataAs<B2BDeal>().Objections.Select(o => o.Id).Should().Equal("objection-1", "objection-2");
        var history = await Engine.GetHistoryAsync("b1");
        var raised = history.Where(e => e.Activity == B2BActivities.ObjectionRaised).ToList();
        raised.Select(e => e.Properties["objection"]).Should().Equal("objection-1", "objection-2");
        raised[0].Properties["category"].Should().Be("price");
        raised[0].Note.Should().Be("Too expensive");
    }

    [Fact]
    public async Task ObjectionLifecycle_AnswerCarryResolve_EachRecordedAsActivity()
    {
        await StartAsync("b1");
        await Engine.RaiseObjectionAsync("b1", "Need a reference", Seller);

        await Engine.AnswerObjectionAsync("b1", "objection-1", "We will arrange a call", Seller);
        await Engine.CarryObjectionOverAsync("b1", "objection-1", Seller);
        var deal = await Engine.ResolveObjectionAsync("b1", "objection-1", Seller);

        var objection = deal.DataAs<B2BDeal>().Objections.Single();
        objection.Status.Should().Be(ObjectionStatus.Resolved);
        objection.Answer.Should().Be("We will arrange a call");
        deal.DataAs<B2BDeal>().OpenObjections.Should().BeEmpty();
        (await Engine.GetHistoryAsync("b1")).Select(e => e.Activity).Should().ContainInOrder(
            B2BActivities.ObjectionRaised, B2BActivities.ObjectionAnswered, B2BActivities.ObjectionCarriedOver, B2BActivities.ObjectionResolved);
    }

    [Fact]
    public async Task ResolveObjectionAsync_UnknownObjection_ThrowsAndRecordsNothing()
    {
        var started = await StartAsync("b1");

        var act = async () => await Engine.ResolveObjectionAsync("b1", "objection-9", Seller);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*objection-9*");
        (await Engine.GetAsync("b1")).Version.Should().Be(started.Version);
    }

    [Fact]
    public async Task AddNeedsQuestionAsync_DuplicateId_Throws()
    {
        await StartAsync("b1");

        var act = async () => await Engine.AddNeedsQuestionAsync("b1", "business-problem", "Again?", true, Seller);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*business-problem*");
    }

    [Fact]
    public async Task AnswerNeedsQuestionAsync_UnknownQuestion_Throws()
    {
        await StartAsync("b1");

        var act = async () => await Engine.AnswerNeedsQuestionAsync("b1", "nope", "x", Seller);

        await act.Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task SchedulePresentationAsync_EndBeforeStart_Throws()
    {
        await StartAsync("b1");
        var start = _h.Time.GetUtcNow().AddDays(3);

        var act = async () => await Engine.SchedulePresentationAsync("b1", start, start.AddHours(-1), "Demo", Seller);

        await act.Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task SchedulePresentationAsync_Valid_SetsTimeAgendaAndEndTime()
    {
        await StartAsync("b1");
        var start = _h.Time.GetUtcNow().AddDays(3);

        var deal = await Engine.SchedulePresentationAsync("b1", start, start.AddHours(2), "Demo and Q&A", Seller);

        var data = deal.DataAs<B2BDeal>();
        data.PresentationStartsAt.Should().Be(start);
        data.PresentationEndsAt.Should().Be(start.AddHours(2));
        data.PresentationAgenda.Should().Be("Demo and Q&A");
        (await _h.LastEventAsync("b1")).Activity.Should().Be(B2BActivities.PresentationScheduled);
    }

    [Fact]
    public async Task IdentifyDecisionMakerAsync_Name_KeptInDataButNotInEvent()
    {
        await StartAsync("b1");

        await Engine.IdentifyDecisionMakerAsync("b1", "Jane Roe, CFO", Seller);

        var e = await _h.LastEventAsync("b1");
        e.Activity.Should().Be(B2BActivities.DecisionMakerIdentified);
        e.Properties.Values.Should().NotContain(v => v.Contains("Jane", StringComparison.Ordinal));
        e.Note.Should().BeNull();
        (await Engine.GetAsync("b1")).DataAs<B2BDeal>().DecisionMakers.Should().Equal("Jane Roe, CFO");
    }

    [Fact]
    public async Task UpdateCustomerFileAsync_PersonalData_KeptInDataOnly()
    {
        await StartAsync("b1");

        var deal = await Engine.UpdateCustomerFileAsync("b1", f => f with { Hobbies = f.Hobbies.Add("sailing"), Position = "CFO" }, Seller);

        deal.DataAs<B2BDeal>().CustomerFile.Hobbies.Should().Equal("sailing");
        var e = await _h.LastEventAsync("b1");
        e.Activity.Should().Be(B2BActivities.CustomerFileUpdated);
        e.Properties.Should().BeEmpty();
    }

    [Fact]
    public async Task RecordClosingTechniqueAsync_Technique_RecordedInDataAndEvent()
    {
        await StartAsync("b1");

        var deal = await Engine.RecordClosingTechniqueAsync("b1", ClosingTechnique.Opportunity, Seller);

        deal.DataAs<B2BDeal>().ClosingTechnique.Should().Be(ClosingTechnique.Opportunity);
        (await _h.LastEventAsync("b1")).Properties["technique"].Should().Be("Opportunity");
    }

    [Fact]
    public async Task RecordRepeatPurchaseAsync_NegativeAmount_Throws()
    {
        await StartAsync("b1");

        var act = async () => await Engine.RecordRepeatPurchaseAsync("b1", "x", -1m, Seller);

        await act.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task ReferAsync_SameId_Throws()
    {
        var act = async () => await Engine.ReferAsync("b1", "b1", Seller);

        await act.Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task Operations_NullEngineOrBlankArguments_Throw()
    {
        SalesFlowEngine? none = null;
        await StartAsync("b1");

        await FluentActions.Awaiting(async () => await none!.RecordLeadSourceAsync("b1", LeadSource.Blog, Seller)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await Engine.RecordLeadSourceAsync("b1", LeadSource.Blog, " ")).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await Engine.RaiseObjectionAsync("b1", "", Seller)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await Engine.ConfirmUnderstandingAsync("b1", " ", Seller)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await Engine.UpdateBantAsync("b1", null!, Seller)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await Engine.ReferAsync("", "b2", Seller)).Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task RecordLeadSourceAsync_DealOfAnotherPipeline_Throws()
    {
        await Engine.StartAsync(SalesPipelines.RetailFloorId, "r1", new SalesFlow.Pipelines.Retail.RetailDeal(), Seller);

        var act = async () => await Engine.RecordLeadSourceAsync("r1", LeadSource.Blog, Seller);

        await act.Should().ThrowAsync<ArgumentException>();
    }

    private Task<Deal> StartAsync(string id) => Engine.StartAsync(SalesPipelines.SevenStepB2BId, id, new B2BDeal(), Seller).AsTask();
}
