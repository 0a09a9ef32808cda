using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Samples.CrmApi.Tests.Support;

namespace SalesFlow.Samples.CrmApi.Tests;

/// <summary>Tenants wired into a multi-tenant host (<c>Tenants:Required</c>) signing callers in with JWT: every <c>/api</c> route needs the token's tenant claim.</summary>
public sealed class CrmTenancyTests : IAsyncLifetime
{
    private const string Key = "a-test-signing-key-of-at-least-32-bytes!";

    private readonly CrmApiFactory _factory = new(new Dictionary<string, string?>
    {
        ["Authentication:Headers:Enabled"] = "false",
        ["Authentication:Jwt:SigningKey"] = Key,
        ["Tenants:Required"] = "true",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Theory]
    [InlineData("/api/deals")]
    [InlineData("/api/deals/walk-in-1")]
    [InlineData("/api/pipelines")]
    [InlineData("/api/reports/retail-four-stage/outcomes")]
    public async Task Api_TokenWithoutATenantClaim_Returns403ProblemDetails(string route)
    {
        var client = Client(tenants: []);

        var response = await client.GetAsync(route);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.ContentType()!.MediaType.Should().Be("application/problem+json");
        var problem = await response.JsonAsync();
        problem["title"]!.GetValue<string>().Should().Be("Tenant required");
        problem["detail"]!.GetValue<string>().Should().Contain("'tenant' claim");
    }

    [Fact]
    public async Task Start_TokenWithoutATenantClaim_Returns403AndSavesNothing()
    {
        var response = await Client(tenants: []).StartAsync("walk-in-1");

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await _factory.Services.GetRequiredService<SalesFlowEngine>().Store.GetAsync("walk-in-1")).Should().BeNull();
    }

    [Fact]
    public async Task Deals_TokensOfTwoTenants_EachSeeTheirOwnDeal()
    {
        var acme = Client(tenants: ["acme"]);
        var globex = Client(tenants: ["globex"]);

        (await acme.StartAsync("walk-in-1")).StatusCode.Should().Be(HttpStatusCode.Created);
        (await acme.FireAsync("walk-in-1", new { trigger = RetailTriggers.ShowsCuriosity })).StatusCode.Should().Be(HttpStatusCode.OK);

        (await globex.GetAsync("/api/deals/walk-in-1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await (await acme.GetAsync("/api/deals/walk-in-1")).JsonAsync())["stageId"]!.GetValue<string>().Should().Be(RetailStages.Curious);
        var history = await (await acme.GetAsync("/api/deals/walk-in-1/history")).JsonArrayAsync();
        history.Select(e => e!["actor"]!.GetValue<string>()).Should().Equal("mia", "mia");
    }

    [Fact]
    public async Task Api_TokenWithTwoTenantClaims_Returns403()
    {
        var response = await Client(tenants: ["acme", "globex"]).GetAsync("/api/deals");

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.JsonAsync())["title"]!.GetValue<string>().Should().Be("Tenant ambiguous");
    }

    [Fact]
    public async Task AddCrmTenants_ConfiguredClaimType_ReadsThatClaimOnly()
    {
        await using var factory = new CrmApiFactory(new Dictionary<string, string?>
        {
            ["Authentication:Headers:Enabled"] = "false",
            ["Authentication:Jwt:SigningKey"] = Key,
            ["Tenants:Required"] = "true",
            ["Tenants:ClaimType"] = "org",
        });

        var byOrg = await Client(factory, ["acme"], claimType: "org").StartAsync("walk-in-1");
        var byTenant = await Client(factory, ["acme"]).StartAsync("walk-in-2");

        byOrg.StatusCode.Should().Be(HttpStatusCode.Created);
        byTenant.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await byTenant.JsonAsync())["detail"]!.GetValue<string>().Should().Contain("'org' claim");
        (await factory.Services.GetRequiredService<SalesFlowEngine>().ForTenant("acme").GetAsync("walk-in-1")).TenantId.Should().Be("acme");
    }

    [Fact]
    public async Task AddCrmTenants_BlankClaimType_StopsTheHostAtStart()
    {
        await using var factory = new CrmApiFactory(new Dictionary<string, string?> { ["Tenants:ClaimType"] = " " });

        FluentActions.Invoking(() => factory.CreateClient()).Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>()
            .WithMessage("*Tenants:ClaimType must name a claim*");
    }

    [Fact]
    public async Task Api_UnusableTenantClaims_AreRefusedWithoutAnErrorLogOrTheClaimsValue()
    {
        var planted = "jane.customer@example.com" + new string('x', Tenants.MaxIdLength);
        await using var factory = new CrmApiFactory(
            new Dictionary<string, string?> { ["Authentication:Headers:Enabled"] = "false", ["Authentication:Jwt:SigningKey"] = Key, ["Tenants:Required"] = "true" },
            services => services.AddLogging(l => l.AddFakeLogging()));

        var invalid = await Client(factory, [planted]).GetAsync("/api/deals");
        var missing = await Client(factory, []).GetAsync("/api/deals");

        (invalid.StatusCode, missing.StatusCode).Should().Be((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden));
        (await invalid.Content.ReadAsStringAsync()).Should().NotContain("jane");
        var logs = factory.Services.GetFakeLogCollector().GetSnapshot();
        logs.Should().NotContain(r => r.Level >= LogLevel.Error, "a refused caller is no server error");
        logs.Should().NotContain(r => r.Message.Contains("jane", StringComparison.Ordinal) || (r.StructuredState != null && r.StructuredState.Any(p => (p.Value ?? "").Contains("jane", StringComparison.Ordinal))));
    }

    private HttpClient Client(string[] tenants) => Client(_factory, tenants);

    private static HttpClient Client(CrmApiFactory factory, string[] tenants, string claimType = "tenant")
    {
        var claims = new Dictionary<string, object> { ["name"] = "mia", ["sub"] = "mia-id", ["role"] = new[] { "seller" } };
        if (tenants.Length > 0)
        {
            claims[claimType] = tenants.Length == 1 ? tenants[0] : tenants;
        }

        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "salesflow-crm",
            Audience = "salesflow-crm",
            Claims = claims,
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Key)), SecurityAlgorithms.HmacSha256),
        });
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
