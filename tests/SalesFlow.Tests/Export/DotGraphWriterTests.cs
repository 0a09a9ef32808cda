using CsCheck;
using SalesFlow.Export;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Export;

public class DotGraphWriterTests
{
    [Fact]
    public void ToDot_SevenStepB2B_MarksTheInitialStageAndShowsNamesAndKinds()
    {
        var pipeline = SalesPipelines.SevenStepB2B();

        var text = pipeline.ToDot();

        text.Should().StartWith("digraph \"b2b-seven-step v1\" {\n").And.EndWith("}\n");
        text.Should().Contain("    i0 [shape=point").And.Contain($"    i0 -> s{Index(pipeline, pipeline.InitialStage)};\n");
        foreach (var (stage, i) in pipeline.Stages.Select((s, i) => (s, i)))
        {
            text.Should().Contain($"    s{i} [label={DotGraphWriter.Quote(stage.Name + (stage.IsOpen ? string.Empty : $"\n«{stage.Kind.ToString().ToLowerInvariant()}»"))}");
        }

        text.Should().MatchRegex($@"s{Index(pipeline, B2BStages.FollowUp)} \[label=""Follow-up \(won\)\\n«won»"", fillcolor=""#d9f2d9""")
            .And.MatchRegex($@"s{Index(pipeline, B2BStages.Lost)} \[label=""Lost\\n«lost»"", fillcolor=""#f9dcdc""");
    }

    [Fact]
    public void ToDot_SevenStepB2B_LabelsTransitionsWithGuardReasonsAndDrawsInternalAndReturnTransitions()
    {
        var pipeline = SalesPipelines.SevenStepB2B();

        var text = pipeline.ToDot();

        var win = pipeline.Transitions.Single(t => t.Trigger == B2BTriggers.Win);
        var label = string.Join("\n", [win.Trigger, .. win.Guards.Select(g => $"[{g.Reason}]")]);
        text.Should().Contain($"    s{Index(pipeline, win.From)} -> s{Index(pipeline, win.To!)} [label={DotGraphWriter.Quote(label)}];\n");
        var followUp = Index(pipeline, B2BStages.FollowUp);
        text.Should().MatchRegex($@"s{followUp} -> s{followUp} \[label=""Refer \(internal\)\\n\[The referred deal is missing[^""]*"", style=dotted\]");
        text.Should().Contain($"    s{Index(pipeline, B2BStages.Lost)} -> r0 [label=\"Reopen (back)\", style=dashed];\n")
            .And.Contain($"    r0 -> s{Index(pipeline, B2BStages.Close)} [style=dashed];\n")
            .And.Contain("r0 [shape=diamond");
    }

    [Fact]
    public async Task ToDot_DealLostAndReopenedTwice_HighlightsItsStageAndCountsItsMoves()
    {
        var (deal, history) = await GraphSamples.B2BWithBackEdgesAsync();
        var pipeline = SalesPipelines.SevenStepB2B();

        var text = pipeline.ToDot(deal, history);

        text.Should().MatchRegex($@"s{Index(pipeline, deal.StageId)} \[label=""[^""]*\\n● current stage"", color=""#d62728"", penwidth=4\]");
        text.Should().Contain($"    s{Index(pipeline, B2BStages.Lost)} -> r0 [label=\"Reopen (back) ×2\", style=dashed, color=\"#d62728\", fontcolor=\"#d62728\", penwidth=3];\n")
            .And.Contain($"    r0 -> s{Index(pipeline, B2BStages.Prospecting)} [label=\"×1\", style=dashed, color=\"#d62728\"")
            .And.Contain($"    r0 -> s{Index(pipeline, B2BStages.Close)} [style=dashed];\n");
        text.Split('\n').Count(l => l.Contains("penwidth=3", StringComparison.Ordinal)).Should().Be(6, "two Loses, the Reopen edge and its two targets, one Contact");
    }

