using Microsoft.Extensions.Options;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Pipelines.Showroom;

namespace SalesFlow.Samples.CrmApi.Hosting;

/// <summary>Whether the app seeds a few demo deals into an empty store at start, so the board is not empty.</summary>
internal sealed class DemoDealsOptions
{
    public const string SectionName = "SalesFlow:Demo";

    /// <summary>Gets or sets a value indicating whether to seed. <value>The default value is <see langword="false"/>; appsettings.Development.json turns it on.</value></summary>
    public bool Seed { get; set; }
}

/// <summary>Seeds demo deals in every built-in process when <see cref="DemoDealsOptions.Seed"/> is on and the store holds no deal yet.</summary>
internal sealed partial class DemoDeals(SalesFlowEngine engine, IOptions<DemoDealsOptions> options, ILogger<DemoDeals> logger) : IHostedService
{
    private const string Seller = "demo-seller";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Seed)
        {
            return;
        }

        var existing = await engine.Store.QueryAsync(new DealQuery { Limit = 1 }, cancellationToken);
        if (existing.Deals.Count > 0)
        {
            return;
        }

        string[][] retailMoves =
        [
            [],
            [RetailTriggers.ShowsCuriosity],
            [RetailTriggers.ShowsCuriosity, RetailTriggers.SharesPersonalContext],
            [RetailTriggers.ShowsCuriosity, RetailTriggers.SharesPersonalContext, RetailTriggers.AsksPriceCarefully],
        ];
        for (var i = 0; i < retailMoves.Length; i++)
        {
            var id = $"walk-in-{i + 1}";
            await engine.StartAsync(SalesPipelines.RetailFloorId, id, new RetailDeal(), new StartRequest(Seller) { Owner = "floor-team", Amount = 800 + (i * 450) }, cancellationToken);
            foreach (var trigger in retailMoves[i])
            {
                (await engine.FireAsync(id, trigger, new FireRequest(Seller), cancellationToken)).EnsureAccepted();
            }
        }

        await engine.StartAsync(SalesPipelines.SevenStepB2BId, "acme-renewal", new B2BDeal { Industry = "logistics" }, new StartRequest(Seller) { Owner = "key-accounts", Amount = 48_000 }, cancellationToken);
        await engine.StartAsync(SalesPipelines.SevenStepB2BId, "globex-pilot", new B2BDeal { Industry = "retail" }, new StartRequest(Seller) { Owner = "key-accounts", Amount = 12_500 }, cancellationToken);
        await engine.RecordLeadSourceAsync("globex-pilot", LeadSource.Exhibition, Seller, cancellationToken);
        (await engine.FireAsync("globex-pilot", B2BTriggers.Contact, new FireRequest(Seller), cancellationToken)).EnsureAccepted();

        await engine.StartAsync(SalesPipelines.ShowroomId, "visit-1", new ShowroomDeal(), new StartRequest(Seller) { Owner = "sales-office" }, cancellationToken);
        await engine.StartAsync(SalesPipelines.ShowroomId, "visit-2", new ShowroomDeal(), new StartRequest(Seller) { Owner = "sales-office" }, cancellationToken);

        Log.DemoDealsSeeded(logger, 8);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Seeded {Count} demo deals into the empty store")]
        public static partial void DemoDealsSeeded(ILogger logger, int count);
    }
}
