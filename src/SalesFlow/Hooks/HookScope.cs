namespace SalesFlow;

/// <summary>Which moves a hook of a pipeline definition runs for.</summary>
public readonly record struct HookScope
{
    private HookScope(HookScopeKind kind, string? key)
    {
        Kind = kind;
        Key = key;
    }

    /// <summary>Gets a scope matching every move of the pipeline.</summary>
    public static HookScope Global => default;

    /// <summary>Gets the kind of the scope.</summary>
    public HookScopeKind Kind { get; }

    /// <summary>Gets the trigger or stage id the scope matches; <see langword="null"/> for <see cref="Global"/>.</summary>
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

    internal bool Matches(string trigger, string from, string to, bool changesStage) => Kind switch
    {
        HookScopeKind.Global => true,
        HookScopeKind.Trigger => string.Equals(Key, trigger, StringComparison.Ordinal),
        HookScopeKind.Exit => changesStage && string.Equals(Key, from, StringComparison.Ordinal),
        HookScopeKind.Enter => changesStage && string.Equals(Key, to, StringComparison.Ordinal),
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
    /// <summary>Every move.</summary>
    Global = 0,

    /// <summary>Moves made by one trigger.</summary>
    Trigger = 1,

    /// <summary>Moves leaving one stage.</summary>
    Exit = 2,

    /// <summary>Moves entering one stage.</summary>
    Enter = 3,
}