    [Fact]
    public async Task ToDot_DealWithInternalActions_CountsThem()
    {
        var (deal, history) = await GraphSamples.RetailWithInternalActionsAsync();
        var pipeline = SalesPipelines.RetailFloor();
        var browsing = Index(pipeline, SalesFlow.Pipelines.Retail.RetailStages.Browsing);

        var text = pipeline.ToDot(deal, history);

        text.Should().Contain($"    s{browsing} -> s{browsing} [label=\"NoticesPiece (internal) ×2\", style=dotted, color=\"#d62728\"");
    }

    [Fact]
    public void Quote_QuotesBackslashesNewlinesAndControlCharacters_Escapes()
    {
        DotGraphWriter.Quote("a \"b\" \\N c\r\nd\te & 中文 🚀").Should().Be("\"a \\\"b\\\" \\\\N c\\nd e &amp; 中文 🚀\"");
    }

    [Fact]
    public void ToDot_NullDeal_Throws()
    {
        var pipeline = SalesPipelines.SevenStepB2B();

        pipeline.Invoking(p => p.ToDot(null!, [])).Should().Throw<ArgumentNullException>().WithParameterName("deal");
    }

    [GraphToolFact(GraphTool.Dot)]
    public async Task ToDot_BuiltInsDealsAndHostileNames_PassGraphviz()
    {
        var hostile = HostilePipeline.Build();
        var (b2b, b2bHistory) = await GraphSamples.B2BWithBackEdgesAsync();
        var (retail, retailHistory) = await GraphSamples.RetailWithInternalActionsAsync();
        var (hostileDeal, hostileHistory) = await HostileDeals.WithBackEdgeAsync(hostile);
        var graphs = new Dictionary<string, string>
        {
            ["builtin-b2b"] = SalesPipelines.SevenStepB2B().ToDot(),
            ["builtin-showroom"] = SalesPipelines.Showroom().ToDot(),
            ["builtin-retail"] = SalesPipelines.RetailFloor().ToDot(),
            ["deal-b2b"] = SalesPipelines.SevenStepB2B().ToDot(b2b, b2bHistory),
            ["deal-retail"] = SalesPipelines.RetailFloor().ToDot(retail, retailHistory),
            ["hostile-static"] = hostile.ToDot(),
            ["hostile-deal"] = hostile.ToDot(hostileDeal, hostileHistory),
        };

        RenderAll(graphs).Should().BeEmpty();
    }

    [GraphToolFact(GraphTool.Dot)]
    public void ToDot_GeneratedNames_PassGraphviz()
    {
        HostileDeals.Generated.Array[20].Sample(pipelines =>
        {
            var failures = RenderAll(pipelines.Select((p, i) => (p, i)).ToDictionary(x => $"generated-{x.i}", x => x.p.ToDot()));
            failures.Should().BeEmpty();
        }, iter: 1);
    }

    [GraphToolFact(GraphTool.Dot)]
    public void RunDot_NaiveQuotingOfAHostileName_FailsGraphviz()
    {
        var naive = $"digraph g {{\n    s0 [label=\"{HostilePipeline.StageNames[0]}\"];\n}}\n";

        RenderAll(new Dictionary<string, string> { ["naive"] = naive }).Should().ContainKey("naive", "the checker must be able to fail");
    }

    private static int Index(PipelineDefinition pipeline, string stageId) => pipeline.Stages.ToList().FindIndex(s => s.Id == stageId);

    // Renders every graph to SVG with the real dot; returns the failures (exit code, stderr and the text) by name.
    private static Dictionary<string, string> RenderAll(IReadOnlyDictionary<string, string> graphs)
    {
        var folder = Directory.CreateTempSubdirectory("salesflow-dot-").FullName;
        try
        {
            var failures = new Dictionary<string, string>();
            foreach (var (name, text) in graphs)
            {
                var file = Path.Combine(folder, name + ".dot");
                GraphTools.WriteFile(file, text);
                var (exitCode, errors) = GraphTools.RunDot(file);
                if (exitCode != 0 || errors.Contains("syntax error", StringComparison.OrdinalIgnoreCase) || !File.Exists(Path.ChangeExtension(file, ".svg")))
                {
                    failures[name] = $"exit {exitCode}: {errors}\n{text}";
                }
            }

            return failures;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
