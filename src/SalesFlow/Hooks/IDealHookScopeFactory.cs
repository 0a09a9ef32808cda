namespace SalesFlow;

/// <summary>
/// Supplies hooks that live for one move, such as hooks resolved from a dependency-injection scope so they
/// can use scoped services (a DbContext, a unit of work). Set it in <see cref="SalesFlowEngineOptions.HookScopeFactory"/>.
/// </summary>
/// <remarks>
/// The engine creates one scope per <see cref="SalesFlowEngine.FireAsync"/> call, before the deal is loaded; both
/// hook phases and any concurrency retries of that call share it, and it is disposed when the call returns or throws.
/// Create the expensive parts lazily, on the first read of <see cref="IDealHookScope.Hooks"/>: moves that are
/// refused never read it.
/// </remarks>
public interface IDealHookScopeFactory
{
    /// <summary>Creates the scope of one move.</summary>
    /// <returns>The scope; the engine disposes it.</returns>
    IDealHookScope CreateScope();
}

/// <summary>The hooks of one move; they run after the pipeline's hooks and <see cref="SalesFlowEngineOptions.Hooks"/>, in list order.</summary>
public interface IDealHookScope : IAsyncDisposable
{
    /// <summary>Gets the hooks of this move.</summary>
    IReadOnlyList<IDealHook> Hooks { get; }
}
