using System.Text.Json;
using SalesFlow.Pipelines;

namespace SalesFlow.Tests.Serialization;

public sealed class PipelineJsonTests
{
    public static TheoryData<string> BuiltInIds => [SalesPipelines.SevenStepB2BId, SalesPipelines.ShowroomId, SalesPipelines.RetailFloorId];

    internal static PipelineDefinition BuiltIn(string id) => SalesPipelines.All.Single(p => p.Id == id);

    internal static string RepoFile(params string[] parts)
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "SalesFlow.sln")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("The repository root was not found above the test binaries.");
        }

        return Path.Combine([dir, .. parts]);
    }

    [Theory]
    [MemberData(nameof(BuiltInIds))]
    public void Export_BuiltIn_LoadsBackToTheSameJson(string id)
    {
        var original = BuiltIn(id);
        var json = PipelineJson.Export(original);

        var result = PipelineJson.Load(json);

        result.Diagnostics.Where(d => d.IsError).Should().BeEmpty();
        PipelineJson.Export(result.Definition!).Should().Be(json);
        result.Definition!.DataType.Should().Be(original.DataType);
        result.Definition.Transitions.Should().HaveCount(original.Transitions.Count);
    }

    [Theory]
    [MemberData(nameof(BuiltInIds))]
    public void ShippedFile_EqualsTheExportOfTheBuiltIn(string id)
    {
        var path = RepoFile("pipelines", id + ".json");
        var expected = PipelineJson.Export(BuiltIn(id));
        if (Environment.GetEnvironmentVariable("SALESFLOW_WRITE_PIPELINES") == "1")
        {
            File.WriteAllText(path, expected);
        }

        File.ReadAllText(path).ReplaceLineEndings("\n").Should().Be(expected, "pipelines/{0}.json is the built-in process as JSON; regenerate it with SALESFLOW_WRITE_PIPELINES=1", id);
    }
}
