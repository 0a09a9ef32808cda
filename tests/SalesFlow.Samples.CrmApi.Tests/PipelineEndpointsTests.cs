using System.Net;
using System.Text.Json.Nodes;
using SalesFlow.Pipelines;
using SalesFlow.Samples.CrmApi.Tests.Support;

namespace SalesFlow.Samples.CrmApi.Tests;

public sealed class PipelineEndpointsTests : ApiTests
{
    [Fact]
    public async Task List_ReturnsEveryBuiltInPipelineWithItsStagesInOrder()
    {
        var pipelines = await (await Client.GetAsync("/api/pipelines")).JsonArrayAsync();

        pipelines.Select(p => p!["id"]!.GetValue<string>()).Should().BeEquivalentTo(SalesPipelines.All.Select(p => p.Id));
        var retail = pipelines.Single(p => p!["id"]!.GetValue<string>() == SalesPipelines.RetailFloorId)!;
        retail["stages"]!.AsArray().Select(s => s!["id"]!.GetValue<string>())
            .Should().Equal(SalesPipelines.RetailFloor().Stages.OrderBy(s => s.Order).Select(s => s.Id));
    }

    [Fact]
    public async Task Definition_BuiltInPipeline_ReturnsItsJsonExport()
    {
        var response = await Client.GetAsync($"/api/pipelines/{SalesPipelines.SevenStepB2BId}");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.ContentType()!.MediaType.Should().Be("application/json");
        (await response.Content.ReadAsStringAsync()).Should().Be(PipelineJson.Export(SalesPipelines.SevenStepB2B()));
    }

    [Fact]
    public async Task Definition_UnknownPipeline_Returns404ProblemDetails()
    {
        var response = await Client.GetAsync("/api/pipelines/no-such-pipeline");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.JsonAsync())["pipelineId"]!.GetValue<string>().Should().Be("no-such-pipeline");
    }

    [Fact]
    public async Task Definition_UnknownVersion_Returns404()
    {
        (await Client.GetAsync($"/api/pipelines/{SalesPipelines.RetailFloorId}?version=99")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Graph_DefaultFormat_ReturnsThePipelinesMermaid()
    {
        var response = await Client.GetAsync($"/api/pipelines/{SalesPipelines.RetailFloorId}/graph");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be(SalesPipelines.RetailFloor().ToMermaid());
    }

    [Fact]
    public async Task Graph_Dot_ReturnsThePipelinesDot()
    {
        var response = await Client.GetAsync($"/api/pipelines/{SalesPipelines.ShowroomId}/graph?format=dot");

        response.ContentType()!.MediaType.Should().Be("text/vnd.graphviz");
        (await response.Content.ReadAsStringAsync()).Should().Be(SalesPipelines.Showroom().ToDot());
    }

    [Fact]
    public async Task Graph_UnknownFormat_Returns400()
    {
        var response = await Client.GetAsync($"/api/pipelines/{SalesPipelines.RetailFloorId}/graph?format=png");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync())["errors"]!["format"].Should().NotBeNull();
    }

    [Fact]
    public async Task Graph_UnknownPipeline_Returns404()
    {
        (await Client.GetAsync("/api/pipelines/nope/graph")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
