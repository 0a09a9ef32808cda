using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Samples.CrmApi.Tests.Support;

namespace SalesFlow.Samples.CrmApi.Tests;

/// <summary>The host as a whole: OpenAPI, health, static board, demo seed, store configuration, telemetry and logs.</summary>
public sealed class ProgramTests
{
    [Fact]
    public async Task OpenApi_Document_ListsEveryEndpoint()
    {
        await using var factory = new CrmApiFactory();
        var client = factory.CreateClient();

        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;

        var paths = document["paths"]!.AsObject();
        paths.Select(p => p.Key).Should().BeEquivalentTo(
            "/api/pipelines", "/api/pipelines/{pipelineId}", "/api/pipelines/{pipelineId}/graph",
            "/api/deals", "/api/deals/{dealId}", "/api/deals/{dealId}/history", "/api/deals/{dealId}/moves", "/api/deals/{dealId}/fire",
            "/api/deals/{dealId}/activities", "/api/deals/{dealId}/checklist/{itemId}",
            "/api/reports/{pipelineId}/funnel", "/api/reports/{pipelineId}/stages", "/api/reports/{pipelineId}/flow",
            "/api/reports/{pipelineId}/outcomes", "/api/reports/{pipelineId}/owners", "/api/reports/{pipelineId}/idle",
            "/api/import");
        paths["/api/deals/{dealId}/fire"]!["post"]!["responses"]!.AsObject().Select(r => r.Key)
            .Should().Contain(["200", "400", "403", "404", "409", "412", "422"]);
    }

    [Fact]
    public async Task Health_StoreAnswers_ReportsHealthyWithTheStore()
    {
        await using var factory = new CrmApiFactory();
        var client = factory.CreateClient();

        var response = await client.GetAsync("/health");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var health = await response.JsonAsync();
        health["status"]!.GetValue<string>().Should().Be(nameof(HealthStatus.Healthy));
        health["checks"]!["store"]!["data"]!["store"]!.GetValue<string>().Should().Be("SqliteDealStore");
        File.Exists(factory.DatabaseFile).Should().BeTrue();
    }

    [Fact]
    public async Task Health_StoreBroken_Returns503()
    {
        await using var factory = new CrmApiFactory(new Dictionary<string, string?> { ["SalesFlow:Sqlite:DataSource"] = Path.GetTempPath() });
        var client = factory.CreateClient();

        var response = await client.GetAsync("/health");

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await response.JsonAsync())["checks"]!["store"]!["status"]!.GetValue<string>().Should().Be(nameof(HealthStatus.Unhealthy));
    }

    [Fact]
    public async Task Board_Root_ServesTheBoardPageAndItsScript()
    {
        await using var factory = new CrmApiFactory();
        var client = factory.CreateClient();

        var page = await client.GetStringAsync("/");
        var script = await client.GetAsync("/board.js");

        page.Should().Contain("<main id=\"board\"").And.Contain("board.js").And.NotContain("http");
        script.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DemoSeed_On_SeedsDealsOnceIntoAnEmptyStore()
    {
        var settings = new Dictionary<string, string?> { ["SalesFlow:Demo:Seed"] = "true" };
        await using var factory = new CrmApiFactory(settings);
        var client = factory.CreateClient();
        var first = await (await client.GetAsync("/api/deals")).JsonAsync();

        first["items"]!.AsArray().Select(d => d!["pipelineId"]!.GetValue<string>()).Distinct().Should().BeEquivalentTo(SalesPipelines.All.Select(p => p.Id));
        var demo = factory.Services.GetRequiredService<IEnumerable<Microsoft.Extensions.Hosting.IHostedService>>().OfType<Hosting.DemoDeals>().Single();
        await demo.StartAsync(CancellationToken.None);
        var second = await (await client.GetAsync("/api/deals")).JsonAsync();
        second["items"]!.AsArray().Count.Should().Be(first["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task DemoSeed_Off_LeavesTheStoreEmpty()
    {
        await using var factory = new CrmApiFactory();
        var client = factory.CreateClient();

        (await (await client.GetAsync("/api/deals")).JsonAsync())["items"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public void Store_UnknownKind_FailsAtStartNamingTheChoices()
    {
        using var factory = new CrmApiFactory(new Dictionary<string, string?> { ["SalesFlow:Store"] = "oracle" });

        var start = () => factory.CreateClient();

        start.Should().Throw<InvalidOperationException>().WithMessage("*'sqlite' or 'postgresql'*oracle*");
    }

    [Fact]
    public async Task Telemetry_AMove_IsTracedAndCountedThroughOpenTelemetry()
    {
        var activities = new List<Activity>();
        var metrics = new List<Metric>();
        await using var factory = new CrmApiFactory(services: s => s
            .ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(activities))
            .ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics)));
        var client = factory.CreateClient();
        await client.StartAsync("walk-in-1");

        await client.FireAsync("walk-in-1", new { trigger = RetailTriggers.ShowsCuriosity });
        factory.Services.GetRequiredService<MeterProvider>().ForceFlush();

        activities.Select(a => a.OperationName).Should().Contain([SalesFlowDiagnostics.StartActivityName, SalesFlowDiagnostics.MoveActivityName]);
        metrics.Select(m => m.Name).Should().Contain(SalesFlowDiagnostics.MovesInstrument);
    }

    [Fact]
    public async Task Logs_WritesWithPersonalData_NeverCarryIt()
    {
        const string Personal = "Jane Q. Customer +1-555-0100";
        await using var factory = new CrmApiFactory(services: s => s.AddLogging(l => l.AddFakeLogging()));
        var client = factory.CreateClient();
        await client.StartAsync("walk-in-1", extra: new { note = Personal, owner = "floor-team" });
        await client.FireAsync("walk-in-1", new { trigger = RetailTriggers.QuotePrice, note = Personal });
        await client.FireAsync("walk-in-1", new { trigger = RetailTriggers.ShowsCuriosity, note = Personal, reason = Personal });
        await client.PostAsync("/api/deals/walk-in-1/activities", System.Net.Http.Json.JsonContent.Create(new { note = Personal }));

        var logs = factory.Services.GetFakeLogCollector().GetSnapshot();

        logs.Should().Contain(r => r.Category == "SalesFlow.Engine", "the engine logs every write");
        logs.Should().NotContain(r => r.Message.Contains("Jane", StringComparison.Ordinal) || (r.StructuredState != null && r.StructuredState.Any(p => (p.Value ?? "").Contains("Jane", StringComparison.Ordinal))));
    }
}
