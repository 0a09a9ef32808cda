namespace SalesFlow.Testing;

/// <summary>How a <see cref="TestPathHarness{TData}"/> runs test paths. Every property has a default.</summary>
public sealed class TestPathHarnessOptions
{
    /// <summary>
    /// Gets or sets the store the path deals are saved in; a database store must read deals of the pipeline under test
    /// (create it with a <see cref="PipelineRegistry"/> that holds it).
    /// </summary>
    /// <value>The default value is <c>null</c>: a new <see cref="InMemoryDealStore"/> for each run.</value>
    public IDealStore? Store { get; set; }

    /// <summary>Gets or sets the actor the harness starts deals, changes them and fires moves under.</summary>
    /// <value>The default value is <c>test-paths</c>.</value>
    public string Actor { get; set; } = "test-paths";

    /// <summary>
    /// Gets or sets what the ids of the path deals start with; the path number follows (<c>…1</c>, <c>…2</c>).
    /// </summary>
    /// <value>The default value is <c>null</c>: <c>test-path-</c>, a random part, and a dash, so runs on one store never collide.</value>
    public string? DealIdPrefix { get; set; }

    /// <summary>
    /// Gets or sets a callback that configures the engine the paths run on (a clock, hooks, a logger). When a satisfier
    /// overrides a guard, the harness adds <see cref="Actor"/> to <see cref="SalesFlowEngineOptions.OverrideActors"/> after it.
    /// </summary>
    /// <value>The default value is <c>null</c>: the engine's defaults.</value>
    public Action<SalesFlowEngineOptions>? ConfigureEngine { get; set; }
}
