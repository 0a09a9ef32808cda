using System.Text;
using CsCheck;
using SalesFlow.Pipelines;

namespace SalesFlow.Tests.Serialization;

/// <summary>Whatever an administrator's editor leaves in a file, loading it gives diagnostics, never an exception.</summary>
public sealed class PipelineJsonFuzzTests
{
    private static readonly string[] Pieces =
    [
        "{", "}", "[", "]", ",", ":", "\"", "null", "true", "-1", "1e400", "0.5", "\"won\"", "\"kind\"", "\"from\"", "\"to\"",
        "\"when\"", "{\"path\":\"\"}", "{\"all\":[]}", "\"use\"", "\\u0000", "é", "\n", "/*", "//", "\"$schema\"", "[[[[[[[[",
    ];

    [Fact]
    public void Load_MutatedFiles_NeverThrow()
    {
        var original = PipelineJson.Export(SalesPipelines.Showroom());
        var edits = Gen.Select(Gen.Int[0, original.Length - 1], Gen.Int[0, 40], Gen.Int[0, Pieces.Length - 1], (at, cut, piece) => (at, cut, piece)).Array[1, 6];

        edits.Sample(list =>
        {
            var text = new StringBuilder(original);
            foreach (var (at, cut, piece) in list)
            {
                var start = Math.Min(at, text.Length);
                text.Remove(start, Math.Min(cut, text.Length - start)).Insert(start, Pieces[piece]);
            }

            var result = PipelineJson.Load(text.ToString());

            (result.Succeeded || result.Diagnostics.Any(d => d.IsError)).Should().BeTrue();
            result.Diagnostics.Where(d => d.Location is { Line: < 1 }).Should().BeEmpty();
        }, iter: 1500);
    }

    [Fact]
    public void Load_DeeplyNestedCondition_ReportsInsteadOfOverflowing()
    {
        var nested = string.Concat(Enumerable.Repeat("{\"not\":", 5000)) + "{\"path\":\"a\",\"present\":true}" + new string('}', 5000);
        var json = $$"""{ "format": 1, "id": "x", "version": 1, "stages": [ { "id": "a" }, { "id": "w", "kind": "won" }, { "id": "l", "kind": "lost" } ], "transitions": [ { "trigger": "t", "from": "a", "to": "w", "guards": [ { "code": "c", "reason": "r", "when": {{nested}} } ] } ] }""";

        var result = PipelineJson.Load(json);

        result.Diagnostics.Should().ContainSingle(d => d.Code == "SF0001").Which.Message.Should().Contain("depth");
    }
}
