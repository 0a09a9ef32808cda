using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Samples.CrmApi.Http;
using SalesFlow.Samples.CrmApi.Tests.Support;

namespace SalesFlow.Samples.CrmApi.Tests;

/// <summary>
/// Tenants through the real host: the caller's tenant claim (the <c>X-Tenant</c> header under the development sign-in, the
/// token's <c>tenant</c> claim otherwise) selects the deals every route reads and writes.
/// </summary>
public sealed class CrmTenantTests : ApiTests
{
    private const string Acme = "acme";
    private const string Globex = "globex";

    private HttpClient TenantClient(string tenant) => TenantClient(Factory, tenant);

    private static HttpClient TenantClient(CrmApiFactory factory, string tenant)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add(CrmAuthentication.TenantHeader, tenant);
        return client;
    }

    [Fact]
    public async Task Deals_TwoTenantsStartTheSameDealId_EachMovesItsOwnDeal()
    {
        var acme = TenantClient(Acme);
        var globex = TenantClient(Globex);

        (await acme.StartAsync("walk-in-1", extra: new { amount = 100 })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await globex.StartAsync("walk-in-1", extra: new { amount = 900 })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await acme.FireAsync("walk-in-1", new { trigger = RetailTriggers.ShowsCuriosity })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await globex.FireAsync("walk-in-1", new { trigger = RetailTriggers.WalkAway })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await acme.FireAsync("walk-in-1", new { trigger = RetailTriggers.Purchase })).StatusCode.Should().Be(HttpStatusCode.OK);

        var acmeDeal = await (await acme.GetAsync("/api/deals/walk-in-1")).JsonAsync();
        var globexDeal = await (await globex.GetAsync("/api/deals/walk-in-1")).JsonAsync();
        (acmeDeal["stageId"]!.GetValue<string>(), acmeDeal["amount"]!.GetValue<decimal>(), acmeDeal["version"]!.GetValue<long>())
            .Should().Be((RetailStages.Purchased, 100m, 3L));
        (globexDeal["stageId"]!.GetValue<string>(), globexDeal["amount"]!.GetValue<decimal>(), globexDeal["version"]!.GetValue<long>())
            .Should().Be((RetailStages.WalkedAway, 900m, 2L));
        (await (await acme.GetAsync("/api/deals/walk-in-1/history")).JsonArrayAsync()).Should().HaveCount(3);
        (await (await globex.GetAsync("/api/deals/walk-in-1/history")).JsonArrayAsync()).Should().HaveCount(2);
        var stored = await Factory.Services.GetRequiredService<SalesFlowEngine>().ForTenant(Globex).GetAsync("walk-in-1");
        stored.TenantId.Should().Be(Globex);
    }

    [Fact]
    public async Task Routes_AnotherTenantsDeal_Return404OnEveryRouteAndChangeNothing()
    {
        var acme = TenantClient(Acme);
        var globex = TenantClient(Globex);
        (await globex.StartAsync("globex-only")).StatusCode.Should().Be(HttpStatusCode.Created);
        var item = SalesPipelines.RetailFloor().GetStage(RetailStages.Browsing).Checklist[0].Id;

        var responses = new Dictionary<string, HttpResponseMessage>
        {
            ["get"] = await acme.GetAsync("/api/deals/globex-only"),
            ["history"] = await acme.GetAsync("/api/deals/globex-only/history"),
            ["moves"] = await acme.GetAsync("/api/deals/globex-only/moves"),
            ["fire"] = await acme.FireAsync("globex-only", new { trigger = RetailTriggers.ShowsCuriosity }),
            ["fire with If-Match"] = await acme.FireAsync("globex-only", new { trigger = RetailTriggers.ShowsCuriosity }, ifMatch: "\"1\""),
            ["activities"] = await acme.PostAsJsonAsync("/api/deals/globex-only/activities", new { activity = "call", note = "hello" }),
            ["checklist"] = await acme.PostAsJsonAsync($"/api/deals/globex-only/checklist/{item}", new { note = "done" }),
        };

        foreach (var (route, response) in responses)
        {
            response.StatusCode.Should().Be(HttpStatusCode.NotFound, route);
            (await response.JsonAsync())["title"]!.GetValue<string>().Should().Be("Deal not found", route);
        }

        var deal = await (await globex.GetAsync("/api/deals/globex-only")).JsonAsync();
        (deal["stageId"]!.GetValue<string>(), deal["version"]!.GetValue<long>()).Should().Be((RetailStages.Browsing, 1L));
        (await acme.StartAsync("globex-only")).StatusCode.Should().Be(HttpStatusCode.Created, "the id is free in another tenant");
    }

    [Fact]
    public async Task ListsBoardAndReports_OfOneTenant_NeverShowAnotherTenantsDeals()
    {
        var acme = TenantClient(Acme);
        var globex = TenantClient(Globex);
        foreach (var id in new[] { "a-1", "a-2" })
        {
            await acme.StartAsync(id, extra: new { owner = "ann", amount = 100 });
        }

        await globex.StartAsync("g-1", extra: new { owner = "gus", amount = 5000 });
        await globex.FireAsync("g-1", new { trigger = RetailTriggers.ShowsCuriosity });
        await globex.FireAsync("g-1", new { trigger = RetailTriggers.Purchase });

        var list = await (await acme.GetAsync("/api/deals?limit=500")).JsonAsync();
        var board = await (await acme.GetAsync($"/api/deals?pipeline={SalesPipelines.RetailFloorId}&stage={RetailStages.Browsing}")).JsonAsync();
        var globexWon = await (await globex.GetAsync($"/api/deals?pipeline={SalesPipelines.RetailFloorId}&stage={RetailStages.Purchased}")).JsonAsync();
        var acmeWon = await (await acme.GetAsync($"/api/deals?pipeline={SalesPipelines.RetailFloorId}&stage={RetailStages.Purchased}")).JsonAsync();
        var acmeOutcomes = await (await acme.GetAsync($"/api/reports/{SalesPipelines.RetailFloorId}/outcomes")).JsonAsync();
        var globexOutcomes = await (await globex.GetAsync($"/api/reports/{SalesPipelines.RetailFloorId}/outcomes")).JsonAsync();
        var acmeFunnel = await (await acme.GetAsync($"/api/reports/{SalesPipelines.RetailFloorId}/funnel?mode=strict")).JsonAsync();
        var acmeOwners = await (await acme.GetAsync($"/api/reports/{SalesPipelines.RetailFloorId}/owners")).Content.ReadAsStringAsync();

        Ids(list).Should().Equal("a-1", "a-2");
        Ids(board).Should().Equal("a-1", "a-2");
        Ids(acmeWon).Should().BeEmpty();
        Ids(globexWon).Should().Equal("g-1");
        (acmeOutcomes["won"]!.GetValue<int>(), acmeOutcomes["wonValue"]!.GetValue<decimal>()).Should().Be((0, 0m));
        (globexOutcomes["won"]!.GetValue<int>(), globexOutcomes["wonValue"]!.GetValue<decimal>()).Should().Be((1, 5000m));
        acmeFunnel["bars"]![0]!["count"]!.GetValue<int>().Should().Be(2);
        acmeOwners.Should().Contain("ann").And.NotContain("gus");
    }

    [Fact]
    public async Task Import_IntoOneTenant_IsSeenByThatTenantOnly()
    {
        const string mapping = """
            { "shape": "snapshot", "source": "shop", "pipeline": "retail-four-stage",
              "columns": { "dealId": "Id", "stage": "Stage", "created": "Created", "closed": "Closed", "amount": "Amount", "owner": "Owner" },
              "stages": { "Browsing": "browsing", "Bought": "purchased" }, "won": ["Bought"], "dates": { "formats": ["yyyy-MM-dd"] } }
            """;
        const string csv = "Id,Stage,Created,Closed,Amount,Owner\nr-1,Browsing,2026-01-02,,100,ann\nr-3,Bought,2026-01-04,2026-01-05,900,bob\n";
        var acme = TenantClient(Acme);
        var globex = TenantClient(Globex);

        var first = await (await globex.PostAsync("/api/import", Form(csv, mapping))).JsonAsync();
        var other = await (await acme.PostAsync("/api/import", Form(csv, mapping))).JsonAsync();

        first["dealsImported"]!.GetValue<int>().Should().Be(2);
        other["dealsImported"]!.GetValue<int>().Should().Be(2, "the same ids are new in another tenant, not skipped");
        (await acme.FireAsync("r-1", new { trigger = RetailTriggers.WalkAway })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await globex.GetAsync("/api/deals/r-1")).JsonAsync())["stageId"]!.GetValue<string>().Should().Be(RetailStages.Browsing);
        (await Client.GetAsync("/api/deals/r-1")).StatusCode.Should().Be(HttpStatusCode.NotFound, "a caller without a tenant works on the default tenant");
    }

    [PostgresFact]
    public async Task Deals_TwoTenantsOnPostgreSql_EachSeesOnlyItsOwnDealsAndReports()
    {
        var connectionString = TestMachine.PostgresConnectionString
            ?? throw new InvalidOperationException($"CI=true but {TestMachine.PostgresVariable} is not set: source .ci/postgres.sh before the tests.");
        var schema = "crmapi_tenants_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            await using var factory = new CrmApiFactory(new Dictionary<string, string?>
            {
                ["SalesFlow:Store"] = "postgresql",
                ["ConnectionStrings:SalesFlow"] = connectionString,
                ["SalesFlow:PostgreSql:Schema"] = schema,
            });
            var acme = TenantClient(factory, Acme);
            var globex = TenantClient(factory, Globex);

            (await acme.StartAsync("walk-in-1", extra: new { amount = 100 })).StatusCode.Should().Be(HttpStatusCode.Created);
            (await globex.StartAsync("walk-in-1", extra: new { amount = 900 })).StatusCode.Should().Be(HttpStatusCode.Created);
            (await globex.StartAsync("globex-only")).StatusCode.Should().Be(HttpStatusCode.Created);
            (await globex.FireAsync("walk-in-1", new { trigger = RetailTriggers.ShowsCuriosity }, ifMatch: "\"1\"")).StatusCode.Should().Be(HttpStatusCode.OK);
            (await globex.FireAsync("walk-in-1", new { trigger = RetailTriggers.Purchase })).StatusCode.Should().Be(HttpStatusCode.OK);

            (await acme.GetAsync("/api/deals/globex-only")).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await acme.FireAsync("globex-only", new { trigger = RetailTriggers.ShowsCuriosity })).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await (await acme.GetAsync("/api/deals/walk-in-1")).JsonAsync())["stageId"]!.GetValue<string>().Should().Be(RetailStages.Browsing);
            Ids(await (await acme.GetAsync("/api/deals")).JsonAsync()).Should().Equal("walk-in-1");
            Ids(await (await globex.GetAsync("/api/deals")).JsonAsync()).Should().Equal("globex-only", "walk-in-1");
            var acmeFunnel = await (await acme.GetAsync($"/api/reports/{SalesPipelines.RetailFloorId}/funnel?mode=strict")).JsonAsync();
            var globexOutcomes = await (await globex.GetAsync($"/api/reports/{SalesPipelines.RetailFloorId}/outcomes")).JsonAsync();
            var acmeOutcomes = await (await acme.GetAsync($"/api/reports/{SalesPipelines.RetailFloorId}/outcomes")).JsonAsync();
            acmeFunnel["bars"]![0]!["count"]!.GetValue<int>().Should().Be(1);
            (globexOutcomes["won"]!.GetValue<int>(), globexOutcomes["wonValue"]!.GetValue<decimal>()).Should().Be((1, 900m));
            acmeOutcomes["won"]!.GetValue<int>().Should().Be(0);
        }
        finally
        {
            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task Start_WithoutATenantOnASingleTenantHost_WorksOnTheDefaultTenant()
    {
        (await Client.StartAsync("walk-in-1")).StatusCode.Should().Be(HttpStatusCode.Created);

        var engine = Factory.Services.GetRequiredService<SalesFlowEngine>();
        (await engine.GetAsync("walk-in-1")).TenantId.Should().Be(Tenants.Default);
        (await TenantClient(Acme).GetAsync("/api/deals/walk-in-1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Api_InvalidTenantHeader_Returns403WithoutEchoingIt()
    {
        var tenant = new string('t', Tenants.MaxIdLength + 1);

        var response = await TenantClient(tenant).GetAsync("/api/deals");

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var body = await response.Content.ReadAsStringAsync();
        body.Should().Contain("Tenant not valid").And.NotContain(tenant);
    }

    [Fact]
    public async Task Endpoints_UnderApi_TakeTheCallersTenantNeverTheHostsEngineOrStore()
    {
        var endpoints = Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .Select(e => (Route: e.RoutePattern.RawText!, Handler: e.Metadata.GetMetadata<MethodInfo>()))
            .ToList();

        endpoints.Should().HaveCountGreaterThan(15);
        foreach (var (route, handler) in endpoints)
        {
            handler.Should().NotBeNull(route);
            var types = handler!.GetParameters().Select(p => p.ParameterType).ToList();
            types.Should().NotContain(t => t == typeof(SalesFlowEngine) || typeof(IDealStore).IsAssignableFrom(t) || typeof(IDealReports).IsAssignableFrom(t), route);
            if (!route.StartsWith("/api/pipelines", StringComparison.Ordinal))
            {
                types.Should().Contain(typeof(CrmTenant), route);
            }
        }
    }

    [Fact]
    public void TenantId_ClaimsOfAUser_ChooseTheTenantOrRefuse()
    {
        static ClaimsPrincipal User(params string[] tenants) =>
            new(new ClaimsIdentity([new Claim("name", "mia"), .. tenants.Select(t => new Claim("org", t))], "test"));
        var single = new CrmTenancyOptions { ClaimType = "org" };
        var multi = new CrmTenancyOptions { ClaimType = "org", Required = true };

        CrmTenant.TenantId(User("acme"), multi).Should().Be("acme");
        CrmTenant.TenantId(User("acme", "acme"), multi).Should().Be("acme");
        CrmTenant.TenantId(User(), single).Should().Be(Tenants.Default);
        CrmTenant.TenantId(null, single).Should().Be(Tenants.Default);
        FluentActions.Invoking(() => CrmTenant.TenantId(User(), multi)).Should().Throw<TenantClaimException>().Which.Title.Should().Be("Tenant required");
        FluentActions.Invoking(() => CrmTenant.TenantId(User("acme", "globex"), single)).Should().Throw<TenantClaimException>().Which.Title.Should().Be("Tenant ambiguous");
        FluentActions.Invoking(() => CrmTenant.TenantId(User(""), single)).Should().Throw<TenantClaimException>().Which.Title.Should().Be("Tenant not valid");
    }

    private static List<string> Ids(System.Text.Json.Nodes.JsonObject page) =>
        [.. page["items"]!.AsArray().Select(d => d!["id"]!.GetValue<string>())];

    private static MultipartFormDataContent Form(string csv, string mapping)
    {
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent { { file, "file", "export.csv" }, { new StringContent(mapping), "mapping" } };
    }
}
