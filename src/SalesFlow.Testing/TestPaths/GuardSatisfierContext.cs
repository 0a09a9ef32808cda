namespace SalesFlow.Testing;

/// <summary>
/// What a <see cref="GuardSatisfier"/> works with: the engine and the deal of the path being run, the step about to be
/// fired, the guard to satisfy (or refuse), and the <see cref="Request"/> the step will be fired with.
/// </summary>
public sealed class GuardSatisfierContext
{
    // Shared by the contexts of one step: every satisfier of the step changes the one request the step is fired with.
    private readonly StepRequest _request;

    internal GuardSatisfierContext(
        SalesFlowEngine engine, PipelineDefinition pipeline, string dealId, string actor, TestPath path, TestPathStep step, GuardDefinition guard, StepRequest request)
    {
        Engine = engine;
        Pipeline = pipeline;
        DealId = dealId;
        Actor = actor;
        Path = path;
        Step = step;
        Guard = guard;
        _request = request;
    }

    /// <summary>Gets the engine the paths run on: change the deal through it (data, checklist, activities).</summary>
    public SalesFlowEngine Engine { get; }

    /// <summary>Gets the pipeline the paths run on.</summary>
    public PipelineDefinition Pipeline { get; }

    /// <summary>Gets the id of the path's deal.</summary>
    public string DealId { get; }

    /// <summary>Gets the actor the harness records changes and moves under.</summary>
    public string Actor { get; }

    /// <summary>Gets the path being run.</summary>
    public TestPath Path { get; }

    /// <summary>Gets the step about to be fired.</summary>
    public TestPathStep Step { get; }

    /// <summary>Gets the guard to satisfy, or to leave unmet when refusing an alternative.</summary>
    public GuardDefinition Guard { get; }

    /// <summary>
    /// Gets or sets the request the step will be fired with. Guards that read the move's input (a reason, a note, a named
    /// argument, an event property) are satisfied by changing it: <c>context.Request = context.Request with { Reason = "…" }</c>.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public FireRequest Request
    {
        get => _request.Value;
        set => _request.Value = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Loads the deal as it is now (after the satisfiers that already ran).</summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The deal.</returns>
    public ValueTask<Deal> GetDealAsync(CancellationToken cancellationToken = default) => Engine.GetAsync(DealId, cancellationToken);

    /// <summary>The request one step is fired with, shared by the contexts of its satisfiers.</summary>
    internal sealed class StepRequest(FireRequest value)
    {
        public FireRequest Value { get; set; } = value;
    }
}
