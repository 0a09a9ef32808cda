using System.Text.RegularExpressions;
using SalesFlow.Pipelines;

namespace SalesFlow.Testing.Tests.Readme;

/// <summary>The "Test paths" section of the package README: its example is the compiled one, and its numbers are today's.</summary>
public partial class ReadmeTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void TestPathsExample_IsTheCompiledRenewalPipelineTests()
    {
        var readme = Section(File.ReadAllText(Path.Combine(Root, "src", "SalesFlow.Testing", "README.md")));
        var block = readme.Split("```csharp\n")[1].Split("```")[0];
        var source = File.ReadAllText(Path.Combine(Root, "tests", "SalesFlow.Testing.Tests", "Readme", "RenewalPipelineTests.cs"));
        var example = source.Split("// README example begins\n")[1].Split("// README example ends")[0];

        block.Should().Be("using SalesFlow;\nusing SalesFlow.Testing;\nusing Xunit;\n\n" + example);
    }

    [Fact]
    public void TestPathsTable_MatchesTheGeneratedPathsOfTheBuiltInProcesses()
    {
        var readme = Section(File.ReadAllText(Path.Combine(Root, "src", "SalesFlow.Testing", "README.md")));
        var rows = TableRow().Matches(readme).ToDictionary(m => m.Groups["id"].Value, m => (Number(m, "t"), Number(m, "p"), Number(m, "s")));

        rows.Keys.Should().BeEquivalentTo(SalesPipelines.All.Select(p => p.Id));
        foreach (var pipeline in SalesPipelines.All)
        {
            var plan = TestPathGenerator.Generate(pipeline);
            rows[pipeline.Id].Should().Be((plan.TransitionCount, plan.Paths.Count, plan.StepCount), $"the README's numbers for {pipeline.Id} are today's");
        }
    }

    private static int Number(Match row, string group) => int.Parse(row.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static string Section(string readme) => readme[readme.IndexOf("## Test paths", StringComparison.Ordinal)..];

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SalesFlow.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("SalesFlow.sln not found above the test output.");
    }

    [GeneratedRegex(@"^\| `(?<id>[a-z0-9-]+)` \| (?<t>\d+) \| (?<p>\d+) \| (?<s>\d+) \|$", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
