namespace SalesFlow;

/// <summary>The outcome of firing a trigger.</summary>
public enum FireStatus
{
    /// <summary>The move was saved.</summary>
    Accepted = 0,

    /// <summary>The move exists but guards refused it; <see cref="FireResult.UnmetGuards"/> lists every one.</summary>
    Rejected = 1,

    /// <summary>The trigger makes no move from the deal's stage; <see cref="FireResult.PermittedTriggers"/> lists those that do.</summary>
    NotPermitted = 2,

    /// <summary>Other writers kept changing the deal; the move was retried and then given up. Nothing was saved.</summary>
    Conflict = 3,

    /// <summary>An <see cref="HookPhase.Transitioning"/> hook threw; nothing was saved. <see cref="FireResult.FailedHook"/> names it.</summary>
    Aborted = 4,

    /// <summary>
    /// The caller may not make this move, or may not override its guards (the pipeline's permissions or the engine's
    /// <see cref="DealAuthorizer"/> said no); nothing was saved. <see cref="FireResult.ForbiddenReason"/> says why.
    /// </summary>
    Forbidden = 5,
}
