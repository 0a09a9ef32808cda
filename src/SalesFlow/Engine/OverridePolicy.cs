namespace SalesFlow;

/// <summary>A request to force a move past unmet guards.</summary>
/// <param name="Actor">Who asks.</param>
/// <param name="Pipeline">The deal's pipeline.</param>
/// <param name="Deal">The deal.</param>
/// <param name="Trigger">The trigger.</param>
/// <param name="UnmetGuards">The guards that would be bypassed.</param>
public sealed record OverrideRequest(string Actor, PipelineDefinition Pipeline, Deal Deal, string Trigger, IReadOnlyList<UnmetGuard> UnmetGuards);

/// <summary>Decides who may force a refused move. The default, <see cref="Nobody"/>, allows no one.</summary>
public abstract class OverridePolicy
{
    /// <summary>Gets a policy that allows no override.</summary>
    public static OverridePolicy Nobody { get; } = new DelegatePolicy(static _ => false);

    /// <summary>A policy that allows the named actors (ordinal comparison).</summary>
    /// <param name="actors">The actors who may override.</param>
    /// <returns>The policy.</returns>
    public static OverridePolicy AllowActors(IEnumerable<string> actors)
    {
        ArgumentNullException.ThrowIfNull(actors);
        var allowed = actors.ToHashSet(StringComparer.Ordinal);
        return new DelegatePolicy(r => allowed.Contains(r.Actor));
    }

    /// <summary>A policy that allows what any of the given policies allows.</summary>
    /// <param name="policies">The policies.</param>
    /// <returns>The combined policy.</returns>
    public static OverridePolicy AnyOf(params OverridePolicy[] policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        var copy = policies.ToArray();
        return new DelegatePolicy(request => Array.Exists(copy, p => p.Allows(request)));
    }

    /// <summary>A policy that asks a function.</summary>
    /// <param name="allows">Returns <see langword="true"/> to allow the request.</param>
    /// <returns>The policy.</returns>
    public static OverridePolicy From(Func<OverrideRequest, bool> allows)
    {
        ArgumentNullException.ThrowIfNull(allows);
        return new DelegatePolicy(allows);
    }

    /// <summary>Decides whether the request may force the move.</summary>
    /// <param name="request">The request.</param>
    /// <returns><see langword="true"/> to allow the override.</returns>
    public abstract bool Allows(OverrideRequest request);

    private sealed class DelegatePolicy(Func<OverrideRequest, bool> allows) : OverridePolicy
    {
        public override bool Allows(OverrideRequest request) => allows(request);
    }
}
