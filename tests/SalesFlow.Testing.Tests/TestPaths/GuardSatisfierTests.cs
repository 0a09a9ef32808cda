using SalesFlow.Testing.Tests.Support;

namespace SalesFlow.Testing.Tests.TestPaths;

public class GuardSatisfierTests
{
    [Fact]
    public void Factories_OverrideDataAndRequest_DescribeWhatTheyCanDo()
    {
        GuardSatisfier.Override("why").Should().Match<GuardSatisfier>(s => s.IsOverride && s.OverrideJustification == "why" && !s.CanViolate);
        GuardSatisfier.Data<FlagData>(d => d.Set("x"), d => d.Clear("x")).Should().Match<GuardSatisfier>(s => !s.IsOverride && s.CanViolate);
        GuardSatisfier.Request(r => r with { Reason = "r" }).CanViolate.Should().BeFalse();
        GuardSatisfier.AlreadyMet.IsOverride.Should().BeFalse();
    }

    [Fact]
    public void Factories_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => GuardSatisfier.Create(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => GuardSatisfier.Data<FlagData>(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => GuardSatisfier.Request(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => GuardSatisfier.Override(" ")).Should().Throw<ArgumentException>();
    }

    [Fact]
    public async Task SatisfyAndViolate_NullContext_Throw()
    {
        var satisfier = GuardSatisfier.Data<FlagData>(d => d.Set("x"), d => d.Clear("x"));

        await FluentActions.Awaiting(async () => await satisfier.SatisfyAsync(null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await satisfier.ViolateAsync(null!)).Should().ThrowAsync<ArgumentNullException>();
    }
}
