namespace SalesFlow.Testing;

/// <summary>
/// Turns the deal of a test path into one that meets a guard before a step is fired, and optionally into one that does
/// not (to refuse an alternative declared before the step's transition). Register satisfiers by guard code in
/// <see cref="GuardSatisfiers"/>.
/// </summary>
public sealed class GuardSatisfier
{
    private readonly Func<GuardSatisfierContext, CancellationToken, ValueTask> _satisfy;
    private readonly Func<GuardSatisfierContext, CancellationToken, ValueTask>? _violate;

    private GuardSatisfier(
        Func<GuardSatisfierContext, CancellationToken, ValueTask> satisfy,
        Func<GuardSatisfierContext, CancellationToken, ValueTask>? violate,
        string? overrideJustification)
    {
        _satisfy = satisfy;
        _violate = violate;
        OverrideJustification = overrideJustification;
    }

    /// <summary>Gets a satisfier that does nothing: the guard is met by the deal's first data and nothing on the paths unsets it.</summary>
    public static GuardSatisfier AlreadyMet { get; } = new((_, _) => ValueTask.CompletedTask, null, null);

    /// <summary>Gets a value indicating whether the satisfier can also make the guard unmet (see <see cref="ViolateAsync"/>).</summary>
    public bool CanViolate => _violate is not null;

    /// <summary>
    /// Gets the justification of an override satisfier (<see cref="Override"/>); <see langword="null"/> for a satisfier
    /// that meets the guard for real.
    /// </summary>
    public string? OverrideJustification { get; }

    /// <summary>Gets a value indicating whether the satisfier forces the move past the guard instead of meeting it.</summary>
    public bool IsOverride => OverrideJustification is not null;

    /// <summary>Creates a satisfier from code that changes the deal (or the step's request) through the context.</summary>
    /// <param name="satisfy">Makes the guard met.</param>
    /// <param name="violate">Makes the guard unmet; <see langword="null"/> when not needed.</param>
    /// <returns>The satisfier.</returns>
    public static GuardSatisfier Create(
        Func<GuardSatisfierContext, CancellationToken, ValueTask> satisfy,
        Func<GuardSatisfierContext, CancellationToken, ValueTask>? violate = null)
    {
        ArgumentNullException.ThrowIfNull(satisfy);
        return new GuardSatisfier(satisfy, violate, null);
    }

    /// <summary>
    /// Creates a satisfier that changes the deal's data through
    /// <see cref="SalesFlowEngine.UpdateAsync{TData}(string, Func{TData, TData}, string, CancellationToken)"/>.
    /// </summary>
    /// <typeparam name="TData">The pipeline's data type.</typeparam>
    /// <param name="satisfy">Returns data that meets the guard (<c>d =&gt; d with { Signed = true }</c>).</param>
    /// <param name="violate">Returns data that does not meet it; <see langword="null"/> when not needed.</param>
    /// <returns>The satisfier.</returns>
    public static GuardSatisfier Data<TData>(Func<TData, TData> satisfy, Func<TData, TData>? violate = null)
        where TData : class
    {
        ArgumentNullException.ThrowIfNull(satisfy);
        return new GuardSatisfier(
            (context, ct) => Update(context, satisfy, ct),
            violate is null ? null : (context, ct) => Update(context, violate, ct),
            null);
    }

    /// <summary>
    /// Creates a satisfier for a guard that reads the move's input: it changes the request the step is fired with
    /// (<c>r =&gt; r with { Reason = "No budget" }</c>, an argument, a note, an event property).
    /// </summary>
    /// <param name="satisfy">Returns the request with what meets the guard.</param>
    /// <param name="violate">Returns the request without it; <see langword="null"/> when not needed.</param>
    /// <returns>The satisfier.</returns>
    public static GuardSatisfier Request(Func<FireRequest, FireRequest> satisfy, Func<FireRequest, FireRequest>? violate = null)
    {
        ArgumentNullException.ThrowIfNull(satisfy);
        return new GuardSatisfier(
            (context, _) => ChangeRequest(context, satisfy),
            violate is null ? null : (context, _) => ChangeRequest(context, violate),
            null);
    }

    /// <summary>
    /// Creates a satisfier for a guard no data can meet (a policy such as "never quote the price before Desire"): the step
    /// is fired with an <see cref="FireRequest.OverrideJustification"/>, and the harness lets its actor override. The harness
    /// checks that the move bypassed no guard other than those with an override satisfier. An override takes the trigger's
    /// first declared transition, so it cannot select a later alternative.
    /// </summary>
    /// <param name="justification">The justification recorded in the event.</param>
    /// <returns>The satisfier.</returns>
    public static GuardSatisfier Override(string justification)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(justification);
        return new GuardSatisfier((context, _) => ChangeRequest(context, r => r with { OverrideJustification = justification }), null, justification);
    }

    /// <summary>Makes the context's guard met.</summary>
    /// <param name="context">The path, step, deal and request.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>A task that completes when the deal (or request) is changed.</returns>
    public ValueTask SatisfyAsync(GuardSatisfierContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _satisfy(context, cancellationToken);
    }

    /// <summary>Makes the context's guard unmet, to refuse an alternative the step must not take.</summary>
    /// <param name="context">The path, step, deal and request.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>A task that completes when the deal (or request) is changed.</returns>
    /// <exception cref="InvalidOperationException">The satisfier cannot make the guard unmet (<see cref="CanViolate"/> is false).</exception>
    public ValueTask ViolateAsync(GuardSatisfierContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _violate is null
            ? throw new InvalidOperationException($"The satisfier of guard '{context.Guard.Code}' cannot make it unmet: create it with a violate function.")
            : _violate(context, cancellationToken);
    }

    private static async ValueTask Update<TData>(GuardSatisfierContext context, Func<TData, TData> change, CancellationToken cancellationToken)
        where TData : class =>
        await context.Engine.UpdateAsync(context.DealId, change, context.Actor, cancellationToken).ConfigureAwait(false);

    private static ValueTask ChangeRequest(GuardSatisfierContext context, Func<FireRequest, FireRequest> change)
    {
        context.Request = change(context.Request);
        return ValueTask.CompletedTask;
    }
}
