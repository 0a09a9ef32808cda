using System.Text.Json.Nodes;

namespace SalesFlow.Tests.Definitions;

public sealed class JsonDealDataTests
{
    [Fact]
    public async Task FromStrings_ReadOnManyThreadsAndSerialized_GivesTheSameObjectAsParsedJson()
    {
        KeyValuePair<string, string>[] members = [new("account", "Globex \"North\" Ltd"), new("product", "Données €"), new("region", "EMEA")];
        var parsed = JsonDealData.Parse("""{"account":"Globex \"North\" Ltd","product":"Données €","region":"EMEA"}""");
        var pipeline = PipelineJson.Parse(Testing.CrmExports.CrmExportGenerator.PipelineJson);

        var serializedFirst = pipeline.SerializeData(JsonDealData.FromStrings(members));
        var data = JsonDealData.FromStrings(members);
        var roots = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => data.Root)));

        serializedFirst.Should().Be(pipeline.SerializeData(parsed), "members are written as the parsed object is");
        roots.Should().AllSatisfy(root => JsonNode.DeepEquals(JsonNode.Parse(root.GetRawText()), JsonNode.Parse(parsed.ToString())).Should().BeTrue());
        data.Get("product")!.Value.GetString().Should().Be("Données €");
        JsonNode.DeepEquals(JsonNode.Parse(data.ToString()), JsonNode.Parse(parsed.ToString())).Should().BeTrue();
        JsonDealData.FromStrings([]).Should().BeSameAs(JsonDealData.Empty);
        pipeline.DeserializeData(serializedFirst).Should().BeOfType<JsonDealData>().Which.Get("account")!.Value.GetString().Should().Be("Globex \"North\" Ltd");
    }

    [Fact]
    public void With_SetsAPathAndLeavesTheOriginalUnchanged()
    {
        var original = JsonDealData.Parse("""{ "a": { "b": 1 } }""");

        var changed = original.With("a.c.d", "x").With("a.b", 2);

        original.ToString().Should().Be("""{ "a": { "b": 1 } }""");
        changed.Get("a.b")!.Value.GetInt32().Should().Be(2);
        changed.Get("a.c.d")!.Value.GetString().Should().Be("x");
        changed.Get("a.missing").Should().BeNull();
    }

    [Fact]
    public void With_ReplacesAScalarOnThePathWithAnObject()
    {
        var data = JsonDealData.Parse("""{ "a": 5 }""").With("a.b", true);

        data.Get("a.b")!.Value.GetBoolean().Should().BeTrue();
    }

    [Fact]
    public void Without_RemovesAMember()
    {
        var data = JsonDealData.Parse("""{ "a": { "b": 1, "c": 2 } }""");

        data.Without("a.b").ToString().Should().Be("""{"a":{"c":2}}""");
        data.Without("x.y").Should().BeSameAs(data);
    }

    [Fact]
    public void With_NodeValue_IsCopied()
    {
        var node = JsonNode.Parse("""[1, 2]""")!;
        var data = JsonDealData.Empty.With("list", node);
        node.AsArray().Add(3);

        data.Get("list")!.Value.GetArrayLength().Should().Be(2);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("42")]
    [InlineData("{ not json")]
    public void Parse_NotAnObject_ThrowsArgumentException(string json) =>
        FluentActions.Invoking(() => JsonDealData.Parse(json)).Should().Throw<ArgumentException>();

    [Fact]
    public void Serialization_WritesTheObjectItself()
    {
        var definition = PipelineBuilder.Create<JsonDealData>("j")
            .Stage("a", s => s.Guidance("g")).Stage("won", s => s.Won()).Stage("lost", s => s.Lost())
            .Transition("win", "a", "won").Transition("lose", "a", "lost").Build();
        var data = JsonDealData.Parse("""{"x":[1,{"y":"é"}]}""");

        var json = definition.SerializeData(data);

        System.Text.Json.JsonElement.DeepEquals(System.Text.Json.JsonDocument.Parse(json).RootElement, data.Root).Should().BeTrue(json);
        ((JsonDealData)definition.DeserializeData(json)).Get("x")!.Value[1].GetProperty("y").GetString().Should().Be("é");
        definition.DataTypeName.Should().BeNull();
    }
}
