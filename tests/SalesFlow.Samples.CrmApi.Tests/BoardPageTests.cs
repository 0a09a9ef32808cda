using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Samples.CrmApi.Tests.Support;

namespace SalesFlow.Samples.CrmApi.Tests;

/// <summary>
/// The board page in a real headless Chromium (Selenium + Debian's chromium and chromium-driver) against the app on a real
/// Kestrel port: a refused move shows its reasons on the card, an accepted one moves the card to the next column, and a
/// deal's history opens; the Tenant field shows one tenant's deals.
/// </summary>
public sealed class BoardPageTests : IAsyncLifetime
{
    private const string DealId = "walk-in-browser";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly CrmApiFactory _factory = new();
    private ChromeDriver? _browser;
    private Uri _baseAddress = null!;

    public async Task InitializeAsync()
    {
        if (TestMachine.BrowserSkipReason is not null)
        {
            return;
        }

        if (!File.Exists(TestMachine.ChromiumPath) || !File.Exists(TestMachine.ChromeDriverPath))
        {
            throw new InvalidOperationException("CI=true: " + string.Join(" ", "The browser test needs Chromium and ChromeDriver:",
                "`apt-get install -y chromium chromium-driver` (Debian packages chromium and chromium-driver; .ci/run installs them)."));
        }

        _factory.UseKestrel(0);
        _factory.StartServer();
        var address = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _baseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));

        // The deals go in through the real port, as any client's would.
        using var http = new HttpClient { BaseAddress = _baseAddress };
        (await http.PostAsJsonAsync("/api/deals", new { pipelineId = SalesPipelines.RetailFloorId, dealId = DealId, owner = "floor-team", amount = 900 })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/deals", new { pipelineId = SalesPipelines.RetailFloorId, dealId = "walk-in-other" })).EnsureSuccessStatusCode();

        var options = new ChromeOptions { BinaryLocation = TestMachine.ChromiumPath };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1600,1000");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(TestMachine.ChromeDriverPath)!, Path.GetFileName(TestMachine.ChromeDriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        _browser = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        _browser?.Quit();
        _browser?.Dispose();
        await _factory.DisposeAsync();
    }

    [BrowserFact]
    public async Task Board_RefusedThenAcceptedMoveThenHistory_ShowsReasonsMovesTheCardAndListsTheEvents()
    {
        var browser = _browser!;
        var wait = new WebDriverWait(browser, Wait);
        browser.Navigate().GoToUrl(new Uri(_baseAddress, $"/?pipeline={SalesPipelines.RetailFloorId}"));

        // The board: one column per stage, the deal's card in the initial stage.
        var card = wait.Until(d => d.FindElements(By.CssSelector($"section.column[data-stage='{RetailStages.Browsing}'] article.card[data-deal='{DealId}']")).SingleOrDefault());
        browser.FindElements(By.CssSelector("section.column")).Select(c => c.GetAttribute("data-stage"))
            .Should().Equal(SalesPipelines.RetailFloor().Stages.OrderBy(s => s.Order).Select(s => s.Id));

        // A refused move: quoting the price while browsing. Its reason appears on the card; the card stays.
        card.FindElement(By.CssSelector($"button[data-trigger='{RetailTriggers.QuotePrice}']")).Click();
        var reason = wait.Until(d => d.FindElements(By.CssSelector($"article.card[data-deal='{DealId}'] .reasons li[data-code='{RetailGuards.PriceBeforeDesire}']")).SingleOrDefault());
        reason.Text.Should().Be(RetailGuards.PriceBeforeDesireReason);
        browser.FindElement(By.CssSelector($"article.card[data-deal='{DealId}'] .reasons strong")).Text.Should().Contain("422");
        browser.FindElements(By.CssSelector($"section.column[data-stage='{RetailStages.Browsing}'] article.card[data-deal='{DealId}']")).Should().ContainSingle();

        // An accepted move: the customer shows curiosity. The card moves to the next column.
        browser.FindElement(By.CssSelector($"article.card[data-deal='{DealId}'] button[data-trigger='{RetailTriggers.ShowsCuriosity}']")).Click();
        var moved = wait.Until(d => d.FindElements(By.CssSelector($"section.column[data-stage='{RetailStages.Curious}'] article.card[data-deal='{DealId}']")).SingleOrDefault());
        moved.Should().NotBeNull();
        browser.FindElements(By.CssSelector($"section.column[data-stage='{RetailStages.Browsing}'] article.card[data-deal='{DealId}']")).Should().BeEmpty();
        var stored = await _factory.Services.GetRequiredService<SalesFlowEngine>().GetAsync(DealId);
        stored.StageId.Should().Be(RetailStages.Curious);

        // The deal's history: the start and the accepted move (the refused one saved nothing).
        moved.FindElement(By.CssSelector("button.history")).Click();
        var rows = wait.Until(d => d.FindElement(By.Id("history-panel")).Displayed && d.FindElements(By.CssSelector("#history tbody tr")).Count == 2
            ? d.FindElements(By.CssSelector("#history tbody tr"))
            : null);
        browser.FindElement(By.Id("history-deal")).Text.Should().Be(DealId);
        rows[0].Text.Should().Contain("Started");
        rows[1].Text.Should().Contain(RetailTriggers.ShowsCuriosity).And.Contain(RetailStages.Browsing).And.Contain(RetailStages.Curious);

        // The pipeline graph is on the page as text.
        browser.FindElement(By.Id("graph")).Text.Should().StartWith("flowchart");
    }

    [BrowserFact]
    public async Task Board_TenantField_ShowsAndMovesOnlyThatTenantsDeals()
    {
        using (var http = new HttpClient { BaseAddress = _baseAddress })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/deals") { Content = JsonContent.Create(new { pipelineId = SalesPipelines.RetailFloorId, dealId = "acme-walk-in" }) };
            request.Headers.Add(Http.CrmAuthentication.TenantHeader, "acme");
            (await http.SendAsync(request)).EnsureSuccessStatusCode();
        }

        var browser = _browser!;
        var wait = new WebDriverWait(browser, Wait);
        browser.Navigate().GoToUrl(new Uri(_baseAddress, $"/?pipeline={SalesPipelines.RetailFloorId}"));
        wait.Until(d => d.FindElements(By.CssSelector($"article.card[data-deal='{DealId}']")).SingleOrDefault());
        browser.FindElements(By.CssSelector("article.card[data-deal='acme-walk-in']")).Should().BeEmpty("the default tenant does not see acme's deal");

        // The development sign-in's tenant: the board reloads with acme's deals only.
        browser.FindElement(By.Id("tenant")).SendKeys("acme" + Keys.Tab);
        var card = wait.Until(d => d.FindElements(By.CssSelector("article.card[data-deal='acme-walk-in']")).SingleOrDefault());
        browser.FindElements(By.CssSelector($"article.card[data-deal='{DealId}']")).Should().BeEmpty("acme does not see the default tenant's deals");

        card.FindElement(By.CssSelector($"button[data-trigger='{RetailTriggers.ShowsCuriosity}']")).Click();
        wait.Until(d => d.FindElements(By.CssSelector($"section.column[data-stage='{RetailStages.Curious}'] article.card[data-deal='acme-walk-in']")).SingleOrDefault());
        var engine = _factory.Services.GetRequiredService<SalesFlowEngine>();
        (await engine.ForTenant("acme").GetAsync("acme-walk-in")).StageId.Should().Be(RetailStages.Curious);
        (await engine.GetAsync(DealId)).StageId.Should().Be(RetailStages.Browsing);
    }
}
