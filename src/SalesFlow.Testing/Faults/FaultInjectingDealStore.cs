using System.Collections.Concurrent;

namespace SalesFlow.Testing;

/// <summary>
/// A deal store for tests that wraps another and fails or cancels chosen calls, before or after the wrapped store runs
/// them: to check that code over a store copes with a database that fails, a connection lost after a commit, or a
/// caller that gives up at any await. Every call is numbered from 1 in the order made (<see cref="Calls"/>), so a test
/// can fault the n-th call for n = 1, 2, … until a run completes untouched.
/// </summary>
/// <remarks>
/// <para>
/// A fault <see cref="FaultTiming.AfterInnerCall"/> comes after the wrapped store has done the call — a save is then
/// stored, and the caller is told it failed: the outcome a lost connection during a commit leaves. The wrapped store
/// must implement <see cref="IEventFeedStore"/> for the feed members to work. Safe for concurrent use.
/// </para>
/// <para>
/// Tenants: the wrapper serves the wrapped store's tenant (<see cref="TenantId"/>). <see cref="ForTenant"/> wraps the
/// wrapped store's object of that tenant in a wrapper that shares this one's fault plan — one numbering of calls, one
/// list of <see cref="Calls"/> (each call names its tenant, <see cref="DealStoreCall.TenantId"/>), one set of faults —
/// so a test that faults the n-th call faults it whichever tenant makes it, as a database failing under a host serving
/// several tenants would, and a fault meant for one tenant matches on <see cref="DealStoreCall.TenantId"/>.
/// </para>
/// </remarks>
public sealed class FaultInjectingDealStore : IDealStore, IEventFeedStore
{
    private readonly FaultPlan _plan;

    /// <summary>Initializes a new instance of the <see cref="FaultInjectingDealStore"/> class.</summary>
    /// <param name="inner">The store that runs the calls.</param>
    public FaultInjectingDealStore(IDealStore inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
        _plan = new FaultPlan();
    }

    private FaultInjectingDealStore(IDealStore inner, FaultPlan plan)
    {
        Inner = inner;
        _plan = plan;
    }

    /// <summary>Gets the store that runs the calls.</summary>
    public IDealStore Inner { get; }

    /// <summary>Gets the tenant of the wrapped store (<see cref="IDealStore.TenantId"/>).</summary>
    public string TenantId => Inner.TenantId;

    /// <summary>Gets a value indicating whether the wrapped store applies <see cref="DealWrite.RedactedEvents"/> (the wrapper passes them on).</summary>
    public bool SupportsEventRedaction => Inner.SupportsEventRedaction;

    /// <summary>
    /// Gets every call made so far, in order (faulted ones too), through this wrapper and every wrapper that shares its
    /// fault plan (<see cref="ForTenant"/>).
    /// </summary>
    public IReadOnlyList<DealStoreCall> Calls
    {
        get
        {
            lock (_plan.Calls)
            {
                return [.. _plan.Calls];
            }
        }
    }

    /// <summary>
    /// Gets a wrapper of one tenant's store object (<see cref="IDealStore.ForTenant"/> of the wrapped store) that shares
    /// this wrapper's fault plan: the calls of both are numbered in one sequence and listed in one <see cref="Calls"/>,
    /// and every fault added through either applies to both. The same tenant gives the same wrapper each time.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <returns>The tenant's wrapper (this wrapper for its own tenant).</returns>
    /// <exception cref="ArgumentException">The tenant id is invalid.</exception>
    /// <exception cref="InvalidOperationException">The wrapped store is another tenant's store object, which opens no other tenant.</exception>
    /// <exception cref="NotSupportedException">The wrapped store keeps no tenants.</exception>
    public FaultInjectingDealStore ForTenant(string tenantId)
    {
        DealStoreChecks.ValidateTenant(tenantId);
        if (string.Equals(tenantId, TenantId, StringComparison.Ordinal))
        {
            return this;
        }

        // The wrapped store decides first (a tenant's store refuses, a store without tenants does not support it).
        var tenantStore = Inner.ForTenant(tenantId);
        return _plan.TenantStores.GetOrAdd(tenantId, static (_, args) => new FaultInjectingDealStore(args.Store, args.Plan), (Store: tenantStore, Plan: _plan));
    }

    /// <inheritdoc/>
    IDealStore IDealStore.ForTenant(string tenantId) => ForTenant(tenantId);

