namespace SalesFlow.Extensions.Tests;

public class SalesFlowOptionsValidatorTests
{
    private readonly SalesFlowOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        _validator.Validate(null, new SalesFlowOptions()).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Validate_NullOptions_Throws()
    {
        FluentActions.Invoking(() => _validator.Validate(null, null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Validate_EveryProblem_ListsEachOne()
    {
        var options = new SalesFlowOptions { ConflictRetryCount = -1, OverridePolicy = OverridePolicy.Nobody };
        options.OverrideActors.Add("ok");
        options.OverrideActors.Add(" ");
        options.ShowroomFollowUp.GradeA = TimeSpan.Zero;
        options.ShowroomFollowUp.GradeB = TimeSpan.FromDays(400);
        options.ShowroomFollowUp.GradeC = TimeSpan.FromDays(-1);

        var result = _validator.Validate(null, options);

        result.Failed.Should().BeTrue();
        result.Failures.Should().HaveCount(6);
        result.Failures.Should().ContainMatch("*ConflictRetryCount is -1*");
        result.Failures.Should().ContainMatch("*OverrideActors:1 is blank*");
        result.Failures.Should().ContainMatch("*OverrideActors and OverridePolicy are both set*");
        result.Failures.Should().ContainMatch("*GradeA*above zero*");
        result.Failures.Should().ContainMatch("*GradeB*365 days*");
        result.Failures.Should().ContainMatch("*GradeC*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(SalesFlowOptions.MaxConflictRetryCount)]
    public void Validate_ConflictRetryCountAtTheLimits_Succeeds(int retries)
    {
        _validator.Validate(null, new SalesFlowOptions { ConflictRetryCount = retries }).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Validate_ConflictRetryCountAboveMax_Fails()
    {
        _validator.Validate(null, new SalesFlowOptions { ConflictRetryCount = SalesFlowOptions.MaxConflictRetryCount + 1 })
            .Failures.Should().ContainSingle().Which.Should().Contain("ConflictRetryCount");
    }
}
