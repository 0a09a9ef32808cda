using Microsoft.Extensions.DependencyInjection.Extensions;
using SalesFlow;
using SalesFlow.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures SalesFlow through an <see cref="ISalesFlowBuilder"/>: store, pipelines, hooks and options.</summary>
public static class SalesFlowBuilderExtensions
{
    /// <summary>
    /// Keeps deals in memory (<see cref="InMemoryDealStore"/>, a singleton): for tests, demos and single-process hosts
    /// that need no durability. A store registered before (by the host or another <c>UseXxxStore</c>) wins.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder UseInMemoryStore(this ISalesFlowBuilder builder) =>
        builder.UseStore(static _ => new InMemoryDealStore());

    /// <summary>
    /// Uses a store created by a factory, registered as the <see cref="IDealStore"/> singleton with <c>TryAdd</c>
    /// (a store registered before wins). Store packages build their <c>UseXxxStore(...)</c> on this; the factory may
    /// resolve <see cref="PipelineRegistry"/>, which then holds every pipeline added through the builder.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the store once.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder UseStore(this ISalesFlowBuilder builder, Func<IServiceProvider, IDealStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.TryAddSingleton(factory);
        return builder;
    }

    /// <summary>
    /// Uses a store of type <typeparamref name="TStore"/>, constructed by the container as the <see cref="IDealStore"/>
    /// singleton, registered with <c>TryAdd</c> (a store registered before wins).
    /// </summary>
    /// <typeparam name="TStore">The store type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder UseStore<TStore>(this ISalesFlowBuilder builder)
        where TStore : class, IDealStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<IDealStore, TStore>();
        return builder;
    }

    /// <summary>Adds a pipeline definition. Adding the same instance again does nothing.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="definition">The built definition.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder AddPipeline(this ISalesFlowBuilder builder, PipelineDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(definition);
        return builder.AddPipeline(definition, _ => definition);
    }

    /// <summary>
    /// Adds a pipeline definition built by a factory, called once when <see cref="PipelineRegistry"/> is first
    /// resolved; it may resolve services (options, a repository of JSON definitions …). Adding the same factory
    /// instance again does nothing.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Builds the definition.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder AddPipeline(this ISalesFlowBuilder builder, Func<IServiceProvider, PipelineDefinition> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        return builder.AddPipeline(factory, factory);
    }

    /// <summary>
    /// Adds a hook type run around every move, after the pipelines' own hooks and the hook instances. An instance is
    /// resolved from a new service scope for every move (both phases of the move share it), so the hook may depend on
    /// scoped services such as a DbContext. <typeparamref name="THook"/> is registered as scoped unless the host
    /// registered it before; adding the same type again does nothing.
    /// </summary>
    /// <typeparam name="THook">The hook type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder AddHook<THook>(this ISalesFlowBuilder builder)
        where THook : class, IDealHook
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddScoped<THook>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHookTypeRegistration, HookTypeRegistration<THook>>());
        return builder;
    }

    /// <summary>
    /// Adds a hook instance run around every move, after the pipelines' own hooks. It must be thread-safe: one
    /// instance serves every move. Adding the same instance again does nothing.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="hook">The hook.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder AddHook(this ISalesFlowBuilder builder, IDealHook hook)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(hook);
        if (!builder.Services.Any(d => d.ServiceType == typeof(HookInstanceRegistration) && d.ImplementationInstance is HookInstanceRegistration r && ReferenceEquals(r.Hook, hook)))
        {
            builder.Services.AddSingleton(new HookInstanceRegistration(hook));
        }

        return builder;
    }

    /// <summary>Configures <see cref="SalesFlowEngineOptions"/> (in addition to earlier configuration).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder Configure(this ISalesFlowBuilder builder, Action<SalesFlowEngineOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>
    /// Binds <see cref="SalesFlowEngineOptions"/> (and <see cref="ShowroomFollowUpOptions"/> to its <c>ShowroomFollowUp</c> subsection) to a section of the host's <see cref="Configuration.IConfiguration"/>
    /// (resolved from the container), for example <c>"SalesFlow"</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="sectionPath">The section's path, with <c>:</c> between levels.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder BindConfiguration(this ISalesFlowBuilder builder, string sectionPath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionPath);
        builder.Services.AddOptions<SalesFlowEngineOptions>().BindConfiguration(sectionPath);
        builder.Services.AddOptions<ShowroomFollowUpOptions>().BindConfiguration(sectionPath + ":ShowroomFollowUp");
        return builder;
    }

    internal static ISalesFlowBuilder AddPipeline(this ISalesFlowBuilder builder, object key, Func<IServiceProvider, PipelineDefinition> factory)
    {
        if (!builder.Services.Any(d => d.ServiceType == typeof(PipelineRegistration) && d.ImplementationInstance is PipelineRegistration r && Equals(r.Key, key)))
        {
            builder.Services.AddSingleton(new PipelineRegistration(key, factory));
        }

        return builder;
    }
}
