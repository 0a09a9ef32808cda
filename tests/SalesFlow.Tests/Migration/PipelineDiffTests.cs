using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Migration;

public class PipelineDiffTests
{
    [Fact]
    public void Compare_TwoBuildsOfOneDefinition_IsEmpty()
    {
        var diff = PipelineDiff.Compare(RenewalVersions.V1(), RenewalVersions.V1());

        diff.IsEmpty.Should().BeTrue();
        diff.ChangedStages.Should().BeEmpty();
        diff.ChangedTransitions.Should().BeEmpty();
        diff.ToString().Should().Contain("No differences.");
    }

    [Fact]
    public void Compare_V1ToV2_ListsAddedAndRemovedStages()
    {
        var diff = PipelineDiff.Compare(RenewalVersions.V1(), RenewalVersions.V2());

        diff.IsEmpty.Should().BeFalse();
        diff.AddedStages.Select(s => s.Id).Should().Equal("qualified", "proposal");
        diff.RemovedStages.Select(s => s.Id).Should().Equal("negotiation");
        diff.InitialStageChanged.Should().BeFalse();
    }

    [Fact]
    public void Compare_V1ToV2_ListsEveryChangedStageProperty()
    {
        var diff = PipelineDiff.Compare(RenewalVersions.V1(), RenewalVersions.V2());

        var byId = diff.ChangedStages.ToDictionary(c => c.StageId);
        byId.Keys.Should().BeEquivalentTo(["open", "won", "lost"]);
        byId["open"].Changed.Should().Be(StageProperties.Checklist | StageProperties.Guidance);
        byId["won"].Changed.Should().Be(StageProperties.Name | StageProperties.Order);
        byId["lost"].Changed.Should().Be(StageProperties.Order);
        byId["won"].Before.Name.Should().Be("Won");
        byId["won"].After.Name.Should().Be("Signed");
    }

    [Fact]
    public void Compare_StagesDifferingInOneProperty_ReportsExactlyThatProperty()
    {
        PipelineDefinition Build(int version, Action<StageBuilder> open) =>
            PipelineBuilder.Create<RenewalData>("p", version)
                .Stage("open", open)
                .Stage("won", s => s.Won())
                .Stage("lost", s => s.Lost())
                .Transition("sign", from: "open", to: "won")
                .Transition("lose", from: "open", to: "lost")
                .Build();
        var cases = new (Action<StageBuilder> Change, StageProperties Expected)[]
        {
            (s => s.Name("Other"), StageProperties.Name),
            (s => s.Order(7), StageProperties.Order),
            (s => s.Probability(0.5), StageProperties.WinProbability),
            (s => s.Checklist("x", "X"), StageProperties.Checklist),
            (s => s.Guidance("Do it."), StageProperties.Guidance),
            (s => s.IdleAfter(TimeSpan.FromDays(3)), StageProperties.IdleThreshold),
            (s => s.Metadata("colour", "#336699"), StageProperties.Metadata),
        };

        foreach (var (change, expected) in cases)
        {
            var diff = PipelineDiff.Compare(Build(1, s => s.Name("Open")), Build(2, s => change(s.Name("Open"))));

            diff.ChangedStages.Should().ContainSingle().Which.Changed.Should().Be(expected);
        }
    }

    [Fact]
    public void Compare_StageKindChanged_ReportsKind()
    {
        PipelineDefinition Build(int version, bool closed) =>
            PipelineBuilder.Create<RenewalData>("p", version)
                .Stage("open")
                .Stage("won", s => s.Won())
                .Stage("lost", s => s.Lost())
                .Stage("parked", s => s.Kind(closed ? StageKind.Closed : StageKind.Lost))
                .Transition("sign", from: "open", to: "won")
                .Transition("lose", from: "open", to: "lost")
                .Transition("park", from: "open", to: "parked")
                .Build();

        var diff = PipelineDiff.Compare(Build(1, closed: false), Build(2, closed: true));

        diff.ChangedStages.Should().ContainSingle().Which.Should().Match<StageChange>(c => c.StageId == "parked" && c.Changed == StageProperties.Kind);
        diff.ToString().Should().Contain("kind Lost -> Closed");
    }

    [Fact]
    public void Compare_V1ToV2_ListsTransitionsByTriggerAndFromStage()
    {
        var diff = PipelineDiff.Compare(RenewalVersions.V1(), RenewalVersions.V2());

        diff.AddedTransitions.Select(t => $"{t.Trigger}:{t.From}").Should().BeEquivalentTo(
            ["advance:qualified", "sign:proposal", "lose:qualified", "lose:proposal", "ping:qualified", "ping:proposal"]);
        diff.RemovedTransitions.Select(t => $"{t.Trigger}:{t.From}").Should().BeEquivalentTo(["sign:negotiation", "lose:negotiation", "ping:negotiation"]);
        var advance = diff.ChangedTransitions.Should().ContainSingle().Subject;
        advance.Trigger.Should().Be("advance");
        advance.From.Should().Be("open");
        advance.Changed.Should().Be(TransitionProperties.To | TransitionProperties.Guards);
        advance.Before.To.Should().Be("negotiation");
        advance.After.To.Should().Be("qualified");
        advance.RemovedGuards.Should().Equal("decision-maker.known");
        advance.AddedGuards.Should().BeEmpty();
    }

