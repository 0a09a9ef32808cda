using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SalesFlow.Testing.CrmExports;
using SalesFlow.Tests.Serialization;

namespace SalesFlow.Tests.Import;

public sealed class ImportMappingTests
{
    [Fact]
    public void Load_DocsExamples_LoadAndAreTheGeneratorsMappings()
    {
        var doc = File.ReadAllText(PipelineJsonTests.RepoFile("docs", "import.md")).ReplaceLineEndings("\n");
        var examples = Regex.Matches(doc, "```json\n(.*?)\n```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();

        examples.Should().HaveCount(2);
        var mappings = examples.Select(e => ImportMapping.Load(e)).ToList();
        mappings.Should().AllSatisfy(m => m.Diagnostics.Should().BeEmpty());
        mappings.Select(m => m.Mapping!.Shape).Should().Equal(ExportShape.Snapshot, ExportShape.History);
        examples[0].Should().Be(CrmExportGenerator.SnapshotMapping.ReplaceLineEndings("\n"));
        examples[1].Should().Be(CrmExportGenerator.HistoryMapping.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Schema_ShippedFile_IsTheEmbeddedSchema()
    {
        var file = File.ReadAllText(PipelineJsonTests.RepoFile("pipelines", "import-mapping.schema.json"));

        ImportMapping.Schema.ReplaceLineEndings("\n").Should().Be(file.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Load_HistoryExample_ReadsEverySetting()
    {
        var mapping = ImportMapping.Parse(CrmExportGenerator.HistoryMapping);

        mapping.Shape.Should().Be(ExportShape.History);
        mapping.Source.Should().Be("pipedrive");
        mapping.PipelineId.Should().Be(CrmExportGenerator.PipelineId);
        mapping.DealIdColumn.Should().Be("Deal ID");
        mapping.ChangedAtColumn.Should().Be("Changed At");
        mapping.CreatedColumn.Should().BeNull();
        mapping.Attributes.Should().Equal(new Dictionary<string, string> { ["product"] = "Product" });
        mapping.Stages["CLOSED won"].Should().Be("won", "stage names are compared ignoring case");
        mapping.WonStages.Should().Equal("Closed Won", "Won - Signed");
        mapping.DateFormats.Should().Equal("d.M.yyyy H:mm", "d.M.yyyy");
        mapping.TimeZone.Should().Be(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        decimal.Parse("1.234,5", NumberStyles.Number, mapping.NumberFormat).Should().Be(1234.5m);
        mapping.Delimiter.Should().Be(';');
    }

    [Fact]
    public void Load_Minimal_UsesTheDocumentedDefaults()
    {
        var mapping = ImportMapping.Parse("""{ "shape": "snapshot", "columns": { "dealId": "Id", "stage": "Stage", "created": "Created" }, "stages": {} }""");

        mapping.Source.Should().Be("csv");
        mapping.DateFormats.Should().BeEmpty();
        mapping.TimeZone.Should().Be(TimeZoneInfo.Utc);
        mapping.NumberFormat.NumberDecimalSeparator.Should().Be(".");
        mapping.Delimiter.Should().Be(',');
        mapping.Attributes.Should().BeEmpty();
    }

    [Fact]
    public void Load_Utf8WithByteOrderMark_Loads()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(CrmExportGenerator.SnapshotMapping)).ToArray();

        ImportMapping.Load(bytes).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Load_MalformedJson_ReportsLineAndColumn()
    {
        var result = ImportMapping.Load("{\n  \"shape\": \"snapshot\",\n  \"columns\": { \"dealId\": }\n}");

        result.Succeeded.Should().BeFalse();
        var diagnostic = result.Diagnostics.Should().ContainSingle().Which;
        diagnostic.Code.Should().Be("SF0001");
        diagnostic.Location!.Line.Should().Be(3);
    }

    [Fact]
    public void Load_SnapshotWithoutCreatedColumn_IsASchemaViolationAtTheColumns()
    {
        var result = ImportMapping.Load("{\n  \"shape\": \"snapshot\",\n  \"columns\": { \"dealId\": \"Id\", \"stage\": \"Stage\", \"changedAt\": \"When\" },\n  \"stages\": {}\n}");

        result.Succeeded.Should().BeFalse();
        result.Diagnostics.Should().OnlyContain(d => d.Code == "SF0002");
        result.Diagnostics.Should().Contain(d => d.Location!.JsonPointer == "/columns" && d.Location.Line == 3 && d.Location.Column == 14);
    }

    [Fact]
    public void Load_HistoryWithSnapshotColumns_IsASchemaViolation()
    {
        var result = ImportMapping.Load("""{ "shape": "history", "columns": { "dealId": "Id", "stage": "S", "changedAt": "At", "closed": "Closed" }, "stages": {} }""");

        result.Succeeded.Should().BeFalse();
        result.Diagnostics.Should().OnlyContain(d => d.Code == "SF0002" && d.Location!.JsonPointer == "/columns");
    }

    [Fact]
    public void Load_UnknownPropertyAndShape_AreSchemaViolations()
    {
        var result = ImportMapping.Load("""{ "shape": "ledger", "columns": { "dealId": "Id", "stage": "S" }, "stages": {}, "colums": {} }""");

        result.Diagnostics.Select(d => d.Location!.JsonPointer).Should().Contain(["/shape", "/colums"]);
        FluentActions.Invoking(() => ImportMapping.Parse("""{ "shape": "ledger" }""")).Should().Throw<ImportMappingException>().WithMessage("*SF0002*");
    }

    [Theory]
    [InlineData("\"dates\": { \"timeZone\": \"Mars/Olympus_Mons\" }", "SF6001", "/dates/timeZone")]
    [InlineData("\"numbers\": { \"culture\": \"xx-NOPE\" }", "SF6002", "/numbers/culture")]
    [InlineData("\"dates\": { \"formats\": [\"M/d/yyyy\", \"Q\"] }", "SF6003", "/dates/formats/1")]
    [InlineData("\"won\": [\"Done\"], \"lost\": [\"x\", \"done\"]", "SF6004", "/lost/1")]
    [InlineData("\"numbers\": { \"decimalSeparator\": \",\" }", "SF6006", "/numbers")]
    public void Load_ValueThatCannotBeUsed_ReportsItsCodeAndPlace(string setting, string code, string pointer)
    {
        var json = "{ \"shape\": \"snapshot\", \"columns\": { \"dealId\": \"Id\", \"stage\": \"S\", \"created\": \"C\" }, \"stages\": {},\n  " + setting + " }";

        var result = ImportMapping.Load(json);

        result.Succeeded.Should().BeFalse();
        var diagnostic = result.Diagnostics.Should().ContainSingle().Which;
        diagnostic.Code.Should().Be(code);
        diagnostic.Location!.JsonPointer.Should().Be(pointer);
        diagnostic.Location.Line.Should().Be(2);
    }

    [Theory]
    [InlineData("crm-cloud", "CRM Cloud")]
    [InlineData("  CRM  cloud", "CRM Cloud")]
    [InlineData("Cloud CRM", "CRM Cloud")]
    [InlineData("cloud_crm", "CRM Cloud")]
    [InlineData("DataConnector", "Data Connector")]
    [InlineData("Data Connector Pro", "Data Connector Pro")]
    [InlineData("---", "---")]
    public void CanonicalValue_SpellingOfAKnownValue_IsTheCanonicalValue(string written, string stored)
    {
        var mapping = ImportMapping.Parse("""
            { "shape": "snapshot", "columns": { "dealId": "Id", "stage": "Stage", "created": "Created", "attributes": { "product": "Product", "region": "Region" } },
              "stages": {}, "values": { "product": { "CRM Cloud": ["Cloud CRM"], "Data Connector": [] } } }
            """);

        mapping.CanonicalValue("product", written).Should().Be(stored);
        mapping.CanonicalValue("region", "crm-cloud").Should().Be("crm-cloud", "region has no canonical values");
        mapping.AttributeValues["product"].Keys.Should().BeEquivalentTo(["CRM Cloud", "Data Connector"]);
        mapping.AttributeValues["product"]["CRM Cloud"].Should().Equal("Cloud CRM");
    }

    [Fact]
    public void CanonicalValue_SpellingLongerThanTheStackBuffer_IsFoldedTheSameWay()
    {
        var mapping = ImportMapping.Parse("""
            { "shape": "snapshot", "columns": { "dealId": "Id", "stage": "Stage", "created": "Created", "attributes": { "product": "Product" } },
              "stages": {}, "values": { "product": { "CRM Cloud": [] } } }
            """);
        var padded = "crm" + new string(' ', 400) + "CLOUD";
        var unknown = new string('x', 400);

        mapping.CanonicalValue("product", padded).Should().Be("CRM Cloud");
        mapping.CanonicalValue("product", unknown).Should().BeSameAs(unknown, "a spelling the mapping does not know is stored as written");
    }

    [Fact]
    public void Load_ValuesOfAnUnmappedAttributeAndAmbiguousSpellings_ReportsBothWithTheirPlaces()
    {
        var result = ImportMapping.Load("""
            {
              "shape": "snapshot",
              "columns": { "dealId": "Id", "stage": "Stage", "created": "Created", "attributes": { "product": "Product" } },
              "stages": {},
              "values": {
                "product": { "CRM Cloud": ["Suite"], "Analytics Suite": ["suite", "crm-cloud"] },
                "region": { "EMEA": [] }
              }
            }
            """);

        result.Succeeded.Should().BeFalse();
        result.Diagnostics.Select(d => (d.Code, d.Location!.JsonPointer, d.Location.Line)).Should().Equal(
            ("SF6008", "/values/product/Analytics Suite/0", 6),
            ("SF6008", "/values/product/Analytics Suite/1", 6),
            ("SF6007", "/values/region", 7));
        result.Diagnostics[0].Message.Should().Contain("\"CRM Cloud\"").And.Contain("\"Analytics Suite\"");
    }

    [Fact]
    public void Load_StageNamedTwiceInOtherCase_IsReported()
    {
        var result = ImportMapping.Load("""{ "shape": "snapshot", "columns": { "dealId": "Id", "stage": "S", "created": "C" }, "stages": { "Won": "won", "WON ": "won" } }""");

        result.Diagnostics.Should().ContainSingle().Which.Code.Should().Be("SF6005");
    }

    [Fact]
    public void Load_WindowsTimeZoneId_IsAccepted()
    {
        var mapping = ImportMapping.Parse("""{ "shape": "snapshot", "columns": { "dealId": "Id", "stage": "S", "created": "C" }, "stages": {}, "dates": { "timeZone": "W. Europe Standard Time" } }""");

        mapping.TimeZone.GetUtcOffset(new DateTime(2024, 1, 15)).Should().Be(TimeSpan.FromHours(1));
    }
}
