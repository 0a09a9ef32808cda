namespace SalesFlow;

/// <summary>Guards refused a move. <see cref="UnmetGuards"/> lists every one.</summary>
public sealed class MoveRejectedException : SalesFlowException
{
    internal MoveRejectedException(string dealId, string trigger, string stageId, IReadOnlyList<UnmetGuard> unmetGuards)
        : base($"'{trigger}' was refused for deal '{dealId}' in stage '{stageId}': "
               + string.Join("; ", unmetGuards.Select(g => g.ToString())) + ". Meet these conditions, then fire again.")
    {
        DealId = dealId;
        Trigger = trigger;
        StageId = stageId;
        UnmetGuards = unmetGuards;
    }

    /// <summary>Gets the deal's id.</summary>
    public string DealId { get; }

    /// <summary>Gets the trigger refused.</summary>
    public string Trigger { get; }

    /// <summary>Gets the stage the deal is in.</summary>
    public string StageId { get; }

    /// <summary>Gets every unmet guard.</summary>
    public IReadOnlyList<UnmetGuard> UnmetGuards { get; }
}

/// <summary>The trigger makes no move from the deal's current stage.</summary>
public sealed class MoveNotPermittedException : SalesFlowException
{
    internal MoveNotPermittedException(string dealId, string trigger, string stageId, IReadOnlyList<string> permittedTriggers)
        : base($"'{trigger}' is not a move from stage '{stageId}' (deal '{dealId}'). "
               + (permittedTriggers.Count == 0 ? "No trigger leads out of this stage." : "Moves from this stage: " + string.Join(", ", permittedTriggers) + "."))
    {
        DealId = dealId;
        Trigger = trigger;
        StageId = stageId;
        PermittedTriggers = permittedTriggers;
    }

    /// <summary>Gets the deal's id.</summary>
    public string DealId { get; }

    /// <summary>Gets the trigger fired.</summary>
    public string Trigger { get; }

    /// <summary>Gets the stage the deal is in.</summary>
    public string StageId { get; }

    /// <summary>Gets the triggers that do move the deal from its stage.</summary>
    public IReadOnlyList<string> PermittedTriggers { get; }
}

/// <summary>Other writers kept changing the deal; the change was retried and then given up. Nothing was saved.</summary>
public sealed class DealConflictException : SalesFlowException
{
    internal DealConflictException(string dealId, int retries)
        : base($"Deal '{dealId}' was changed by someone else {retries + 1} time(s) while this change was being made; nothing was saved. Read the deal again and retry.")
    {
        DealId = dealId;
        Retries = retries;
    }

    /// <summary>Gets the deal's id.</summary>
    public string DealId { get; }

    /// <summary>Gets how many times the change was retried.</summary>
    public int Retries { get; }
}

/// <summary>An <see cref="HookPhase.Transitioning"/> hook threw, so the move was not saved.</summary>
public sealed class HookAbortedException : SalesFlowException
{
    internal HookAbortedException(string dealId, string trigger, HookFailure failure)
        : base($"'{trigger}' on deal '{dealId}' was aborted by hook '{failure.HookName}' ({failure.Exception.GetType().Name}; see InnerException). Nothing was saved.", failure.Exception)
    {
        DealId = dealId;
        Trigger = trigger;
        HookName = failure.HookName;
    }

    /// <summary>Gets the deal's id.</summary>
    public string DealId { get; }

    /// <summary>Gets the trigger fired.</summary>
    public string Trigger { get; }

    /// <summary>Gets the name of the hook that aborted the move.</summary>
    public string HookName { get; }
}