    [Fact]
    public void Compare_TransitionKindChanged_ReportsKind()
    {
        PipelineDefinition Build(int version, bool internalAction) =>
            (internalAction
                ? Base(version).InternalAction("note", "open")
                : Base(version).Transition("note", from: "open", to: "open")).Build();
        static PipelineBuilder<RenewalData> Base(int version) =>
            PipelineBuilder.Create<RenewalData>("p", version)
                .Stage("open").Stage("won", s => s.Won()).Stage("lost", s => s.Lost())
                .Transition("sign", from: "open", to: "won")
                .Transition("lose", from: "open", to: "lost");

        var diff = PipelineDiff.Compare(Build(1, internalAction: false), Build(2, internalAction: true));

        diff.ChangedTransitions.Should().ContainSingle().Which.Changed.Should().Be(TransitionProperties.Kind);
    }

    [Fact]
    public void Compare_AlternativesOfOneTrigger_PairsThoseWithTheSameTarget()
    {
        PipelineDefinition Build(int version, string code) =>
            PipelineBuilder.Create<RenewalData>("p", version)
                .Stage("open").Stage("fast").Stage("won", s => s.Won()).Stage("lost", s => s.Lost())
                .Transition("go", from: "open", to: "fast").When("fast", d => d.Signed, "Not signed")
                .Transition("go", from: "open", to: "won").When(code, d => d.BudgetConfirmed, "No budget")
                .Transition("sign", from: "fast", to: "won")
                .Transition("lose", from: ["open", "fast"], to: "lost")
                .Build();

        var diff = PipelineDiff.Compare(Build(1, "budget"), Build(2, "budget.v2"));

        var change = diff.ChangedTransitions.Should().ContainSingle().Subject;
        change.After.To.Should().Be("won");
        change.AddedGuards.Should().Equal("budget.v2");
        change.RemovedGuards.Should().Equal("budget");
        diff.AddedTransitions.Should().BeEmpty();
        diff.RemovedTransitions.Should().BeEmpty();
    }

    [Fact]
    public void Compare_InitialStageChanged_IsReported()
    {
        PipelineDefinition Build(int version, string initial) =>
            PipelineBuilder.Create<RenewalData>("p", version)
                .Stage("open").Stage("intake").Stage("won", s => s.Won()).Stage("lost", s => s.Lost())
                .InitialStage(initial)
                .Transition("start", from: "intake", to: "open")
                .Transition("back", from: "open", to: "intake")
                .Transition("sign", from: "open", to: "won")
                .Transition("lose", from: ["open", "intake"], to: "lost")
                .Build();

        var diff = PipelineDiff.Compare(Build(1, "open"), Build(2, "intake"));

        diff.InitialStageChanged.Should().BeTrue();
        diff.IsEmpty.Should().BeFalse();
        diff.ToString().Should().Contain("Initial stage: open -> intake");
    }

    [Fact]
    public void ToString_V1ToV2_DescribesEveryDifferenceOnItsOwnLine()
    {
        var text = PipelineDiff.Compare(RenewalVersions.V1(), RenewalVersions.V2()).ToString();
        var lines = text.Split(Environment.NewLine);

        lines[0].Should().Be("renewals v1 -> renewals v2");
        lines.Should().Contain("+ stage qualified (Qualified, Open)");
        lines.Should().Contain("- stage negotiation (Negotiation, Open)");
        lines.Should().Contain("~ stage open: checklist (+email-sent); guidance");
        lines.Should().Contain("~ stage won: name 'Won' -> 'Signed'; order 3 -> 4");
        lines.Should().Contain("+ transition advance: qualified -> proposal [decision-maker.known, checklist.needs-noted]");
        lines.Should().Contain("- transition ping: negotiation -> (internal)");
        lines.Should().Contain("~ transition advance from open: to negotiation -> qualified; guards (-decision-maker.known)");
        lines.Should().HaveCount(1 + 2 + 1 + 3 + 6 + 3 + 1);
    }

    [Fact]
    public void ToString_ChecklistItemMadeRequired_SaysSo()
    {
        PipelineDefinition Build(int version, bool required) =>
            PipelineBuilder.Create<RenewalData>("p", version)
                .Stage("open", s => s.Checklist("call", "Call", required))
                .Stage("won", s => s.Won()).Stage("lost", s => s.Lost())
                .Transition("sign", from: "open", to: "won")
                .Transition("lose", from: "open", to: "lost")
                .Build();

        var diff = PipelineDiff.Compare(Build(1, required: false), Build(2, required: true));

        diff.ToString().Should().Contain("~ stage open: checklist (call now required)");
        diff.ChangedTransitions.Should().ContainSingle().Which.AddedGuards.Should().Equal("checklist.call");
    }

    [Fact]
    public void Compare_NullDefinition_ThrowsArgumentNullException()
    {
        var v1 = RenewalVersions.V1();

        FluentActions.Invoking(() => PipelineDiff.Compare(null!, v1)).Should().Throw<ArgumentNullException>().WithParameterName("from");
        FluentActions.Invoking(() => PipelineDiff.Compare(v1, null!)).Should().Throw<ArgumentNullException>().WithParameterName("to");
    }
}
