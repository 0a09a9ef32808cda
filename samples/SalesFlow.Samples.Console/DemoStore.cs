using SalesFlow.Pipelines;
using SalesFlow.Sqlite;

namespace SalesFlow.Samples.Console;

/// <summary>
/// The one place the sample creates its deal store; the demo itself only sees <see cref="IDealStore"/>.
/// The default is a SQLite file, <c>salesflow.db</c> in the current directory, so a run leaves real data
/// behind and the next run finds it.
/// </summary>
internal sealed class DemoStore : IAsyncDisposable
{
    public const string DefaultFile = "salesflow.db";

    private DemoStore(IDealStore store, PipelineRegistry pipelines, string description)
    {
        Store = store;
        Pipelines = pipelines;
        Description = description;
    }

    public IDealStore Store { get; }

    public PipelineRegistry Pipelines { get; }

    public string Description { get; }

    /// <summary>Opens the store the command line asks for: <c>--in-memory</c>, or <c>--db PATH</c> (default <c>salesflow.db</c>, or <c>SALESFLOW_DB</c>).</summary>
    public static async Task<DemoStore> OpenAsync(StoreChoice choice)
    {
        var pipelines = new PipelineRegistry(SalesPipelines.All);
        if (choice.InMemory)
        {
            return new DemoStore(new InMemoryDealStore(), pipelines, "in memory (nothing is kept after the run)");
        }

        var path = Path.GetFullPath(choice.DatabasePath ?? Environment.GetEnvironmentVariable("SALESFLOW_DB") ?? DefaultFile);
        var store = new SqliteDealStore(pipelines, new SqliteDealStoreOptions { DataSource = path });
        await store.EnsureSchemaAsync();
        return new DemoStore(store, pipelines, $"SQLite file {path}");
    }

    /// <summary>Counts the stored deals per pipeline, a page at a time.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountByPipelineAsync()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pipeline in Pipelines.All)
        {
            var query = new DealQuery { PipelineId = pipeline.Id, Limit = 1000 };
            var total = 0;
            while (true)
            {
                var page = await Store.QueryAsync(query);
                total += page.Deals.Count;
                if (page.NextAfterDealId is null)
                {
                    break;
                }

                query = query with { AfterDealId = page.NextAfterDealId };
            }

            counts[pipeline.Id] = total;
        }

        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        if (Store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }
}

/// <summary>Which store the sample uses.</summary>
internal sealed record StoreChoice(bool InMemory, string? DatabasePath)
{
    public static StoreChoice Parse(IReadOnlyList<string> args)
    {
        var inMemory = args.Contains("--in-memory");
        var index = args.ToList().IndexOf("--db");
        var path = index >= 0 && index + 1 < args.Count ? args[index + 1] : null;
        return new StoreChoice(inMemory, path);
    }
}
