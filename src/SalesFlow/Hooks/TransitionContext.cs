namespace SalesFlow;

/// <summary>
/// What a hook sees of a change to a deal — a start, a move or an activity: the deal before and after, the event
/// that records it, and who made it. <see cref="Kind"/> tells which.
/// </summary>
public sealed class TransitionContext
{
    internal TransitionContext(PipelineDefinition pipeline, Deal? before, Deal after, DealEvent @event, FireRequest? request, int attempt)
    {
        Attempt = attempt;
        Pipeline = pipeline;
        Before = before;
        After = after;
        Event = @event;
        Request = request;
    }

    /// <summary>
    /// Gets the try of this change, starting at 0. When another writer changed the deal first, the engine retries the
    /// change on the fresh deal in a fresh hook scope, so <see cref="HookPhase.Transitioning"/> hooks can run once per
    /// try (with 1, 2 … here); <see cref="HookPhase.Transitioned"/> hooks run once, for the try that was saved.
    /// </summary>
    public int Attempt { get; }

    /// <summary>Gets the pipeline the deal runs on.</summary>
    public PipelineDefinition Pipeline { get; }

    /// <summary>
    /// Gets what changed: <see cref="DealEventKind.Started"/>, <see cref="DealEventKind.Transition"/>,
    /// <see cref="DealEventKind.Activity"/> or <see cref="DealEventKind.Migrated"/>. A migration runs the global hooks only
    /// (no stage is entered or left in the sales sense); <see cref="Pipeline"/> is then the new version and
    /// <see cref="Before"/> the deal on the old one.
    /// </summary>
    public DealEventKind Kind => Event.Kind;

    /// <summary>Gets the deal before the change; <see langword="null"/> for a start.</summary>
    public Deal? Before { get; }

    /// <summary>Gets the deal after the change (saved, in <see cref="HookPhase.Transitioned"/> hooks).</summary>
    public Deal After { get; }

    /// <summary>Gets the event that records the change.</summary>
    public DealEvent Event { get; }

    /// <summary>Gets the request a move was fired with; <see langword="null"/> for starts and activities.</summary>
    public FireRequest? Request { get; }

    /// <summary>Gets the trigger fired; <see langword="null"/> for starts and activities.</summary>
    public string? Trigger => Event.Trigger;

    /// <summary>Gets the activity type (for example <c>objection.raised</c>); <see langword="null"/> for starts and moves.</summary>
    public string? Activity => Event.Activity;

    /// <summary>Gets the stage the change started from; <see langword="null"/> for a start.</summary>
    public string? FromStage => Before?.StageId;

    /// <summary>Gets the stage the deal is in after the change.</summary>
    public string ToStage => After.StageId;

    /// <summary>Gets a value indicating whether the deal entered a stage: a start, or a move that is not an internal action.</summary>
    public bool ChangesStage => Kind == DealEventKind.Started || (Kind == DealEventKind.Transition && !IsInternal);

    /// <summary>Gets a value indicating whether the trigger was an internal action (the deal stays in its stage).</summary>
    public bool IsInternal { get; internal init; }

    /// <summary>Gets the actor who made the change.</summary>
    public string Actor => Event.Actor;

    /// <summary>Gets the deal's data as <typeparamref name="TData"/> (after the change); immutable, like every deal data.</summary>
    /// <typeparam name="TData">The pipeline's data type.</typeparam>
    /// <returns>The data.</returns>
    public TData DataAs<TData>() => After.DataAs<TData>();
}
