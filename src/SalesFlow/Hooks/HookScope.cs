namespace SalesFlow;

/// <summary>Which changes (starts, moves, activities) a hook of a pipeline definition runs for.</summary>
public readonly record struct HookScope
{
    private HookScope(HookScopeKind kind, string? key)
    {
        Kind = kind;
        Key = key;
    }

    /// <summary>Gets a scope matching every change of the pipeline's deals: starts, moves, activities and migrations (see <see cref="TransitionContext.Kind"/>).</summary>
    public static HookScope Global => default;

    /// <summary>Gets the kind of the scope.</summary>
    public HookScopeKind Kind { get; }

    /// <summary>Gets the trigger, stage id or activity type the scope matches; <see langword="null"/> for <see cref="Global"/>.</summary>
    public string? Key { get; }

    /// <summary>A scope matching the moves made by one trigger.</summary>
    /// <param name="trigger">The trigger.</param>
    /// <returns>The scope.</returns>
    public static HookScope Trigger(string trigger) => new(HookScopeKind.Trigger, Require(trigger, nameof(trigger)));

    /// <summary>A scope matching the moves that leave a stage (internal actions do not leave it).</summary>
    /// <param name="stageId">The stage.</param>
    /// <returns>The scope.</returns>
    public static HookScope Exiting(string stageId) => new(HookScopeKind.Exit, Require(stageId, nameof(stageId)));

    /// <summary>A scope matching the moves that enter a stage (internal actions do not enter it).</summary>
    /// <param name="stageId">The stage.</param>
    /// <returns>The scope.</returns>
    public static HookScope Entering(string stageId) => new(HookScopeKind.Enter, Require(stageId, nameof(stageId)));

    /// <summary>Runs the hook for activities of one type (for example <c>objection.raised</c>).</summary>
    /// <param name="activityType">The activity type, as in <see cref="DealEvent.Activity"/>.</param>
    /// <returns>The scope.</returns>
    public static HookScope Activity(string activityType) => new(HookScopeKind.Activity, Require(activityType, nameof(activityType)));

    internal bool Matches(TransitionContext context) => Kind switch
    {
        HookScopeKind.Global => true,
        HookScopeKind.Trigger => context.Kind == DealEventKind.Transition && string.Equals(Key, context.Trigger, StringComparison.Ordinal),
        HookScopeKind.Exit => context.ChangesStage && string.Equals(Key, context.FromStage, StringComparison.Ordinal),
        HookScopeKind.Enter => context.ChangesStage && string.Equals(Key, context.ToStage, StringComparison.Ordinal),
        HookScopeKind.Activity => context.Kind == DealEventKind.Activity && string.Equals(Key, context.Activity, StringComparison.Ordinal),
        _ => false,
    };

    private static string Require(string value, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        return value;
    }
}

/// <summary>The kinds of <see cref="HookScope"/>, in the order their hooks run.</summary>
public enum HookScopeKind
{
    /// <summary>Every change: starts, moves and activities.</summary>
    Global = 0,

    /// <summary>Moves made by one trigger.</summary>
    Trigger = 1,

    /// <summary>Moves leaving one stage.</summary>
    Exit = 2,

    /// <summary>Starts and moves entering one stage.</summary>
    Enter = 3,

    /// <summary>Activities of one type.</summary>
    Activity = 4,
}
