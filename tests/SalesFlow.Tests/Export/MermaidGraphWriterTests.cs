using CsCheck;
using SalesFlow.Export;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Tests.Support;
using Stateless;
using Stateless.Graph;

namespace SalesFlow.Tests.Export;

public class MermaidGraphWriterTests(MermaidGraphWriterTests.ParsedGraphs parsed) : IClassFixture<MermaidGraphWriterTests.ParsedGraphs>
{
    [Fact]
    public void ToMermaid_SevenStepB2B_MarksTheInitialStageAndShowsEveryStageByName()
    {
        var pipeline = SalesPipelines.SevenStepB2B();

        var text = pipeline.ToMermaid();

        text.Should().StartWith("flowchart TD\n");
        var initial = pipeline.Stages.ToList().FindIndex(s => s.Id == pipeline.InitialStage);
        text.Should().Contain($"    i0 --> s{initial}\n").And.Contain("class i0 start");
        foreach (var (stage, i) in pipeline.Stages.Select((s, i) => (s, i)))
        {
            text.Should().Contain($"    s{i}", "stage {0} has a node", stage.Id)
                .And.Contain(MermaidGraphWriter.Escape(stage.Name), "stage {0} shows its display name", stage.Id);
        }
    }

    [Fact]
    public void ToMermaid_SevenStepB2B_MarksAndStylesWonAndLostStages()
    {
        var pipeline = SalesPipelines.SevenStepB2B();
        var won = Index(pipeline, B2BStages.FollowUp);
        var lost = Index(pipeline, B2BStages.Lost);

        var text = pipeline.ToMermaid();

        text.Should().Contain($"s{won}([\"{MermaidGraphWriter.Escape(pipeline.GetStage(B2BStages.FollowUp).Name)}<br/>#171;won#187;\"])")
            .And.Contain($"class s{won} won").And.Contain($"class s{lost} lost").And.Contain("classDef won ");
    }

    [Fact]
    public void ToMermaid_SevenStepB2B_LabelsEveryTransitionWithItsTriggerAndGuardReasons()
    {
        var pipeline = SalesPipelines.SevenStepB2B();
        var text = pipeline.ToMermaid();

        foreach (var t in pipeline.Transitions.Where(t => t.Kind == TransitionKind.Transition))
        {
            var label = string.Join("<br/>", [MermaidGraphWriter.Escape(t.Trigger), .. t.Guards.Select(g => MermaidGraphWriter.Escape($"[{g.Reason}]"))]);
            text.Should().Contain($"    s{Index(pipeline, t.From)} -->|\"{label}\"| s{Index(pipeline, t.To!)}\n", "{0} is drawn with its guard reasons", t);
        }
    }

    [Fact]
    public void ToMermaid_SevenStepB2B_DrawsReopenThroughAPreviousStageChoiceToEveryStageThatCanLose()
    {
        var pipeline = SalesPipelines.SevenStepB2B();
        var text = pipeline.ToMermaid();

        text.Should().Contain($"    s{Index(pipeline, B2BStages.Lost)} -.->|\"Reopen (back)\"| r0\n").And.Contain("r0{\"previous stage\"}");
        var canLose = pipeline.Transitions.Where(t => t.To == B2BStages.Lost).Select(t => t.From).Distinct().ToList();
        canLose.Should().HaveCountGreaterThan(5);
        foreach (var stage in canLose)
        {
            text.Should().Contain($"    r0 -.-> s{Index(pipeline, stage)}\n", "a deal lost from {0} reopens there", stage);
        }
    }

    [Fact]
    public void ToMermaid_SevenStepB2B_DrawsTheReferInternalActionAsADottedLoopWithItsReason()
    {
        var pipeline = SalesPipelines.SevenStepB2B();
        var followUp = Index(pipeline, B2BStages.FollowUp);
        var refer = pipeline.Transitions.Single(t => t.Trigger == B2BTriggers.Refer);

        var text = pipeline.ToMermaid();

        text.Should().Contain($"    s{followUp} -.->|\"Refer (internal)<br/>{MermaidGraphWriter.Escape($"[{refer.Guards[0].Reason}]")}\"| s{followUp}\n");
    }

