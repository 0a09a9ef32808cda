namespace SalesFlow.Tests.Reports;

public sealed class OutcomesTallyTests
{
    private static readonly ReportWindow Window = new(ReportScenario.DayAt(0), ReportScenario.DayAt(30));

    [Fact]
    public void ToReport_WonLostClosedAndOpenDeals_FinishesEveryFigure()
    {
        var tally = new OutcomesTally();
        tally.AddClosed(StageKind.Won, TimeSpan.FromDays(10), 1_000m);
        tally.AddClosed(StageKind.Won, TimeSpan.FromDays(20), null);
        tally.AddClosed(StageKind.Won, null, 3_000m);                    // start not in the history: no cycle
        tally.AddClosed(StageKind.Lost, TimeSpan.FromDays(4), 500m);
        tally.AddClosed(StageKind.Lost, TimeSpan.FromDays(-1), null);    // closed before its recorded start: no cycle
        tally.AddClosed(StageKind.Closed, TimeSpan.FromDays(1), null);
        tally.AddOpen(3);
        tally.AddStarted();

        var report = tally.ToReport("p", Window);

        (report.Won, report.Lost, report.Closed, report.OpenDeals, tally.Started).Should().Be((3, 2, 1, 3, 1));
        report.WinRate.Should().Be(3.0 / 5);
        report.WonValue.Should().Be(4_000m);
        report.WonWithoutAmount.Should().Be(1);
        report.AverageWonSize.Should().Be(2_000m);
        (report.WonCycle.Count, report.WonCycle.Mean).Should().Be((2, TimeSpan.FromDays(15)));
        (report.LostCycle.Count, report.ClosedCycle.Count).Should().Be((1, 3));
        report.SalesVelocity.Should().Be(3 * 2_000m * 3 / 5 * TimeSpan.TicksPerDay / TimeSpan.FromDays(15).Ticks); // 240 a day
        FluentActions.Invoking(() => tally.AddClosed(StageKind.Open, null, null)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void BreakdownReportCreate_Groups_OrderedByWonValueWonStartedThenKeyWithTheKeylessLast()
    {
        BreakdownRow Row(string? key, decimal value, int won, int started)
        {
            var tally = new OutcomesTally();
            for (var i = 0; i < won; i++)
            {
                tally.AddClosed(StageKind.Won, TimeSpan.FromDays(1), value / won);
            }

            return new BreakdownRow(key, started, tally.ToReport("p", Window));
        }

        var report = BreakdownReport.Create("p", Window, "owner", [Row("b", 0m, 0, 2), Row(null, 0m, 0, 2), Row("a", 0m, 0, 2), Row("c", 500m, 1, 0), Row("d", 500m, 2, 0), Row("e", 0m, 0, 9)], top: 4);

        report.Rows.Select(r => r.Key).Should().Equal("d", "c", "e", "a");
        report.OtherGroups.Should().Be(2);
    }
}
