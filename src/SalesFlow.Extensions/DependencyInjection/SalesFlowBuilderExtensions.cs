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
}
