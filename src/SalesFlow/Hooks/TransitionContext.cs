namespace SalesFlow;

/// <summary>What a hook sees of a move: the deal before and after, the event that records it, and who made it.</summary>
public sealed class TransitionContext
{
    internal TransitionContext(PipelineDefinition pipeline, Deal before, Deal after, DealEvent @event, FireRequest options, int attempt)
    {
        Attempt = attempt;
        Pipeline = pipeline;
        Before = before;
        After = after;
        Event = @event;
        Options = options;
    }

    /// <summary>
    /// Gets the try of this move, starting at 0. When another writer changed the deal first, the engine retries the
    /// move on the fresh deal, so <see cref="HookPhase.Transitioning"/> hooks can run once per try (with 1, 2 …
    /// here); <see cref="HookPhase.Transitioned"/> hooks run once, for the try that was saved.
    /// </summary>
    public int Attempt { get; }

    /// <summary>Gets the pipeline the deal runs on.</summary>
    public PipelineDefinition Pipeline { get; }

    /// <summary>Gets the deal before the move.</summary>
    public Deal Before { get; }

    /// <summary>Gets the deal after the move (saved, in <see cref="HookPhase.Transitioned"/> hooks).</summary>
    public Deal After { get; }

    /// <summary>Gets the event that records the move.</summary>
    public DealEvent Event { get; }

    /// <summary>Gets the options the move was fired with.</summary>
    public FireRequest Options { get; }

    /// <summary>Gets the trigger fired.</summary>
    public string Trigger => Event.Trigger!;

    /// <summary>Gets the stage the move started from.</summary>
    public string FromStage => Before.StageId;

    /// <summary>Gets the stage the move ended in.</summary>
    public string ToStage => After.StageId;

    /// <summary>Gets a value indicating whether the move changed the stage (internal actions do not).</summary>
    public bool ChangesStage => !IsInternal;

    /// <summary>Gets a value indicating whether the trigger was an internal action (the deal stays in its stage).</summary>
    public bool IsInternal { get; internal init; }

    /// <summary>Gets the actor who made the move.</summary>
    public string Actor => Event.Actor;

    /// <summary>
    /// Gets the deal's data as <typeparamref name="TData"/> (after the move). It is the deal's own instance: read it,
    /// never change it (change data with <see cref="SalesFlowEngine.UpdateAsync{TData}(string, Action{TData}, ActivityRequest, CancellationToken)"/>).
    /// </summary>
    /// <typeparam name="TData">The pipeline's data type.</typeparam>
    /// <returns>The data.</returns>
    public TData DataAs<TData>() => After.DataAs<TData>();
}
