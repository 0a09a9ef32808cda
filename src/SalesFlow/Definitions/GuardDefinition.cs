namespace SalesFlow;

/// <summary>
/// A named condition a move must meet: a stable <see cref="Code"/> (for example <c>bant.budget</c>) and
/// the human <see cref="Reason"/> shown when it is not met.
/// </summary>
public sealed class GuardDefinition
{
    internal GuardDefinition(string code, string reason, Func<GuardContext, bool> predicate, bool isChecklistGuard = false)
    {
        Code = code;
        Reason = reason;
        Predicate = predicate;
        IsChecklistGuard = isChecklistGuard;
    }

    /// <summary>Gets the stable code of the guard.</summary>
    public string Code { get; }

    /// <summary>Gets the reason reported when the guard is not met.</summary>
    public string Reason { get; }

    /// <summary>Gets a value indicating whether the guard comes from a required checklist item.</summary>
    public bool IsChecklistGuard { get; }

    internal Func<GuardContext, bool> Predicate { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Code}: {Reason}";
}
