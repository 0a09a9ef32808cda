namespace SalesFlow.Tests.Migration;

public class PipelineMigrationTests
{
    [Fact]
    public void MapStage_ReturnsACopy_LeavesTheOriginalAsItWas()
    {
        var original = new PipelineMigration("p", 1, 2);

        var mapped = original.MapStage("a", "b");

        mapped.StageMap.Should().Equal(new Dictionary<string, string> { ["a"] = "b" });
        original.StageMap.Should().BeEmpty();
    }

    [Fact]
    public void StageMap_SourceDictionaryChangedLater_KeepsTheCopy()
    {
        var source = new Dictionary<string, string> { ["a"] = "b" };
        var migration = new PipelineMigration("p", 1, 2) { StageMap = source };

        source["c"] = "d";

        migration.StageMap.Should().ContainSingle().Which.Should().Be(new KeyValuePair<string, string>("a", "b"));
    }

    [Fact]
    public void TargetStage_StageNotMapped_KeepsItsIdWhenTheNewVersionHasIt()
    {
        var v2 = RenewalVersions.V2();
        var migration = RenewalVersions.Migration();

        migration.TargetStage("open", v2).Should().Be("open");
        migration.TargetStage("negotiation", v2).Should().Be("proposal");
        (migration with { StageMap = new Dictionary<string, string>() }).TargetStage("negotiation", v2).Should().BeNull();
    }

    [Fact]
    public void MapStage_BlankIds_ThrowArgumentException()
    {
        var migration = new PipelineMigration("p", 1, 2);

        migration.Invoking(m => m.MapStage(" ", "b")).Should().Throw<ArgumentException>();
        migration.Invoking(m => m.MapStage("a", "")).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void StageMap_Null_ThrowsArgumentNullException()
    {
        var create = () => new PipelineMigration("p", 1, 2) { StageMap = null! };

        create.Should().Throw<ArgumentNullException>();
    }
}
