namespace SalesFlow.Extensions.Tests;

public class SalesFlowOptionsValidatorTests
{
    private readonly SalesFlowOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        _validator.Validate(null, new SalesFlowEngineOptions()).Succeeded.Should().BeTrue();
        _validator.Validate(null, new ShowroomFollowUpOptions()).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Validate_NullOptions_Throws()
    {
        FluentActions.Invoking(() => _validator.Validate(null, (SalesFlowEngineOptions)null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => _validator.Validate(null, (ShowroomFollowUpOptions)null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Validate_EveryEngineProblem_ListsEachOne()
    {
        var options = new SalesFlowEngineOptions { ConflictRetryCount = -1, AfterSaveHookTimeout = TimeSpan.FromHours(2), TimeProvider = null! };
        options.OverrideActors.Add("ok");
        options.OverrideActors.Add(" ");
        options.OverrideRoles.Add("\t");

        var result = _validator.Validate(null, options);

        result.Failed.Should().BeTrue();
        result.Failures.Should().HaveCount(5);
        result.Failures.Should().ContainMatch("*ConflictRetryCount is -1*");
        result.Failures.Should().ContainMatch("*AfterSaveHookTimeout*");
        result.Failures.Should().ContainMatch("*OverrideActors:1 is blank*");
        result.Failures.Should().ContainMatch("*TimeProvider is null*");
        result.Failures.Should().ContainMatch("*OverrideRoles:0 is blank*");
    }

    [Fact]
    public void Validate_EveryCadenceProblem_ListsEachOne()
    {
        var options = new ShowroomFollowUpOptions { GradeA = TimeSpan.Zero, GradeB = TimeSpan.FromDays(400), GradeC = TimeSpan.FromDays(-1) };

        var result = _validator.Validate(null, options);

        result.Failures.Should().HaveCount(3);
        result.Failures.Should().ContainMatch("*GradeA*above zero*");
        result.Failures.Should().ContainMatch("*GradeB*365 days*");
        result.Failures.Should().ContainMatch("*GradeC*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(SalesFlowEngineOptions.MaxConflictRetryCount)]
    public void Validate_ConflictRetryCountAtTheLimits_Succeeds(int retries)
    {
        _validator.Validate(null, new SalesFlowEngineOptions { ConflictRetryCount = retries }).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Validate_ConflictRetryCountAboveMax_FailsWithTheSameBoundAsAHandBuiltEngine()
    {
        var options = new SalesFlowEngineOptions { ConflictRetryCount = SalesFlowEngineOptions.MaxConflictRetryCount + 1 };

        _validator.Validate(null, options).Failures.Should().ContainSingle().Which.Should().Contain("ConflictRetryCount");
        FluentActions.Invoking(() => new SalesFlowEngine(new PipelineRegistry(), new InMemoryDealStore(), options))
            .Should().Throw<ArgumentException>().WithMessage("*ConflictRetryCount*");
    }
}
