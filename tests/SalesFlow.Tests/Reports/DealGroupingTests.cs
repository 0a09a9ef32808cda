namespace SalesFlow.Tests.Reports;

public class DealGroupingTests
{
    [Fact]
    public void By_BadArguments_Throw()
    {
        FluentActions.Invoking(() => DealGrouping.By(" ", d => d.Owner)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => DealGrouping.By("region", null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void By_NameAndKey_AreKept()
    {
        var grouping = DealGrouping.By("region", d => d.PipelineId);

        grouping.Name.Should().Be("region");
        DealGrouping.ByOwner.Name.Should().Be("owner");
    }
}
