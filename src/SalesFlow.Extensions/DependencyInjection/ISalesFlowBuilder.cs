namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Configures SalesFlow in a service collection: returned by
/// <see cref="SalesFlowServiceCollectionExtensions.AddSalesFlow(IServiceCollection, System.Action{SalesFlow.SalesFlowEngineOptions}?)"/>;
/// its behaviour lives in extension methods (pipelines, hooks, store, options).
/// </summary>
/// <remarks>
/// A store package adds its own <c>UseXxxStore(...)</c> extension method on this interface. It registers its
/// <see cref="SalesFlow.IDealStore"/> as a singleton with <c>TryAdd</c> (or through
/// <see cref="SalesFlowBuilderExtensions.UseStore(ISalesFlowBuilder, System.Func{System.IServiceProvider, SalesFlow.IDealStore})"/>),
/// so a store the host registered itself wins. Its factory may resolve <see cref="SalesFlow.PipelineRegistry"/>
/// (a singleton that already holds every pipeline added through this builder) and optional services such as
/// <see cref="System.TimeProvider"/>.
/// </remarks>
public interface ISalesFlowBuilder
{
    /// <summary>Gets the service collection SalesFlow is registered in.</summary>
    IServiceCollection Services { get; }
}
