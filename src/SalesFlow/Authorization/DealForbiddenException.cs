namespace SalesFlow;

/// <summary>The caller may not do what the request asked (the pipeline's permissions or the engine's <see cref="DealAuthorizer"/> said no). Nothing was saved.</summary>
public sealed class DealForbiddenException : SalesFlowException
{
    internal DealForbiddenException(string dealId, DealAction action, string? trigger, string reason)
        : base($"{action}{(trigger is null ? "" : " '" + trigger + "'")} on deal '{dealId}' is forbidden: {reason}. Nothing was saved.")
    {
        DealId = dealId;
        Action = action;
        Trigger = trigger;
        Reason = reason;
    }

    /// <summary>Gets the deal's id.</summary>
    public string DealId { get; }

    /// <summary>Gets what was denied.</summary>
    public DealAction Action { get; }

    /// <summary>Gets the trigger fired, for a move or an override; otherwise <see langword="null"/>.</summary>
    public string? Trigger { get; }

    /// <summary>Gets why it was denied.</summary>
    public string Reason { get; }
}
