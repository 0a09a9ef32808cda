using System.Globalization;
using Spectre.Console;

namespace SalesFlow.Samples.Console;

/// <summary>The <c>deals</c> command: lists what earlier runs left in the store.</summary>
internal static class Deals
{
    public static async Task ListAsync(DemoStore demoStore)
    {
        var table = new Table().Title($"Deals in {Markup.Escape(demoStore.Description)}");
        table.AddColumns("Deal", "Pipeline", "Stage", "Outcome", "Events", "Updated (UTC)");
        var rows = 0;
        foreach (var pipeline in demoStore.OrderedPipelines.DistinctBy(p => p.Id))
        {
            var query = new DealQuery { PipelineId = pipeline.Id, Limit = 500 };
            while (true)
            {
                var page = await demoStore.Store.QueryAsync(query);
                foreach (var deal in page.Deals)
                {
                    rows++;
                    table.AddRow(
                        Markup.Escape(deal.Id),
                        Markup.Escape(deal.PipelineId),
                        Markup.Escape(deal.StageId),
                        deal.Outcome.ToString(),
                        deal.LastSequence.ToString(CultureInfo.InvariantCulture),
                        deal.UpdatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
                }

                if (page.NextAfterDealId is null)
                {
                    break;
                }

                query = query with { AfterDealId = page.NextAfterDealId };
            }
        }

        if (rows == 0)
        {
            Output.Console.MarkupLine($"No deals stored yet in {Markup.Escape(demoStore.Description)}: run the demo first (dotnet run --project samples/SalesFlow.Samples.Console).");
            return;
        }

        Output.Console.Write(table);
    }
}
