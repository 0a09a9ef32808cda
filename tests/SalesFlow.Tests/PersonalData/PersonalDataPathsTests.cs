using SalesFlow.Pipelines;
using System.Text.Json;
using Microsoft.Extensions.Compliance.Classification;

namespace SalesFlow.Tests.PersonalData;

public class PersonalDataPathsTests
{
    private const string JsonPipeline = """
        {
          "format": 1, "id": "contacts", "version": 1,
          "dataMembers": [
            { "path": "contact.name", "personal": true },
            { "path": "contacts[].email", "personal": true },
            { "path": "region", "personal": false }
          ],
          "stages": [ { "id": "open" }, { "id": "won", "kind": "won" }, { "id": "lost", "kind": "lost" } ],
          "transitions": [ { "trigger": "win", "from": "open", "to": "won" }, { "trigger": "lose", "from": "open", "to": "lost" } ]
        }
        """;

    [Fact]
    public void PersonalDataPaths_SevenStepB2B_ListsTheMarkedMembers()
    {
        var paths = SalesPipelines.SevenStepB2B().PersonalDataPaths;

        paths.Should().BeEquivalentTo("NeedsQuestions[].Answer", "ConfirmedUnderstanding", "DecisionMakers", "CustomerFile");
    }

    [Fact]
    public void PersonalDataPaths_ShowroomAndRetail_ListTheirMarkedMembers()
    {
        SalesPipelines.Showroom().PersonalDataPaths.Should().Equal("CustomerNeeds");
        SalesPipelines.RetailFloor().PersonalDataPaths.Should().BeEmpty("a retail visit records pieces shown, nothing about the person");
    }

    [Fact]
    public void PersonalDataPaths_JsonDataMembers_ListsThoseMarkedPersonal()
    {
        var pipeline = PipelineJson.Parse(JsonPipeline);

        pipeline.PersonalDataPaths.Should().Equal("contact.name", "contacts[].email");
    }

    [Fact]
    public void Export_JsonDataMembers_RoundTrips()
    {
        var pipeline = PipelineJson.Parse(JsonPipeline);

        var again = PipelineJson.Parse(PipelineJson.Export(pipeline));

        again.PersonalDataPaths.Should().Equal(pipeline.PersonalDataPaths);
        PipelineJson.Export(SalesPipelines.SevenStepB2B()).Should().NotContain("dataMembers", "members the data type marks are not repeated in the JSON");
    }

    [Fact]
    public void Load_PersonalPathNotInTypedData_ReportsUnknownDataPath()
    {
        var json = """
            {
              "format": 1, "id": "b2b-copy", "version": 1, "dataType": "b2b-deal",
              "dataMembers": [ { "path": "CustomerFile.Nickname", "personal": true } ],
              "stages": [ { "id": "open" }, { "id": "won", "kind": "won" }, { "id": "lost", "kind": "lost" } ],
              "transitions": [ { "trigger": "win", "from": "open", "to": "won" }, { "trigger": "lose", "from": "open", "to": "lost" } ]
            }
            """;

        var result = PipelineJson.Load(json);

        result.Succeeded.Should().BeFalse();
        result.Diagnostics.Should().Contain(d => d.IsError && d.Location!.JsonPointer == "/dataMembers/0/path" && d.Message.Contains("Nickname", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_DataMemberWithUnknownProperty_ReportsSchemaViolation()
    {
        var json = JsonPipeline.Replace("\"personal\": false", "\"secret\": true", StringComparison.Ordinal);

        var result = PipelineJson.Load(json);

        result.Succeeded.Should().BeFalse();
        result.Diagnostics.Should().Contain(d => d.IsError && d.Location!.JsonPointer.StartsWith("/dataMembers/2", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_PipelinesJsonDocExample_ListsItsPersonalMembers()
    {
        var doc = File.ReadAllText(SalesFlow.Tests.Serialization.PipelineJsonTests.RepoFile("docs", "pipelines-json.md")).ReplaceLineEndings("\n");
        var section = doc[doc.IndexOf("## Personal data", StringComparison.Ordinal)..];
        var json = section[(section.IndexOf("```json\n", StringComparison.Ordinal) + 8)..section.IndexOf("\n```\n", StringComparison.Ordinal)];

        var pipeline = PipelineJson.Parse(json);

        pipeline.PersonalDataPaths.Should().Equal("contact.name", "contact.email", "attendees[].phone");
    }

    [Fact]
    public void PersonalData_BuilderPaths_JoinTheMarkedOnesAndRoundTrip()
    {
        var pipeline = PipelineBuilder.Create<HostData>("host", 1)
            .PersonalData("Region")
            .PersonalData("Phone")
            .Stage("open", s => s.Name("Open"))
            .Stage("won", s => s.Won())
            .Stage("lost", s => s.Lost())
            .Transition("win", from: "open", to: "won")
            .Transition("lose", from: "open", to: "lost")
            .Build();

        pipeline.PersonalDataPaths.Should().Equal("Phone", "Contact.Email", "Unclassified.Street", "Region");
        var json = PipelineJson.Export(pipeline);
        json.Should().Contain("\"Region\"").And.NotContain("\"Phone\"", "a member the type marks is not repeated");
    }

    [Fact]
    public void PersonalData_BuilderPathNotInTheType_FailsTheBuild()
    {
        var builder = PipelineBuilder.Create<HostData>("host", 1)
            .PersonalData("Contact.Fax")
            .Stage("open", s => s.Name("Open"))
            .Stage("won", s => s.Won())
            .Transition("win", from: "open", to: "won");

        builder.Invoking(b => b.PersonalData(" ")).Should().Throw<ArgumentException>();
        builder.Invoking(b => b.Build()).Should().Throw<PipelineDefinitionException>().WithMessage("*Contact.Fax*");
    }

    [Fact]
    public void PersonalDataPaths_OtherTaxonomyOrPositionalRecord_CountsAsPersonal()
    {
        var pipeline = PipelineBuilder.Create<HostData>("host", 1)
            .Stage("open", s => s.Name("Open"))
            .Stage("won", s => s.Won())
            .Stage("lost", s => s.Lost())
            .Transition("win", from: "open", to: "won")
            .Transition("lose", from: "open", to: "lost")
            .Build();

        pipeline.PersonalDataPaths.Should().Equal("Phone", "Contact.Email", "Unclassified.Street");
    }

    private sealed class HostTaxonomyAttribute() : DataClassificationAttribute(new DataClassification("Host", "Pii"));

    private sealed class NotPersonalAttribute() : DataClassificationAttribute(DataClassification.None);

    private sealed record HostData
    {
        [HostTaxonomy]
        public string? Phone { get; init; }

        public ContactInfo Contact { get; init; } = new(null);

        public Address Unclassified { get; init; } = new();

        [NotPersonal]
        public string? Region { get; init; }
    }

    private sealed record ContactInfo([PersonalData] string? Email);

    private sealed record Address
    {
        [PersonalData]
        public string? Street { get; init; }
    }
}
