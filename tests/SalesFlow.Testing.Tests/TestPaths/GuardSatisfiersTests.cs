using SalesFlow.Testing.Tests.Support;

namespace SalesFlow.Testing.Tests.TestPaths;

public class GuardSatisfiersTests
{
    private static readonly PipelineDefinition<FlagData> Pipeline = PipelineBuilder.Create<FlagData>("lookup", version: 1)
        .Stage("open", s => s.Name("Open").Checklist("call", "Call", required: true))
        .Stage("next", s => s.Name("Next"))
        .Stage("won", s => s.Name("Won").Won())
        .Stage("lost", s => s.Name("Lost").Lost())
        .Transition("go", from: "open", to: "next").When("signed", d => d.Has("signed"), "Not signed")
        .Transition("win", from: "next", to: "won")
        .Transition("lose", from: ["open", "next"], to: "lost")
        .Build();

    private static GuardDefinition Signed => Pipeline.Transitions[0].Guards.Single(g => g.Code == "signed");

    private static GuardDefinition Checklist => Pipeline.Transitions[0].Guards.Single(g => g.IsChecklistGuard);

    [Fact]
    public void Find_RegisteredByCode_WinsOverSources()
    {
        var registered = GuardSatisfier.Data<FlagData>(d => d.Set("signed"));
        var satisfiers = new GuardSatisfiers().AddSource(_ => GuardSatisfier.AlreadyMet).Add("signed", registered);

        satisfiers.Find(Signed).Should().BeSameAs(registered);
        satisfiers.Codes.Should().Equal("signed");
    }

    [Fact]
    public void Find_NoRegistration_AsksSourcesInOrderAndSkipsThoseReturningNull()
    {
        var derived = GuardSatisfier.Override("derived");
        var asked = new List<string>();
        var satisfiers = new GuardSatisfiers()
            .AddSource(g => { asked.Add("first:" + g.Code); return null; })
            .AddSource(g => { asked.Add("second:" + g.Code); return derived; });

        satisfiers.Find(Signed).Should().BeSameAs(derived);
        asked.Should().Equal("first:signed", "second:signed");
        satisfiers.Sources.Should().HaveCount(2);
    }

    [Fact]
    public void Find_ChecklistGuard_NotAskedOfSourcesButRegistrationByCodeStillCounts()
    {
        var satisfiers = new GuardSatisfiers().AddSource(_ => GuardSatisfier.AlreadyMet);

        satisfiers.Find(Checklist).Should().BeNull("the harness completes required checklist items itself");
        satisfiers.AddAlreadyMet(Checklist.Code).Find(Checklist).Should().BeSameAs(GuardSatisfier.AlreadyMet);
    }

    [Fact]
    public void Add_SameCodeTwice_Throws()
    {
        var satisfiers = new GuardSatisfiers().AddAlreadyMet("signed");

        var act = () => satisfiers.AddOverride("signed", "again");

        act.Should().Throw<ArgumentException>().WithMessage("*'signed' already has a satisfier*");
    }

    [Fact]
    public void Add_InvalidArguments_Throw()
    {
        var satisfiers = new GuardSatisfiers();

        FluentActions.Invoking(() => satisfiers.Add(" ", GuardSatisfier.AlreadyMet)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => satisfiers.Add("x", (GuardSatisfier)null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => satisfiers.AddSource((IGuardSatisfierSource)null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => satisfiers.AddSource((Func<GuardDefinition, GuardSatisfier?>)null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => satisfiers.AddOverride("x", " ")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => satisfiers.Find(null!)).Should().Throw<ArgumentNullException>();
    }
}
