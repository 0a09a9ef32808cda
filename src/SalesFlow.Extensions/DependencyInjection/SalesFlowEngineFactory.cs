using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SalesFlow.DependencyInjection;

/// <summary>Builds the engine from what the container holds.</summary>
internal static class SalesFlowEngineFactory
{
    public static SalesFlowEngine Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<SalesFlowOptions>>().Value;
        var store = services.GetService<IDealStore>() ?? throw new InvalidOperationException(
            "SalesFlow has no deal store. Choose one: AddSalesFlow().UseInMemoryStore(), UseSqliteStore(...) or UsePostgreSqlStore(...) from the store packages, or register an IDealStore singleton.");

        // A host's own registry wins; the pipelines added through the builder are added to it (same instances, so at most once).
        var registry = services.GetRequiredService<PipelineRegistry>();
        foreach (var definition in services.GetRequiredService<SalesFlowPipelines>().Definitions)
        {
            registry.Add(definition);
        }

        var engineOptions = new SalesFlowEngineOptions
        {
            TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System,
            ConflictRetryCount = options.ConflictRetryCount,
            OverridePolicy = options.OverridePolicy
                ?? (options.OverrideActors.Count > 0 ? OverridePolicy.AllowActors(options.OverrideActors) : OverridePolicy.Nobody),
            LoggerFactory = services.GetService<ILoggerFactory>(),
            MeterFactory = services.GetService<IMeterFactory>(),
        };
        foreach (var hook in services.GetServices<HookInstanceRegistration>())
        {
            engineOptions.Hooks.Add(hook.Hook);
        }

        var hookTypes = services.GetServices<IHookTypeRegistration>().Select(r => r.HookType).ToArray();
        if (hookTypes.Length > 0)
        {
            engineOptions.HookScopeFactory = new ServiceScopeHookFactory(services.GetRequiredService<IServiceScopeFactory>(), hookTypes);
        }

        if (engineOptions.LoggerFactory?.CreateLogger("SalesFlow.Hosting") is { } logger && logger.IsEnabled(LogLevel.Information))
        {
#pragma warning disable CA1873 // Guarded by IsEnabled just above.
            SalesFlowHostingLog.EngineCreated(logger, string.Join(",", registry.All.Select(p => $"{p.Id}@{p.Version}").Order(StringComparer.Ordinal)), store.GetType().Name, hookTypes.Length);
#pragma warning restore CA1873
        }

        return new SalesFlowEngine(registry, store, engineOptions);
    }
}
