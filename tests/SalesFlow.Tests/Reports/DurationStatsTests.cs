namespace SalesFlow.Tests.Reports;

public class DurationStatsTests
{
    private static TimeSpan H(int hours) => TimeSpan.FromHours(hours);

    [Fact]
    public void Of_OddCount_MedianIsTheMiddleValue()
    {
        // Sorted: 1 2 3 10 20 → median 3, mean 36 / 5 = 7.2 h, p90 at rank ⌈4.5⌉ = 5 → 20.
        var stats = DurationStats.Of([H(10), H(1), H(20), H(3), H(2)]);

        stats.Should().Be(new DurationStats(5, H(3), TimeSpan.FromMinutes(36 * 60 / 5), H(20)));
    }

    [Fact]
    public void Of_TenValues_P90IsTheNinthByNearestRank()
    {
        // 1..10 hours: median halfway between 5 and 6, mean 5.5, p90 at rank ⌈9⌉ = 9.
        var stats = DurationStats.Of(Enumerable.Range(1, 10).Select(H).Reverse());

        stats.Median.Should().Be(TimeSpan.FromMinutes(330));
        stats.Mean.Should().Be(TimeSpan.FromMinutes(330));
        stats.P90.Should().Be(H(9));
    }

    [Fact]
    public void Of_Nothing_IsEmpty()
    {
        DurationStats.Of([]).Should().Be(DurationStats.Empty);
        DurationStats.Empty.Median.Should().BeNull();
        FluentActions.Invoking(() => DurationStats.Of(null!)).Should().Throw<ArgumentNullException>();
    }
}
