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
        var options = services.GetRequiredService<IOptions<SalesFlowEngineOptions>>().Value;
        var store = services.GetService<IDealStore>() ?? throw new InvalidOperationException(
            "SalesFlow has no deal store. Choose one: AddSalesFlow().UseInMemoryStore(), UseSqliteStore(...) (package SalesFlow.Extensions.Sqlite) or UsePostgreSqlStore(...) (package SalesFlow.Extensions.PostgreSql), or register an IDealStore singleton.");

        // A host's own registry wins; the pipelines added through the builder are added to it (same instances, so at most once).
        var registry = services.GetRequiredService<PipelineRegistry>();
        foreach (var definition in services.GetRequiredService<SalesFlowPipelines>().Definitions)
        {
            registry.Add(definition);
        }

        if (options.LoggerFactory?.CreateLogger("SalesFlow.Hosting") is { } logger && logger.IsEnabled(LogLevel.Information))
        {
            var hookTypes = services.GetServices<IHookTypeRegistration>().Count();
#pragma warning disable CA1873 // Guarded by IsEnabled just above.
            SalesFlowHostingLog.EngineCreated(logger, string.Join(",", registry.All.Select(p => $"{p.Id}@{p.Version}").Order(StringComparer.Ordinal)), store.GetType().Name, hookTypes);
#pragma warning restore CA1873
        }

        return new SalesFlowEngine(registry, store, options);
    }

    /// <summary>
    /// Completes the engine options from the container once, when they are first read: the host's clock, logger and
    /// meter factories (unless the options set their own), the hook instances, and a DI scope per write for hook types.
    /// </summary>
    public static void ApplyHostServices(SalesFlowEngineOptions options, IServiceProvider services)
    {
        if (ReferenceEquals(options.TimeProvider, TimeProvider.System))
        {
            options.TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        }

        options.LoggerFactory ??= services.GetService<ILoggerFactory>();
        options.MeterFactory ??= services.GetService<IMeterFactory>();
        foreach (var hook in services.GetServices<HookInstanceRegistration>())
        {
            if (!options.Hooks.Contains(hook.Hook))
            {
                options.Hooks.Add(hook.Hook);
            }
        }

        var hookTypes = services.GetServices<IHookTypeRegistration>().Select(r => r.HookType).ToArray();
        if (hookTypes.Length > 0 && options.HookScopeFactory is null)
        {
            options.HookScopeFactory = new ServiceScopeHookFactory(services.GetRequiredService<IServiceScopeFactory>(), hookTypes);
        }
    }
}
