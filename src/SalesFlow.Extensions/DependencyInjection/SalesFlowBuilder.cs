using Microsoft.Extensions.DependencyInjection;

namespace SalesFlow.DependencyInjection;

internal sealed class SalesFlowBuilder(IServiceCollection services) : ISalesFlowBuilder
{
    public IServiceCollection Services { get; } = services;
}

/// <summary>Marks a service collection SalesFlow is registered in, so a second registration adds nothing.</summary>
internal sealed class SalesFlowMarker;
