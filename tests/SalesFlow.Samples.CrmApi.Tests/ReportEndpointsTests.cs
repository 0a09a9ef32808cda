using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Samples.CrmApi.Tests.Support;

namespace SalesFlow.Samples.CrmApi.Tests;

public sealed class ReportEndpointsTests : ApiTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var (id, owner) in new[] { ("w1", "ann"), ("w2", "ann"), ("w3", "bob") })
        {
            await Client.StartAsync(id, extra: new { owner, amount = 500 });
        }

        await Client.FireAsync("w1", new { trigger = RetailTriggers.ShowsCuriosity });
        await Client.FireAsync("w1", new { trigger = RetailTriggers.Purchase });
        await Client.FireAsync("w2", new { trigger = RetailTriggers.WalkAway });
    }

    [Fact]
    public async Task Reports_EveryReport_EqualsTheInMemoryReferenceOverTheSameStore()
    {
        var engine = Factory.Services.GetRequiredService<SalesFlowEngine>();
        var reference = new SalesReports(engine.Pipelines, engine.Store);
        var request = new ReportRequest(SalesPipelines.RetailFloorId, ReportWindow.All);
        var expected = new Dictionary<string, object>
        {
            ["funnel"] = await reference.FunnelAsync(request, FunnelMode.Touched),
            ["flow"] = await reference.FlowAsync(request),
            ["outcomes"] = await reference.OutcomesAsync(request),
            ["owners"] = await reference.BreakdownAsync(request, DealGrouping.ByOwner, 10),
        };

        foreach (var (name, report) in expected)
        {
            var actual = JsonNode.Parse(await Client.GetStringAsync($"/api/reports/{SalesPipelines.RetailFloorId}/{name}"));
            JsonNode.DeepEquals(actual, JsonSerializer.SerializeToNode(report, report.GetType(), Web)).Should().BeTrue(name + " should equal the reference");
        }
    }

    [Fact]
    public async Task Stages_Entries_EqualTheInMemoryReference()
    {
        // Current stays are measured up to "now", which moves between the two reads: entries per stage do not.
        var engine = Factory.Services.GetRequiredService<SalesFlowEngine>();
        var expected = await new SalesReports(engine.Pipelines, engine.Store).TimeInStageAsync(new ReportRequest(SalesPipelines.RetailFloorId, ReportWindow.All));

        var actual = JsonNode.Parse(await Client.GetStringAsync($"/api/reports/{SalesPipelines.RetailFloorId}/stages"))!;

        actual["stages"]!.AsArray().Select(s => (s!["stageId"]!.GetValue<string>(), s["entries"]!.GetValue<int>()))
            .Should().Equal(expected.Stages.Select(s => (s.StageId, s.Entries)));
    }

    [Fact]
    public async Task Outcomes_AfterOneWinAndOneLoss_CountsBoth()
    {
        var outcomes = JsonNode.Parse(await Client.GetStringAsync($"/api/reports/{SalesPipelines.RetailFloorId}/outcomes"))!;

        outcomes["won"]!.GetValue<int>().Should().Be(1);
        outcomes["lost"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task Owners_TopOne_ReturnsOneRow()
    {
        var owners = JsonNode.Parse(await Client.GetStringAsync($"/api/reports/{SalesPipelines.RetailFloorId}/owners?top=1"))!;

        owners["rows"]!.AsArray().Should().ContainSingle().Which!["key"]!.GetValue<string>().Should().Be("ann");
    }

    [Fact]
    public async Task Idle_Pipeline_ReturnsTheIdleReport()
    {
        var response = await Client.GetAsync($"/api/reports/{SalesPipelines.RetailFloorId}/idle");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.JsonAsync())["pipelineId"]!.GetValue<string>().Should().Be(SalesPipelines.RetailFloorId);
    }

    [Fact]
    public async Task Funnel_WindowBeforeEveryStart_CountsNoDeal()
    {
        var funnel = JsonNode.Parse(await Client.GetStringAsync($"/api/reports/{SalesPipelines.RetailFloorId}/funnel?mode=strict&from=2000-01-01T00:00:00Z&to=2000-02-01T00:00:00Z"))!;

        funnel["bars"]!.AsArray().Sum(b => b!["count"]!.GetValue<int>()).Should().Be(0);
    }

    [Theory]
    [InlineData("funnel?mode=sideways", "mode")]
    [InlineData("owners?top=0", "top")]
    [InlineData("flow?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    public async Task Report_BadQuery_Returns400NamingTheParameter(string query, string parameter)
    {
        var response = await Client.GetAsync($"/api/reports/{SalesPipelines.RetailFloorId}/{query}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync())["errors"]![parameter].Should().NotBeNull();
    }

    [Theory]
    [InlineData("funnel")]
    [InlineData("idle")]
    public async Task Report_UnknownPipeline_Returns404(string report)
    {
        (await Client.GetAsync($"/api/reports/nope/{report}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
