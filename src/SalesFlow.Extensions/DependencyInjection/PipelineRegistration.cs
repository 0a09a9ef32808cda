using Microsoft.Extensions.DependencyInjection;

namespace SalesFlow.DependencyInjection;

/// <summary>A pipeline added through the builder; <see cref="Key"/> keeps the same pipeline from being added twice.</summary>
internal sealed class PipelineRegistration(object key, Func<IServiceProvider, PipelineDefinition> create)
{
    public object Key { get; } = key;

    public Func<IServiceProvider, PipelineDefinition> Create { get; } = create;
}

/// <summary>Creates the pipelines added through the builder once, so every registry gets the same instances.</summary>
internal sealed class SalesFlowPipelines(IServiceProvider services, IEnumerable<PipelineRegistration> registrations)
{
    private readonly Lazy<PipelineDefinition[]> _definitions = new(() => [.. registrations.Select(r => r.Create(services) ?? throw new InvalidOperationException("A pipeline factory added with AddPipeline returned null; return a built PipelineDefinition."))]);

    public IReadOnlyList<PipelineDefinition> Definitions => _definitions.Value;
}
