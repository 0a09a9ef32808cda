using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SalesFlow;
using SalesFlow.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers SalesFlow in a service collection.</summary>
public static class SalesFlowServiceCollectionExtensions
{
    /// <summary>
    /// Registers the SalesFlow engine and its options. Everything is registered with <c>TryAdd</c>: calling this
    /// again registers nothing twice (only <paramref name="configure"/> is added), and a <see cref="TimeProvider"/>,
    /// <see cref="IDealStore"/> or <see cref="PipelineRegistry"/> the host registers itself wins over the defaults.
    /// </summary>
    /// <remarks>
    /// <para>Registered as singletons: <see cref="SalesFlowEngine"/>; <see cref="PipelineRegistry"/>, holding every pipeline
    /// added through the builder (a host that registers its own registry gets those pipelines added to it when the
    /// engine is first resolved); <see cref="TimeProvider"/> (<see cref="TimeProvider.System"/> unless the host has one).
    /// <see cref="Microsoft.Extensions.Logging.ILoggerFactory"/> and <see cref="System.Diagnostics.Metrics.IMeterFactory"/> are used
    /// when the host provides them.</para>
    /// <para>No store is registered here: choose one with <see cref="SalesFlowBuilderExtensions.UseInMemoryStore"/> or
    /// <c>UseSqliteStore(...)</c> (package SalesFlow.Extensions.Sqlite) / <c>UsePostgreSqlStore(...)</c> (package
    /// SalesFlow.Extensions.PostgreSql), or register an <see cref="IDealStore"/> singleton yourself.</para>
    /// <para><see cref="SalesFlowEngineOptions"/> (the engine's one options class) and <see cref="ShowroomFollowUpOptions"/>
    /// are options in the <see cref="IOptions{TOptions}"/> sense: configure them here, with <c>services.Configure&lt;T&gt;</c>
    /// or from configuration, and they are validated when the host starts (<c>ValidateOnStart</c>), listing every problem.
    /// The engine's clock, logger factory and meter factory come from the container unless the options set them.</para>
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures <see cref="SalesFlowEngineOptions"/>; <see langword="null"/> to keep the defaults.</param>
    /// <returns>A builder to add pipelines and hooks and to choose the store.</returns>
    public static ISalesFlowBuilder AddSalesFlow(this IServiceCollection services, Action<SalesFlowEngineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SalesFlowEngineOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(SalesFlowMarker)))
        {
            return new SalesFlowBuilder(services);
        }

        services.AddSingleton<SalesFlowMarker>();
        options.PostConfigure<IServiceProvider>(SalesFlowEngineFactory.ApplyHostServices).ValidateOnStart();
        services.AddOptions<ShowroomFollowUpOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SalesFlowEngineOptions>, SalesFlowOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ShowroomFollowUpOptions>, SalesFlowOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SalesFlowPipelines>();
        services.TryAddSingleton(static sp => new PipelineRegistry(sp.GetRequiredService<SalesFlowPipelines>().Definitions));
        services.TryAddSingleton(SalesFlowEngineFactory.Create);
        return new SalesFlowBuilder(services);
    }

    /// <summary>
    /// Registers SalesFlow (see <see cref="AddSalesFlow(IServiceCollection, Action{SalesFlowEngineOptions}?)"/>) with
    /// <see cref="SalesFlowEngineOptions"/> bound from a configuration section, such as <c>configuration.GetSection("SalesFlow")</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section holding the options.</param>
    /// <returns>A builder to add pipelines and hooks and to choose the store.</returns>
    public static ISalesFlowBuilder AddSalesFlow(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddSalesFlow();
        services.AddOptions<SalesFlowEngineOptions>().Bind(configuration);
        services.AddOptions<ShowroomFollowUpOptions>().Bind(configuration.GetSection("ShowroomFollowUp"));
        return builder;
    }
}