    [Fact]
    public async Task ToMermaid_DealLostAndReopenedTwice_HighlightsItsStageAndCountsItsMoves()
    {
        var (deal, history) = await GraphSamples.B2BWithBackEdgesAsync();
        var pipeline = SalesPipelines.SevenStepB2B();
        var lost = Index(pipeline, B2BStages.Lost);

        var text = pipeline.ToMermaid(deal, history);

        var current = Index(pipeline, deal.StageId);
        text.Should().Contain($"style s{current} stroke:#d62728,stroke-width:4px")
            .And.Contain($"s{current}[\"{MermaidGraphWriter.Escape(pipeline.GetStage(deal.StageId).Name)}<br/>#9679; current stage\"]");
        text.Should().Contain($"    s{lost} ==>|\"Reopen (back) #215;2\"| r0\n", "the deal reopened twice")
            .And.Contain($"    r0 ==>|\"#215;1\"| s{Index(pipeline, B2BStages.Prospecting)}\n")
            .And.Contain($"    r0 ==>|\"#215;1\"| s{Index(pipeline, B2BStages.Qualification)}\n")
            .And.Contain($"    s{Index(pipeline, B2BStages.Prospecting)} ==>|\"Contact #215;1<br/>");
        text.Should().MatchRegex(@"linkStyle (\d+,){5}\d+ stroke:#d62728", "six links were taken: two Loses, the Reopen edge and its two targets, one Contact");
        pipeline.ToMermaid().Should().NotContain("==>").And.NotContain("linkStyle").And.NotContain("current stage");
    }

    [Fact]
    public async Task ToMermaid_DealWithInternalActions_CountsThem()
    {
        var (deal, history) = await GraphSamples.RetailWithInternalActionsAsync();
        var pipeline = SalesPipelines.RetailFloor();
        var browsing = Index(pipeline, RetailStages.Browsing);

        var text = pipeline.ToMermaid(deal, history);

        text.Should().Contain($"    s{browsing} ==>|\"NoticesPiece (internal) #215;2\"| s{browsing}\n");
    }

    [Fact]
    public async Task ToMermaid_SevenStepB2BAndADeal_MatchTheExamplesInTheDocs()
    {
        var pipeline = SalesPipelines.SevenStepB2B();
        var (deal, history) = await GraphSamples.B2BWithBackEdgesAsync();
        var path = Path.Combine(GraphTools.RepositoryRoot, "docs", "graphs.md");
        var examples = new Dictionary<string, string>
        {
            ["b2b"] = pipeline.ToMermaid(),
            ["b2b-deal"] = pipeline.ToMermaid(deal, history),
            ["b2b-deal-dot"] = pipeline.ToDot(deal, history),
        };

        // SALESFLOW_UPDATE_DOCS=1 writes the current output into the page; the test then checks it like any other run.
        var doc = File.ReadAllText(path);
        foreach (var (name, text) in examples)
        {
            var block = new System.Text.RegularExpressions.Regex($@"(<!-- graph:{name} -->\n```\w+\n)(.*?)(```\n)", System.Text.RegularExpressions.RegexOptions.Singleline);
            block.IsMatch(doc).Should().BeTrue("docs/graphs.md has the example {0}", name);
            if (Environment.GetEnvironmentVariable("SALESFLOW_UPDATE_DOCS") == "1")
            {
                doc = block.Replace(doc, m => m.Groups[1].Value + text + m.Groups[3].Value);
                File.WriteAllText(path, doc);
            }

            block.Match(doc).Groups[2].Value.Should().Be(text, "the example {0} in docs/graphs.md is the real output (SALESFLOW_UPDATE_DOCS=1 refreshes it)", name);
        }
    }

    [Fact]
    public void Escape_EveryDangerousCharacter_LeavesOnlyLettersDigitsAndEntityCodes()
    {
        var escaped = MermaidGraphWriter.Escape(HostilePipeline.Nasty + "\r\nÉté 中文 🚀\tﬂ");

        escaped.Should().NotContainAny(";\"", "\"", ":", "{", "}", "<b>", "|", "%%", "-->", "`", "\\", "&", "\t", "\r", "\n", "ﬂ")
            .And.Contain("#59;").And.Contain("#34;").And.Contain("#128640;").And.Contain("Été 中文").And.Contain("<br/>")
            .And.Contain("#64258;");
        escaped.Replace("<br/>", string.Empty, StringComparison.Ordinal).Replace("#", string.Empty, StringComparison.Ordinal)
            .Where(c => !char.IsLetterOrDigit(c) && !" .,()[]-_/'?!+;".Contains(c)).Should().BeEmpty();
    }

    [Fact]
    public void ToMermaid_NullDeal_Throws()
    {
        var pipeline = SalesPipelines.SevenStepB2B();

        pipeline.Invoking(p => p.ToMermaid(null!, [])).Should().Throw<ArgumentNullException>().WithParameterName("deal");
        pipeline.Invoking(p => p.ToMermaid(Deal(pipeline), null!)).Should().Throw<ArgumentNullException>().WithParameterName("history");
    }

    [Fact]
    public void ToMermaid_DealOfAnotherPipeline_ThrowsNamingBoth()
    {
        var pipeline = SalesPipelines.SevenStepB2B();

        pipeline.Invoking(p => p.ToMermaid(Deal(SalesPipelines.RetailFloor()), []))
            .Should().Throw<ArgumentException>().WithParameterName("deal")
            .WithMessage("*retail-four-stage*b2b-seven-step*");
    }

