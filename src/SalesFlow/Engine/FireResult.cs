namespace SalesFlow;

/// <summary>The result of <see cref="SalesFlowEngine.FireAsync"/>.</summary>
public sealed class FireResult
{
    private FireResult(FireStatus status, string trigger, Deal deal)
    {
        Status = status;
        Trigger = trigger;
        Deal = deal;
    }

    /// <summary>Gets the outcome.</summary>
    public FireStatus Status { get; }

    /// <summary>Gets a value indicating whether the move was saved.</summary>
    public bool Accepted => Status == FireStatus.Accepted;

    /// <summary>Gets the trigger that was fired.</summary>
    public string Trigger { get; }

    /// <summary>Gets the deal: after the move when accepted, otherwise as it was last read.</summary>
    public Deal Deal { get; }

    /// <summary>Gets the event that records an accepted move; <see langword="null"/> otherwise.</summary>
    public DealEvent? Event { get; private init; }

    /// <summary>Gets every guard that refused the move (for <see cref="FireStatus.Rejected"/>, and for an override <see cref="FireStatus.Forbidden"/>), or that an override bypassed.</summary>
    public IReadOnlyList<UnmetGuard> UnmetGuards { get; private init; } = [];

    /// <summary>Gets what was denied (for <see cref="FireStatus.Forbidden"/>): <see cref="DealAction.Move"/> or <see cref="DealAction.Override"/>.</summary>
    public DealAction? ForbiddenAction { get; private init; }

    /// <summary>Gets why the move was denied (for <see cref="FireStatus.Forbidden"/>); otherwise <see langword="null"/>.</summary>
    public string? ForbiddenReason { get; private init; }

    /// <summary>Gets the triggers that can move the deal from its stage (for <see cref="FireStatus.NotPermitted"/>).</summary>
    public IReadOnlyList<string> PermittedTriggers { get; private init; } = [];

    /// <summary>Gets the hook that aborted the move (for <see cref="FireStatus.Aborted"/>).</summary>
    public HookFailure? FailedHook { get; private init; }

    /// <summary>Gets the <see cref="HookPhase.Transitioned"/> hooks that threw after an accepted move was saved.</summary>
    public IReadOnlyList<HookFailure> HookFailures { get; private init; } = [];

    // False when the trigger is not one of the pipeline's: metrics then tag it "unknown" so callers cannot grow series.
    internal bool TriggerKnown { get; private init; } = true;

    /// <summary>
    /// Gets a value indicating whether this result repeats an earlier accepted request with the same
    /// <see cref="FireRequest.IdempotencyKey"/>: nothing was written now; <see cref="Event"/> is the event the first
    /// request wrote and <see cref="Deal"/> the deal as stored now.
    /// </summary>
    public bool Repeated { get; private init; }

    /// <summary>Gets how many times the move was retried after a concurrency conflict.</summary>
    public int ConflictRetries { get; private init; }

    /// <summary>Throws a typed exception unless the move was accepted.</summary>
    /// <returns>This result, when accepted.</returns>
    /// <exception cref="MoveRejectedException">Guards refused the move.</exception>
    /// <exception cref="MoveNotPermittedException">The trigger makes no move from the deal's stage.</exception>
    /// <exception cref="DealConflictException">The move gave up after concurrency conflicts.</exception>
    /// <exception cref="HookAbortedException">A <see cref="HookPhase.Transitioning"/> hook aborted the move.</exception>
    /// <exception cref="DealForbiddenException">The caller may not make the move or override its guards.</exception>
    public FireResult EnsureAccepted() => Status switch
    {
        FireStatus.Accepted => this,
        FireStatus.Rejected => throw new MoveRejectedException(Deal.Id, Trigger, Deal.StageId, UnmetGuards),
        FireStatus.Forbidden => throw new DealForbiddenException(Deal.Id, ForbiddenAction!.Value, Trigger, ForbiddenReason!),
        FireStatus.NotPermitted => throw new MoveNotPermittedException(Deal.Id, Trigger, Deal.StageId, PermittedTriggers),
        FireStatus.Conflict => throw new DealConflictException(Deal.Id, ConflictRetries),
        _ => throw new HookAbortedException(Deal.Id, Trigger, FailedHook!),
    };

    /// <inheritdoc/>
    public override string ToString() => $"{Trigger} on deal {Deal.Id}: {Status}";

    internal static FireResult ForAccepted(string trigger, Deal deal, DealEvent @event, IReadOnlyList<UnmetGuard> overridden, IReadOnlyList<HookFailure> hookFailures, int retries) =>
        new(FireStatus.Accepted, trigger, deal) { Event = @event, UnmetGuards = overridden, HookFailures = hookFailures, ConflictRetries = retries };

    internal static FireResult ForRepeat(string trigger, Deal deal, DealEvent first, int retries) =>
        new(FireStatus.Accepted, trigger, deal) { Event = first, UnmetGuards = Overridden(first), Repeated = true, ConflictRetries = retries };

    internal static FireResult ForRejected(string trigger, Deal deal, IReadOnlyList<UnmetGuard> unmet, int retries) =>
        new(FireStatus.Rejected, trigger, deal) { UnmetGuards = unmet, ConflictRetries = retries };

    internal static FireResult ForForbidden(string trigger, Deal deal, DealAction action, string reason, IReadOnlyList<UnmetGuard> unmet, int retries) =>
        new(FireStatus.Forbidden, trigger, deal) { ForbiddenAction = action, ForbiddenReason = reason, UnmetGuards = unmet, ConflictRetries = retries };

    internal static FireResult ForNotPermitted(string trigger, Deal deal, IReadOnlyList<string> permitted, int retries, bool triggerKnown) =>
        new(FireStatus.NotPermitted, trigger, deal) { PermittedTriggers = permitted, ConflictRetries = retries, TriggerKnown = triggerKnown };

    internal static FireResult ForConflict(string trigger, Deal deal, int retries) =>
        new(FireStatus.Conflict, trigger, deal) { ConflictRetries = retries };

    internal static FireResult ForAborted(string trigger, Deal deal, HookFailure failure, int retries) =>
        new(FireStatus.Aborted, trigger, deal) { FailedHook = failure, ConflictRetries = retries };

    // A repeat lists the guards the first move overrode by code (their reasons are not stored).
    private static IReadOnlyList<UnmetGuard> Overridden(DealEvent first) =>
        first.OverriddenGuards.IsDefaultOrEmpty ? [] : [.. first.OverriddenGuards.Select(code => new UnmetGuard(code, code))];
}
