using SalesFlow.Storage.Relational.Tests.Support;

namespace SalesFlow.Storage.Relational.Tests;

public sealed class DealColumnsTests
{
    [Fact]
    public void All_IdFirstEveryNameOnce()
    {
        DealColumns.All[0].Name.Should().Be("id");
        DealColumns.All.Select(c => c.Name).Should().OnlyHaveUniqueItems().And.Contain(["data", "stage_entered_sequence", "checklist"]);
        DealColumns.List.Split(", ").Should().Equal(DealColumns.All.Select(c => c.Name));
    }

    [Fact]
    public void ParameterListAndAssignments_FollowTheColumnOrder()
    {
        DealColumns.ParameterList(PortableDialect.Instance).Should().StartWith("$id, $pipeline_id, ").And.EndWith("$stage_entered_sequence, $tenant_id");
        var assignments = DealColumns.Assignments(PortableDialect.Instance);
        assignments.Should().StartWith("pipeline_id = $pipeline_id").And.NotContain("id = $id,");
        assignments.Should().NotContain("tenant_id", "the key is named in the WHERE clause, never changed");
        assignments.Split(", ").Should().HaveCount(DealColumns.All.Count - 2);
    }

    [Fact]
    public void EventColumns_DealIdFirst_QualifiedKeepsTheOrder()
    {
        EventColumns.All[0].Name.Should().Be("deal_id");
        EventColumns.Qualified("e").Should().Be(string.Join(", ", EventColumns.All.Select(c => "e." + c.Name)));
        EventColumns.ParameterList(PortableDialect.Instance).Should().StartWith("$deal_id, $sequence");
    }

    [Fact]
    public void Methods_NullDialect_Throw()
    {
        FluentActions.Invoking(() => DealColumns.ParameterList(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => DealColumns.Assignments(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => EventColumns.ParameterList(null!)).Should().Throw<ArgumentNullException>();
    }
}