    [GraphToolFact(GraphTool.Mermaid)]
    public void ToMermaid_BuiltInPipelines_PassTheRealMermaidParser() =>
        parsed.ShouldAllParse("builtin-");

    [GraphToolFact(GraphTool.Mermaid)]
    public void ToMermaid_DealGraphs_PassTheRealMermaidParser() =>
        parsed.ShouldAllParse("deal-");

    [GraphToolFact(GraphTool.Mermaid)]
    public void ToMermaid_HostileNames_PassTheRealMermaidParser() =>
        parsed.ShouldAllParse("hostile-");

    [GraphToolFact(GraphTool.Mermaid)]
    public void ToMermaid_GeneratedNames_PassTheRealMermaidParser() =>
        parsed.ShouldAllParse("generated-", expected: ParsedGraphs.GeneratedCount);

    [GraphToolFact(GraphTool.Mermaid)]
    public void StatelessMermaidGraph_HostileNames_FailsTheRealMermaidParser()
    {
        parsed.Verdicts.Should().ContainKey("stateless-hostile");
        parsed.Verdicts["stateless-hostile"].Should().NotBeNull("Stateless does not escape Mermaid labels, and the checker can fail");
    }

    private static int Index(PipelineDefinition pipeline, string stageId) => pipeline.Stages.ToList().FindIndex(s => s.Id == stageId);

    private static Deal Deal(PipelineDefinition pipeline) => new()
    {
        Id = "d1",
        PipelineId = pipeline.Id,
        PipelineVersion = pipeline.Version,
        StageId = pipeline.InitialStage,
        Version = 1,
        LastSequence = 1,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
        StageEnteredAt = DateTimeOffset.UnixEpoch,
        LastActivityAt = DateTimeOffset.UnixEpoch,
        Data = new object(),
    };

    /// <summary>Every Mermaid text the class checks, parsed by the real parser in one node process.</summary>
    public sealed class ParsedGraphs
    {
        public const int GeneratedCount = 40;

        private readonly Lazy<IReadOnlyDictionary<string, string?>> _verdicts;

        public ParsedGraphs() => _verdicts = new(Parse);

        /// <summary>Gets each graph's parse error by name, or null when it parsed.</summary>
        public IReadOnlyDictionary<string, string?> Verdicts => _verdicts.Value;

        public Dictionary<string, string> Texts { get; } = [];

        public void ShouldAllParse(string prefix, int? expected = null)
        {
            var mine = Verdicts.Where(v => v.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            mine.Should().HaveCount(expected ?? mine.Count).And.NotBeEmpty();
            foreach (var (name, error) in mine)
            {
                error.Should().BeNull("graph {0} must parse:\n{1}", name, Texts[name]);
            }
        }

        private IReadOnlyDictionary<string, string?> Parse()
        {
            Texts["builtin-b2b"] = SalesPipelines.SevenStepB2B().ToMermaid();
            Texts["builtin-showroom"] = SalesPipelines.Showroom().ToMermaid();
            Texts["builtin-retail"] = SalesPipelines.RetailFloor().ToMermaid();
            var (b2b, b2bHistory) = GraphSamples.B2BWithBackEdgesAsync().GetAwaiter().GetResult();
            Texts["deal-b2b"] = SalesPipelines.SevenStepB2B().ToMermaid(b2b, b2bHistory);
            var (retail, retailHistory) = GraphSamples.RetailWithInternalActionsAsync().GetAwaiter().GetResult();
            Texts["deal-retail"] = SalesPipelines.RetailFloor().ToMermaid(retail, retailHistory);
            var hostile = HostilePipeline.Build();
            Texts["hostile-static"] = hostile.ToMermaid();
            var (hostileDeal, hostileHistory) = HostileDeals.WithBackEdgeAsync(hostile).GetAwaiter().GetResult();
            Texts["hostile-deal"] = hostile.ToMermaid(hostileDeal, hostileHistory);
            var n = 0;
            foreach (var generated in HostileDeals.Generated.Array[GeneratedCount].Single())
            {
                Texts[$"generated-{n++}"] = generated.ToMermaid();
            }

            Texts["stateless-hostile"] = MermaidGraph.Format(HostileDeals.NamedStatelessMirror(hostile).GetInfo());

            var folder = Directory.CreateTempSubdirectory("salesflow-mermaid-").FullName;
            var files = Texts.ToDictionary(t => t.Key, t => Path.Combine(folder, t.Key + ".mmd"));
            foreach (var (name, file) in files)
            {
                GraphTools.WriteFile(file, Texts[name]);
            }

            try
            {
                var verdicts = GraphTools.ParseMermaid(files.Values);
                return files.ToDictionary(f => f.Key, f => verdicts[f.Value]);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
