using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace SalesFlow;

/// <summary>How a <see cref="SalesFlowEngine"/> behaves. Every property has a safe default.</summary>
public sealed class SalesFlowEngineOptions
{
    /// <summary>Gets or sets the clock that stamps events.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets how many times a change is retried on fresh state after a concurrency conflict.</summary>
    /// <value>The default value is 3.</value>
    public int ConflictRetryCount { get; set; } = 3;

    /// <summary>Gets or sets who may force refused moves.</summary>
    /// <value>The default value is <see cref="OverridePolicy.Nobody"/>.</value>
    public OverridePolicy OverridePolicy { get; set; } = OverridePolicy.Nobody;

    /// <summary>Gets the hooks run around every move, after each pipeline's own hooks, in list order.</summary>
    public IList<IDealHook> Hooks { get; } = [];

    /// <summary>Gets or sets where the engine logs (ids, stage and trigger names only; never deal data).</summary>
    /// <value>The default value is <c>null</c>: nothing is logged.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Gets or sets the factory the <c>SalesFlow</c> meter is created through (dependency injection provides one).
    /// See <see cref="SalesFlowDiagnostics"/> for the instruments.
    /// </summary>
    /// <value>The default value is <c>null</c>: one process-wide <c>SalesFlow</c> meter is used.</value>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// Gets or sets where hooks that live for one move come from (for example a dependency-injection scope per move);
    /// they run after <see cref="Hooks"/>.
    /// </summary>
    /// <value>The default value is <c>null</c>: only <see cref="Hooks"/> and the pipelines' own hooks run.</value>
    public IDealHookScopeFactory? HookScopeFactory { get; set; }
}
