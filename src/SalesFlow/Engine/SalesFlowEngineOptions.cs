using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace SalesFlow;

/// <summary>
/// How a <see cref="SalesFlowEngine"/> behaves: the one options class of the engine, used by hand-built engines and
/// bound from configuration (section <c>SalesFlow</c>) by the dependency-injection package. Every property has a safe default.
/// </summary>
public sealed class SalesFlowEngineOptions
{
    /// <summary>The most conflict retries <see cref="ConflictRetryCount"/> may ask for.</summary>
    public const int MaxConflictRetryCount = 100;

    /// <summary>The longest <see cref="AfterSaveHookTimeout"/> allowed.</summary>
    public static readonly TimeSpan MaxAfterSaveHookTimeout = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the clock that stamps events.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets how many times a change is retried on fresh state after a concurrency conflict (0 to <see cref="MaxConflictRetryCount"/>).</summary>
    /// <value>The default value is 3.</value>
    public int ConflictRetryCount { get; set; } = 3;

    /// <summary>
    /// Gets or sets how long <see cref="HookPhase.Transitioned"/> hooks may run after a save before their cancellation
    /// token is cancelled (the change stands either way; a hook that overruns is reported as failed). Work that must not
    /// be lost belongs in an event-feed handler, not in an after-save hook.
    /// </summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan AfterSaveHookTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets the actors allowed to force refused moves past their guards on every pipeline, besides the roles that may
    /// (convenient from configuration: <c>SalesFlow:OverrideActors:0</c>).
    /// </summary>
    public IList<string> OverrideActors { get; } = [];

    /// <summary>
    /// Gets the roles allowed to force refused moves past their guards on every pipeline, besides each pipeline's own
    /// <see cref="PipelinePermissions.Override"/> roles (<c>SalesFlow:OverrideRoles:0</c>). Without any, no one may override.
    /// </summary>
    public IList<string> OverrideRoles { get; } = [];

    /// <summary>
    /// Gets or sets who may do what, asked before anything is saved on every write (start, move, override, activity,
    /// migration), after the pipeline's own <see cref="PipelinePermissions"/>, which it can narrow but not widen.
    /// A denied move returns <see cref="FireStatus.Forbidden"/>; the other writes throw <see cref="DealForbiddenException"/>.
    /// </summary>
    /// <value>The default value is <c>null</c>: the pipelines' permissions alone decide.</value>
    public DealAuthorizer? Authorizer { get; set; }

    /// <summary>
    /// Gets or sets where the engine finds the caller's identity when a request carries none in its <c>User</c> — for
    /// example the signed-in user of the current HTTP request (<c>() =&gt; httpContextAccessor.HttpContext?.User</c>), so
    /// the built-in processes' operations, which take an actor only, are authorized by role too.
    /// </summary>
    /// <value>The default value is <c>null</c>: a request without a <c>User</c> has no roles.</value>
    public Func<System.Security.Claims.ClaimsPrincipal?>? CurrentUser { get; set; }

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

    /// <summary>Gets or sets the limits every write checks before anything is saved (ids, actors, notes, reasons, properties).</summary>
    /// <value>The default value is <see cref="InputLimits.Default"/>.</value>
    public InputLimits InputLimits { get; set; } = InputLimits.Default;

    /// <summary>Lists every problem of these options, each naming its setting; empty when they are valid.</summary>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ConflictRetryCount is < 0 or > MaxConflictRetryCount)
        {
            problems.Add($"SalesFlow:ConflictRetryCount is {ConflictRetryCount}; use a value from 0 to {MaxConflictRetryCount}.");
        }

        if (AfterSaveHookTimeout <= TimeSpan.Zero || AfterSaveHookTimeout > MaxAfterSaveHookTimeout)
        {
            problems.Add($"SalesFlow:AfterSaveHookTimeout is {AfterSaveHookTimeout}; use a duration above zero and at most {MaxAfterSaveHookTimeout}.");
        }

        for (var i = 0; i < OverrideActors.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(OverrideActors[i]))
            {
                problems.Add($"SalesFlow:OverrideActors:{i} is blank; name a user or system id, or remove the entry.");
            }
        }

        for (var i = 0; i < OverrideRoles.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(OverrideRoles[i]))
            {
                problems.Add($"SalesFlow:OverrideRoles:{i} is blank; name a role, or remove the entry.");
            }
        }

        if (TimeProvider is null)
        {
            problems.Add("SalesFlow:TimeProvider is null; leave the default or set a clock.");
        }

        if (InputLimits is null)
        {
            problems.Add("SalesFlow:InputLimits is null; leave the default or set limits.");
        }
        else
        {
            problems.AddRange(InputLimits.Validate());
        }

        return problems;
    }
}
