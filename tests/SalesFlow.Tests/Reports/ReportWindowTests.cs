namespace SalesFlow.Tests.Reports;

public class ReportWindowTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Contains_Bounds_FromIncludedToExcluded()
    {
        var window = new ReportWindow(Start, Start.AddDays(1));

        window.Contains(Start).Should().BeTrue();
        window.Contains(Start.AddDays(1).AddTicks(-1)).Should().BeTrue();
        window.Contains(Start.AddDays(1)).Should().BeFalse();
        window.Contains(Start.AddTicks(-1)).Should().BeFalse();
    }

    [Fact]
    public void Constructor_EndNotAfterStart_Throws()
    {
        FluentActions.Invoking(() => new ReportWindow(Start, Start)).Should().Throw<ArgumentException>().WithMessage("*must end after it starts*");
        FluentActions.Invoking(() => new ReportWindow(Start, Start.AddDays(-1))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void All_ContainsEveryInstant()
    {
        ReportWindow.All.Contains(DateTimeOffset.MinValue).Should().BeTrue();
        ReportWindow.All.Contains(Start).Should().BeTrue();
    }
}
