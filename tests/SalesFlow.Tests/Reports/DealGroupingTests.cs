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

    private sealed record Account(string Region, int Size);

    private sealed record Customer(Account? Account, decimal Value);

    private static Deal DealWith(object data) => new()
    {
        Id = "d", PipelineId = "p", PipelineVersion = 1, StageId = "s", Version = 1, LastSequence = 1,
        CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch, StageEnteredAt = DateTimeOffset.UnixEpoch,
        LastActivityAt = DateTimeOffset.UnixEpoch, Data = data,
    };

    [Fact]
    public void ByData_TypedData_ReadsThePropertyPathIgnoringCase()
    {
        var customer = new Customer(new Account("north", 12), 1.5m);

        DealGrouping.ByData("Account.Region").Key(DealWith(customer)).Should().Be("north");
        DealGrouping.ByData("account.size").Key(DealWith(customer)).Should().Be("12");
        DealGrouping.ByData("Value").Key(DealWith(customer)).Should().Be("1.5");
        DealGrouping.ByData("Account.Missing").Key(DealWith(customer)).Should().BeNull();
        DealGrouping.ByData("Account.Region").Key(DealWith(new Customer(null, 0m))).Should().BeNull();
        DealGrouping.ByData("Account.Region").Name.Should().Be("Account.Region");
    }

    [Fact]
    public void ByData_JsonData_ReadsTheJsonValue()
    {
        var data = JsonDealData.Parse("""{ "account": { "region": "south", "size": 3 }, "tag": null }""");

        DealGrouping.ByData("account.region").Key(DealWith(data)).Should().Be("south");
        DealGrouping.ByData("account.size").Key(DealWith(data)).Should().Be("3");
        DealGrouping.ByData("tag").Key(DealWith(data)).Should().BeNull();
        DealGrouping.ByData("nothing.here").Key(DealWith(data)).Should().BeNull();
        FluentActions.Invoking(() => DealGrouping.ByData("")).Should().Throw<ArgumentException>();
    }
}
