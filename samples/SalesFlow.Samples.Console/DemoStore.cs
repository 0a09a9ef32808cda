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

    // The store the sample created owns the file; the tenant's store is a view on it that disposing does not close.
    private readonly IDealStore _owner;

    private DemoStore(IDealStore owner, string tenant, PipelineRegistry pipelines, string description)
    {
        _owner = owner;
        Store = owner.ForTenant(tenant);
        Pipelines = pipelines;
        Description = tenant == Tenants.Default ? description : $"{description}, tenant {tenant}";
    }

    /// <summary>Gets the chosen tenant's store: every command reads and writes that tenant's deals only.</summary>
    public IDealStore Store { get; }

    public PipelineRegistry Pipelines { get; }

    public string Description { get; }

    /// <summary>
    /// Opens the store the command line asks for: <c>--in-memory</c>, or <c>--db PATH</c> (default <c>salesflow.db</c>, or
    /// <c>SALESFLOW_DB</c>), with the built-in pipelines and any <c>--pipeline FILE</c> definitions registered, as the
    /// <c>--tenant</c>'s store (default: the default tenant).
    /// </summary>
    public static async Task<DemoStore> OpenAsync(StoreChoice choice)
    {
        var pipelines = new PipelineRegistry(SalesPipelines.All);
        foreach (var file in choice.PipelineFiles)
        {
            pipelines.Add(LoadPipeline(file));
        }

        if (choice.InMemory)
        {
            return new DemoStore(new InMemoryDealStore(), choice.Tenant, pipelines, "in memory (nothing is kept after the run)");
        }

        var path = Path.GetFullPath(choice.DatabasePath ?? Environment.GetEnvironmentVariable("SALESFLOW_DB") ?? DefaultFile);
        var store = new SqliteDealStore(pipelines, new SqliteDealStoreOptions { DataSource = path });
        await store.EnsureSchemaAsync();
        return new DemoStore(store, choice.Tenant, pipelines, $"SQLite file {path}");
    }

    /// <summary>Loads a pipeline definition file; a file with errors stops the command with every diagnostic.</summary>
    public static PipelineDefinition LoadPipeline(string file)
    {
        if (!File.Exists(file))
        {
            throw new CliException($"The pipeline file '{file}' does not exist.");
        }

        var result = PipelineJson.Load(File.ReadAllBytes(file));
        return result.Definition ?? throw new CliException(
            $"The pipeline file '{file}' has errors:" + Environment.NewLine + string.Join(Environment.NewLine, result.Diagnostics.Where(d => d.IsError).Select(d => "  " + d)));
    }

    /// <summary>Gets the registered pipelines, by id and then version, so every listing comes out in the same order.</summary>
    public IReadOnlyList<PipelineDefinition> OrderedPipelines =>
        [.. Pipelines.All.OrderBy(p => p.Id, StringComparer.Ordinal).ThenBy(p => p.Version)];

    /// <summary>Counts the stored deals per pipeline, a page at a time.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountByPipelineAsync()
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var pipeline in OrderedPipelines.DistinctBy(p => p.Id))
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
        if (_owner is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }
}

/// <summary>Which store the sample uses, which tenant in it, and which pipeline files to register beside the built-in ones.</summary>
internal sealed record StoreChoice(bool InMemory, string? DatabasePath, IReadOnlyList<string> PipelineFiles)
{
    /// <summary>Gets the tenant whose deals the command reads and writes.</summary>
    public string Tenant { get; init; } = Tenants.Default;
}

/// <summary>A command cannot go on; the message says why and what to do. Exits with code 1.</summary>
internal sealed class CliException(string message) : Exception(message);
