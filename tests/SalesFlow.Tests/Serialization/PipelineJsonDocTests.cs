using System.Text.RegularExpressions;

namespace SalesFlow.Tests.Serialization;

/// <summary>docs/pipelines-json.md: its JSON example loads as shown, and its C# example is this file's code, verbatim between the markers.</summary>
public partial class PipelineJsonDocTests
{
    // docs/pipelines-json:start
    public sealed record Renewal
    {
        public bool Signed { get; init; }

        public decimal Amount { get; init; }
    }

    public static PipelineDefinition LoadRenewals(string json, TextWriter output)
    {
        var components = new PipelineComponents()
            .AddDataType<Renewal>("renewal")
            .AddGuard<Renewal>("contract.signed", d => d.Signed, "Contract not signed")
            .AddHook("crm.notify", context => output.WriteLine($"{context.After.Id} is now in {context.After.StageId}"));

        var result = PipelineJson.Load(json, components);
        foreach (var diagnostic in result.Diagnostics)
        {
            output.WriteLine(diagnostic); // error SF2001 at /transitions/1/guards/0/use (line 14, column 45): Guard '…' is not registered …
        }

        return result.EnsureSucceeded(); // or throw PipelineDefinitionException listing every diagnostic
    }
    // docs/pipelines-json:end

    private static string Doc() => File.ReadAllText(PipelineJsonTests.RepoFile("docs", "pipelines-json.md")).ReplaceLineEndings("\n");

    [Fact]
    public void Doc_ShowsTheCSharpExampleVerbatim()
    {
        var source = File.ReadAllText(PipelineJsonTests.RepoFile("tests", "SalesFlow.Tests", "Serialization", "PipelineJsonDocTests.cs")).ReplaceLineEndings("\n");
        var start = source.IndexOf("// docs/pipelines-json:start\n", StringComparison.Ordinal) + "// docs/pipelines-json:start\n".Length;
        var end = source.IndexOf("    // docs/pipelines-json:end", StringComparison.Ordinal);
        var snippet = string.Join("\n", source[start..end].TrimEnd().Split('\n').Select(l => l.Length >= 4 ? l[4..] : l));

        Doc().Should().Contain(snippet);
    }

    [Fact]
    public void Doc_JsonExample_LoadsWithTheDocsComponents()
    {
        var json = JsonBlock().Match(Doc()).Groups[1].Value;
        var output = new StringWriter();

        var definition = LoadRenewals(json, output);

        definition.Id.Should().Be("renewals");
        definition.Stages.Select(s => s.Id).Should().Equal("open", "negotiation", "won", "lost");
        definition.GetStage("negotiation").Metadata["forecastCategory"].Should().Be("best-case");
        definition.Transitions.Single(t => t.Trigger == "advance").Guards.Single(g => !g.IsChecklistGuard).Condition!.Kind.Should().Be(GuardConditionKind.All);
        output.ToString().Should().BeEmpty("the example has no warnings");
    }

    [GeneratedRegex("```json\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
