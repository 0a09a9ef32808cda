namespace SalesFlow;

/// <summary>
/// A hook the engine runs around every move of every pipeline, after the pipeline's own hooks.
/// Register instances in <see cref="SalesFlowEngineOptions.Hooks"/> (or by type through dependency injection).
/// </summary>
public interface IDealHook
{
    /// <summary>
    /// Runs before the move is saved. Throw to abort the move: nothing is saved. When another writer changed the deal
    /// first, the engine retries the move on the fresh deal and runs this again (<see cref="TransitionContext.Attempt"/>),
    /// so keep it free of side effects that must happen once; put those in <see cref="OnTransitionedAsync"/>.
    /// </summary>
    /// <param name="context">The move about to be saved.</param>
    /// <param name="cancellationToken">Cancels the move.</param>
    /// <returns>A task that completes when the hook is done.</returns>
    ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken);

    /// <summary>Runs once after the move was saved. An exception is reported in the result and logged; the move stays.</summary>
    /// <param name="context">The saved move.</param>
    /// <param name="cancellationToken">Cancels the hook.</param>
    /// <returns>A task that completes when the hook is done.</returns>
    ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken);
}