    /// <summary>Makes the call with number <paramref name="callNumber"/> throw.</summary>
    /// <param name="callNumber">The call's number, from 1.</param>
    /// <param name="timing">Before the wrapped store runs the call, or after.</param>
    /// <param name="exception">Creates the exception to throw.</param>
    /// <returns>This store.</returns>
    public FaultInjectingDealStore FailAt(int callNumber, FaultTiming timing, Func<DealStoreCall, Exception> exception)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(callNumber, 1);
        ArgumentNullException.ThrowIfNull(exception);
        return When(c => c.Number == callNumber, timing, (c, _) => throw exception(c));
    }

    /// <summary>Makes the next call of an operation throw, once.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="timing">Before the wrapped store runs the call, or after.</param>
    /// <param name="exception">Creates the exception to throw.</param>
    /// <returns>This store.</returns>
    public FaultInjectingDealStore FailNext(DealStoreOperation operation, FaultTiming timing, Func<DealStoreCall, Exception> exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Add(new Rule(c => c.Operation == operation, timing, (c, _) => throw exception(c), Once: true));
    }

    /// <summary>
    /// At the call with number <paramref name="callNumber"/>, cancels <paramref name="source"/> and throws
    /// <see cref="OperationCanceledException"/> for its token, as a caller giving up at that await would.
    /// </summary>
    /// <param name="callNumber">The call's number, from 1.</param>
    /// <param name="timing">Before the wrapped store runs the call (it never runs), or after (its work stands).</param>
    /// <param name="source">The caller's cancellation source.</param>
    /// <returns>This store.</returns>
    public FaultInjectingDealStore CancelAt(int callNumber, FaultTiming timing, CancellationTokenSource source)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(callNumber, 1);
        ArgumentNullException.ThrowIfNull(source);
        return When(c => c.Number == callNumber, timing, async (_, _) =>
        {
            await source.CancelAsync().ConfigureAwait(false);
            throw new OperationCanceledException(source.Token);
        });
    }

    /// <summary>Runs <paramref name="fault"/> at every call that matches, before or after the wrapped store runs it; what it throws, the call throws.</summary>
    /// <param name="match">Chooses the calls.</param>
    /// <param name="timing">Before the wrapped store runs the call, or after.</param>
    /// <param name="fault">What to do: throw, delay, cancel a token, change the data underneath.</param>
    /// <returns>This store.</returns>
    public FaultInjectingDealStore When(Func<DealStoreCall, bool> match, FaultTiming timing, Func<DealStoreCall, CancellationToken, ValueTask> fault)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(fault);
        return Add(new Rule(match, timing, fault, Once: false));
    }

    /// <summary>Removes every fault; the calls go on being counted.</summary>
    public void ClearFaults()
    {
        lock (_plan.Rules)
        {
            _plan.Rules.Clear();
        }
    }

    /// <inheritdoc/>
    public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default) =>
        RunAsync(DealStoreOperation.Get, dealId, ct => Inner.GetAsync(dealId, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default) =>
        RunAsync(DealStoreOperation.TrySave, writes is [var first, ..] ? first.Deal.Id : null, ct => Inner.TrySaveAsync(writes, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default) =>
        RunAsync(DealStoreOperation.GetEvents, dealId, ct => Inner.GetEventsAsync(dealId, afterSequence, limit, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<DealEvent?> FindByIdempotencyKeyAsync(string dealId, string idempotencyKey, CancellationToken cancellationToken = default) =>
        RunAsync(DealStoreOperation.FindByIdempotencyKey, dealId, ct => Inner.FindByIdempotencyKeyAsync(dealId, idempotencyKey, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default) =>
        RunAsync(DealStoreOperation.Query, null, ct => Inner.QueryAsync(query, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default) =>
        RunAsync(DealStoreOperation.Import, null, ct => Inner.ImportAsync(batch, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<FeedEvent>> ReadFeedAsync(FeedPosition after, int limit, CancellationToken cancellationToken = default) =>
        RunAsync(DealStoreOperation.ReadFeed, null, ct => Feed.ReadFeedAsync(after, limit, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<FeedPosition> GetCheckpointAsync(string handler, CancellationToken cancellationToken = default) =>
        RunAsync(DealStoreOperation.GetCheckpoint, null, ct => Feed.GetCheckpointAsync(handler, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> TryAcquireLeaseAsync(string handler, string owner, TimeSpan duration, CancellationToken cancellationToken = default) =>
        RunAsync(DealStoreOperation.TryAcquireLease, null, ct => Feed.TryAcquireLeaseAsync(handler, owner, duration, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> TrySaveCheckpointAsync(string handler, string owner, FeedPosition position, CancellationToken cancellationToken = default) =>
        RunAsync(DealStoreOperation.TrySaveCheckpoint, null, ct => Feed.TrySaveCheckpointAsync(handler, owner, position, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask ReleaseLeaseAsync(string handler, string owner, CancellationToken cancellationToken = default) =>
        RunAsync(DealStoreOperation.ReleaseLease, null, ct => Feed.ReleaseLeaseAsync(handler, owner, ct), cancellationToken);

    private IEventFeedStore Feed => Inner as IEventFeedStore
        ?? throw new NotSupportedException($"The wrapped store ({Inner.GetType().Name}) is no {nameof(IEventFeedStore)}.");

    private FaultInjectingDealStore Add(Rule rule)
    {
        lock (_plan.Rules)
        {
            _plan.Rules.Add(rule);
        }

        return this;
    }

    private async ValueTask RunAsync(DealStoreOperation operation, string? dealId, Func<CancellationToken, ValueTask> call, CancellationToken cancellationToken) =>
        await RunAsync(
            operation,
            dealId,
            async ct =>
            {
                await call(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);

    private async ValueTask<T> RunAsync<T>(DealStoreOperation operation, string? dealId, Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        var made = new DealStoreCall(_plan.NextNumber(), operation, dealId) { TenantId = TenantId };
        lock (_plan.Calls)
        {
            _plan.Calls.Add(made);
        }

        await ApplyAsync(made, FaultTiming.BeforeInnerCall, cancellationToken).ConfigureAwait(false);
        var result = await call(cancellationToken).ConfigureAwait(false);
        await ApplyAsync(made, FaultTiming.AfterInnerCall, cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async ValueTask ApplyAsync(DealStoreCall call, FaultTiming timing, CancellationToken cancellationToken)
    {
        List<Rule>? matched = null;
        var rules = _plan.Rules;
        lock (rules)
        {
            for (var i = 0; i < rules.Count; i++)
            {
                var rule = rules[i];
                if (rule.Timing == timing && rule.Match(call))
                {
                    (matched ??= []).Add(rule);
                    if (rule.Once)
                    {
                        rules.RemoveAt(i--);
                    }
                }
            }
        }

        foreach (var rule in matched ?? [])
        {
            await rule.Fault(call, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record Rule(Func<DealStoreCall, bool> Match, FaultTiming Timing, Func<DealStoreCall, CancellationToken, ValueTask> Fault, bool Once);

    /// <summary>What the wrappers of one host's tenants share: the call numbering, the calls made, the faults, the tenants' wrappers.</summary>
    private sealed class FaultPlan
    {
        private int _count;

        public List<DealStoreCall> Calls { get; } = [];

        public List<Rule> Rules { get; } = [];

        // Only the wrapper of the store the host created opens tenants (a tenant's store refuses), so one per tenant id.
        public ConcurrentDictionary<string, FaultInjectingDealStore> TenantStores { get; } = new(StringComparer.Ordinal);

        public int NextNumber() => Interlocked.Increment(ref _count);
    }
}

/// <summary>One call made to a <see cref="FaultInjectingDealStore"/>.</summary>
/// <param name="Number">The call's number, from 1, in the order the calls were made.</param>
/// <param name="Operation">Which member was called.</param>
/// <param name="DealId">The deal the call is about (a save's first deal), or <see langword="null"/>.</param>
public readonly record struct DealStoreCall(int Number, DealStoreOperation Operation, string? DealId)
{
    /// <summary>Gets the tenant of the store object the call was made on (<see cref="IDealStore.TenantId"/>).</summary>
    /// <value>The default value is <see cref="Tenants.Default"/>.</value>
    public string TenantId { get; init; } = Tenants.Default;
}

/// <summary>When a <see cref="FaultInjectingDealStore"/> fault comes.</summary>
public enum FaultTiming
{
    /// <summary>Before the wrapped store runs the call: it never runs.</summary>
    BeforeInnerCall,

    /// <summary>After the wrapped store has run the call: its work (a save) stands, the caller sees the fault.</summary>
    AfterInnerCall,
}

/// <summary>The members of <see cref="IDealStore"/> and <see cref="IEventFeedStore"/>, as <see cref="FaultInjectingDealStore"/> numbers their calls.</summary>
public enum DealStoreOperation
{
    /// <summary><see cref="IDealStore.GetAsync"/>.</summary>
    Get,

    /// <summary><see cref="IDealStore.TrySaveAsync"/>.</summary>
    TrySave,

    /// <summary><see cref="IDealStore.GetEventsAsync"/>.</summary>
    GetEvents,

    /// <summary><see cref="IDealStore.FindByIdempotencyKeyAsync"/>.</summary>
    FindByIdempotencyKey,

    /// <summary><see cref="IDealStore.QueryAsync"/>.</summary>
    Query,

    /// <summary><see cref="IDealStore.ImportAsync"/>.</summary>
    Import,

    /// <summary><see cref="IEventFeedStore.ReadFeedAsync"/>.</summary>
    ReadFeed,

    /// <summary><see cref="IEventFeedStore.GetCheckpointAsync"/>.</summary>
    GetCheckpoint,

    /// <summary><see cref="IEventFeedStore.TryAcquireLeaseAsync"/>.</summary>
    TryAcquireLease,

    /// <summary><see cref="IEventFeedStore.TrySaveCheckpointAsync"/>.</summary>
    TrySaveCheckpoint,

    /// <summary><see cref="IEventFeedStore.ReleaseLeaseAsync"/>.</summary>
    ReleaseLease,
}
