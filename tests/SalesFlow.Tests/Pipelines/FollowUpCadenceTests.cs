using SalesFlow.Pipelines.Showroom;

namespace SalesFlow.Tests.Pipelines;

public class FollowUpCadenceTests
{
    [Fact]
    public void Default_Intervals_Are2_7_14Days()
    {
        FollowUpCadence.Default.GradeA.Should().Be(TimeSpan.FromDays(2));
        FollowUpCadence.Default.GradeB.Should().Be(TimeSpan.FromDays(7));
        FollowUpCadence.Default.GradeC.Should().Be(TimeSpan.FromDays(14));
    }

    [Theory]
    [InlineData(CustomerGrade.A, 1)]
    [InlineData(CustomerGrade.B, 2)]
    [InlineData(CustomerGrade.C, 3)]
    public void NextFollowUp_Grade_AddsItsInterval(CustomerGrade grade, int hours)
    {
        var cadence = new FollowUpCadence(TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(3));
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        cadence.NextFollowUp(grade, from).Should().Be(from.AddHours(hours));
    }

    [Fact]
    public void For_UndefinedGrade_Throws()
    {
        var act = () => FollowUpCadence.Default.For((CustomerGrade)9);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Validate_ZeroAndNegative_ListsEveryProblem()
    {
        var problems = new FollowUpCadence(TimeSpan.Zero, TimeSpan.FromDays(-1), TimeSpan.FromDays(1)).Validate();

        problems.Should().HaveCount(2);
        problems[0].Should().Contain("GradeA");
        problems[1].Should().Contain("GradeB");
    }

    [Fact]
    public void Equality_SameIntervals_AreEqual() =>
        new FollowUpCadence(TimeSpan.FromDays(2), TimeSpan.FromDays(7), TimeSpan.FromDays(14)).Should().Be(FollowUpCadence.Default);
}
