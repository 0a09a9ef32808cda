using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Samples.CrmApi.Tests.Support;

namespace SalesFlow.Samples.CrmApi.Tests;

/// <summary>Signed-in callers: JWT bearer tokens in production, the development headers only when enabled; claims become actor and roles.</summary>
public sealed class AuthenticationTests : IAsyncLifetime
{
    private const string Key = "a-test-signing-key-of-at-least-32-bytes!";

    private readonly CrmApiFactory _factory = new(new Dictionary<string, string?>
    {
        ["Authentication:Headers:Enabled"] = "false",
        ["Authentication:Jwt:SigningKey"] = Key,
    });

    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        _client = _factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Api_WithoutAToken_Returns401AndTheDevelopmentHeadersDoNotSignIn()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/pipelines");
        request.Headers.Add("X-Actor", "mallory");
        request.Headers.Add("X-Role", "manager");

        var response = await _client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await _client.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.OK, "health stays open");
    }

    [Fact]
    public async Task Api_TokenSignedWithAnotherKey_Returns401()
    {
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("mia", ["manager"], key: "another-key-of-at-least-32-bytes-long!!"));

        (await _client.GetAsync("/api/pipelines")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Fire_OverrideWithATokenOfAManager_IsSavedWithTheTokensNameAsActor()
    {
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("mia", ["seller", "manager"]));
        (await _client.StartAsync("walk-in-1")).StatusCode.Should().Be(HttpStatusCode.Created);

        var response = await _client.FireAsync("walk-in-1", new { trigger = RetailTriggers.QuotePrice, overrideJustification = "asked twice" });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var history = await (await _client.GetAsync("/api/deals/walk-in-1/history")).JsonArrayAsync();
        history.Select(e => e!["actor"]!.GetValue<string>()).Should().Equal("mia", "mia");
    }

    [Fact]
    public async Task Fire_OverrideWithATokenOfASeller_Returns403WithTheReasonAndSavesNothing()
    {
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("sam", ["seller"]));
        await _client.StartAsync("walk-in-1");

        var response = await _client.FireAsync("walk-in-1", new { trigger = RetailTriggers.QuotePrice, overrideJustification = "asked twice" });

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var problem = await response.JsonAsync();
        problem["title"]!.GetValue<string>().Should().Be("Override not allowed");
        problem["detail"]!.GetValue<string>().Should().Contain("overriding guards needs the role 'manager'");
        problem["unmetGuards"]![0]!["code"]!.GetValue<string>().Should().Be(RetailGuards.PriceBeforeDesire);
        (await (await _client.GetAsync("/api/deals/walk-in-1/history")).JsonArrayAsync()).Should().ContainSingle();
    }

    private static string Token(string name, string[] roles, string key = Key)
    {
        var claims = new Dictionary<string, object> { ["name"] = name, ["sub"] = name + "-id", ["role"] = roles };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "salesflow-crm",
            Audience = "salesflow-crm",
            Claims = claims,
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }
}
