using Microsoft.Extensions.DependencyInjection;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Sqlite;

namespace SalesFlow.PackageConsumer;

/// <summary>
/// README code blocks, compiled against the packed packages and run by Program; each region between its markers must
/// appear in README.md line by line (Program checks it when given the repository root).
/// </summary>
public static class ReadmeSnippets
{
    // README:quickstart:start
    public sealed record RenewalDeal
    {
        public bool Signed { get; init; }
    }

    public static async Task<Deal> RunQuickstartAsync()
    {
        var pipeline = PipelineBuilder.Create<RenewalDeal>("renewals", version: 1)
            .Stage("open", s => s.Name("Open").Probability(0.2).Checklist("call-logged", "Call logged", required: true))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("sign", from: "open", to: "won")
                .When("contract.signed", d => d.Signed, "Contract not signed")
            .Transition("lose", from: "open", to: "lost")
            .Build();

        var engine = new SalesFlowEngine(new PipelineRegistry(pipeline), new InMemoryDealStore());
        await engine.StartAsync("renewals", "deal-42", new RenewalDeal(), actor: "alice");

        var refused = await engine.FireAsync("deal-42", "sign", new FireRequest("alice"));
        foreach (var guard in refused.UnmetGuards)
        {
            Console.WriteLine($"{guard.Code}: {guard.Reason}");   // contract.signed, checklist.call-logged
        }

        await engine.CompleteChecklistItemAsync("deal-42", "call-logged", actor: "alice");
        await engine.UpdateAsync<RenewalDeal>("deal-42", d => d with { Signed = true }, actor: "alice");
        var signed = await engine.FireAsync("deal-42", "sign", new FireRequest("alice") { Note = "Signed on site" });
        return signed.EnsureAccepted().Deal;                      // throws a typed exception if refused
    }
    // README:quickstart:end

    public static PipelineRegistry BuiltIn()
    {
        // README:built-in:start
        var registry = new PipelineRegistry(SalesPipelines.SevenStepB2B(), SalesPipelines.Showroom(), SalesPipelines.RetailFloor());
        // or: new PipelineRegistry(SalesPipelines.All)
        // custom showroom cadence: SalesPipelines.Showroom(new FollowUpCadence(TimeSpan.FromDays(1), TimeSpan.FromDays(5), TimeSpan.FromDays(10)))
        // README:built-in:end
        return registry;
    }

    // README:sqlite-by-hand:start
    public static async Task<Deal> MeetWalkInAsync(string file)
    {
        var registry = new PipelineRegistry(SalesPipelines.All);
        await using var store = new SqliteDealStore(registry, new SqliteDealStoreOptions { DataSource = file });
        var engine = new SalesFlowEngine(registry, store);

        await engine.StartAsync(SalesPipelines.RetailFloorId, "walk-in-1", new RetailDeal(), actor: "seller-7");
        var moved = await engine.FireAsync("walk-in-1", RetailTriggers.ShowsCuriosity, new FireRequest("seller-7"));
        return moved.EnsureAccepted().Deal;
    }
    // README:sqlite-by-hand:end

    // README:sqlite-di:start
    public static ServiceProvider BuildServices(string file)
    {
        var services = new ServiceCollection();
        services.AddSalesFlow()
            .AddBuiltInPipelines()
            .UseSqliteStore(file);                // package SalesFlow.Extensions.Sqlite
        return services.BuildServiceProvider();
    }
    // README:sqlite-di:end
}
