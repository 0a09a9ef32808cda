using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Samples.CrmApi.Tests.Support;

namespace SalesFlow.Samples.CrmApi.Tests;

public sealed class ImportEndpointsTests : ApiTests
{
    private const string Mapping = """
        {
          "shape": "snapshot",
          "source": "shop",
          "pipeline": "retail-four-stage",
          "columns": { "dealId": "Id", "stage": "Stage", "created": "Created", "closed": "Closed", "amount": "Amount", "owner": "Owner" },
          "stages": { "Browsing": "browsing", "Curious": "curious", "Bought": "purchased", "Left": "walked-away" },
          "won": ["Bought"],
          "lost": ["Left"],
          "dates": { "formats": ["yyyy-MM-dd"] }
        }
        """;

    private const string Csv = """
        Id,Stage,Created,Closed,Amount,Owner
        r-1,Browsing,2026-01-02,,100,ann
        r-2,Curious,2026-01-03,,abc,ann
        r-3,Bought,2026-01-04,2026-01-05,900,bob
        r-4,Teleported,2026-01-04,,10,bob
        """;

    [Fact]
    public async Task Import_CsvAndMapping_ReturnsTheSummaryAndEveryRejectedRowWithItsLine()
    {
        var response = await Client.PostAsync("/api/import", Form(Csv, Mapping));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var summary = await response.JsonAsync();
        summary["rowsRead"]!.GetValue<long>().Should().Be(4);
        summary["dealsImported"]!.GetValue<int>().Should().Be(2);
        summary["rejected"]!.AsArray().Select(r => (r!["line"]!.GetValue<long>(), r["dealId"]!.GetValue<string>())).Should().Equal((3L, "r-2"), (5L, "r-4"));
        var deal = await (await Client.GetAsync("/api/deals/r-3")).JsonAsync();
        deal["stageId"]!.GetValue<string>().Should().Be(RetailStages.Purchased);
    }

    [Fact]
    public async Task Import_SameFileTwice_ImportsNothingTheSecondTime()
    {
        await Client.PostAsync("/api/import", Form(Csv, Mapping));

        var second = await (await Client.PostAsync("/api/import", Form(Csv, Mapping))).JsonAsync();

        second["dealsImported"]!.GetValue<int>().Should().Be(0);
        second["dealsSkipped"]!.GetValue<int>().Should().Be(2);
    }

    [Fact]
    public async Task Import_MappingAsATextField_Works()
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(Csv)), "file", "export.csv" },
            { new StringContent(Mapping), "mapping" },
        };

        var response = await Client.PostAsync("/api/import", form);

        (await response.JsonAsync())["dealsImported"]!.GetValue<int>().Should().Be(2);
    }

    [Fact]
    public async Task Import_NoFileAndBadMapping_Returns400ListingBoth()
    {
        var form = new MultipartFormDataContent { { new StringContent("{ \"shape\": \"sideways\" }"), "mapping" } };

        var response = await Client.PostAsync("/api/import", form);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo("file", "mapping");
    }

    [Fact]
    public async Task Import_NotAForm_Returns415()
    {
        var response = await Client.PostAsync("/api/import", new StringContent(Csv, Encoding.UTF8, "text/csv"));

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Import_MappingForAnUnknownPipeline_Returns404()
    {
        var response = await Client.PostAsync("/api/import", Form(Csv, Mapping.Replace(SalesPipelines.RetailFloorId, "nope", StringComparison.Ordinal)));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private static MultipartFormDataContent Form(string csv, string mapping)
    {
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var map = new ByteArrayContent(Encoding.UTF8.GetBytes(mapping));
        map.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new MultipartFormDataContent { { file, "file", "export.csv" }, { map, "mapping", "mapping.json" } };
    }
}
