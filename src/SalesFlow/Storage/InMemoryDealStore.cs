using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace SalesFlow;

/// <summary>
/// A thread-safe deal store in memory, for tests, demos and simulations. It applies the same contract as
/// the database stores: optimistic concurrency, atomic state-plus-events saves, gapless sequences.
/// </summary>
/// <remarks>
/// Each deal's history is kept as values in one growing array rather than as one object per event: a
/// long-lived object per event is what makes the garbage collector's work grow with the history, and
/// moves are far more frequent than history reads. Reads return new, equal <see cref="DealEvent"/> instances.
/// Reports (<see cref="SalesReports"/>) fold each deal's stored history in place, one deal after another, rather than
/// reading the feed's interleaved commits.
/// </remarks>
public sealed class InMemoryDealStore : IDealStore, IEventFeedStore
{
    private readonly ConcurrentDictionary<string, Entry> _deals = new(StringComparer.Ordinal);
    private readonly object _createGate = new();
    private readonly Dictionary<string, HandlerState> _handlers = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ChunkedTable<FeedSlot> _feed = new();
    private readonly ChunkedTable<Entry?> _entries = new();
    // The other tenants' stores, on the default tenant's store only: each tenant's deals, feed and handlers are its own.
    private readonly ConcurrentDictionary<string, InMemoryDealStore>? _tenants;
    private int _entryCount;
    private long _lastCommit;

    /// <summary>Initializes a new instance of the <see cref="InMemoryDealStore"/> class, the store of the default tenant.</summary>
    /// <param name="timeProvider">The clock event-feed leases expire by; <see langword="null"/> for the system clock.</param>
    public InMemoryDealStore(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        TenantId = Tenants.Default;
        _tenants = new(StringComparer.Ordinal);
    }

    private InMemoryDealStore(TimeProvider time, string tenantId)
    {
        _time = time;
        TenantId = tenantId;
    }

    /// <inheritdoc/>
    public string TenantId { get; }

    /// <summary>Gets the number of deals stored for the tenant.</summary>
    public int Count => _deals.Count;

    /// <summary>Gets the store of one tenant: its own deals, events, feed and handlers, kept apart from every other tenant's.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <returns>The tenant's store (this store for its own tenant).</returns>
    /// <exception cref="ArgumentException">The tenant id is invalid.</exception>
    /// <exception cref="InvalidOperationException">This is another tenant's store: only the default tenant's store opens other tenants.</exception>
    public InMemoryDealStore ForTenant(string tenantId) =>
        DealStoreChecks.IsOwnTenant(tenantId, TenantId, isTenantStore: _tenants is null)
            ? this
            : _tenants!.GetOrAdd(tenantId, static (id, time) => new InMemoryDealStore(time, id), _time);

    /// <inheritdoc/>
    IDealStore IDealStore.ForTenant(string tenantId) => ForTenant(tenantId);

    /// <inheritdoc/>
    public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        cancellationToken.ThrowIfCancellationRequested();
        return new(_deals.TryGetValue(dealId, out var entry) ? entry.Deal : null);
    }

    /// <inheritdoc/>
    public ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateSave(writes, TenantId);
        cancellationToken.ThrowIfCancellationRequested();
        return new(writes.Count == 1 ? TrySaveOne(writes[0]) : TrySaveMany(writes));
    }

    private bool TrySaveOne(DealWrite write)
    {
        var (deal, expectedVersion, events) = write;
        if (expectedVersion == 0)
        {
            if (!Entry.KeysAreUnique(events))
            {
                return false;
            }

            var created = new Entry(deal, events);
            lock (_createGate)
            {
                if (!_deals.TryAdd(deal.Id, created))
                {
                    return false;
                }

                Register(created);
                return true;
            }
        }

        if (!_deals.TryGetValue(deal.Id, out var entry))
        {
            return false;
        }

        lock (entry)
        {
            if (entry.Deal.Version != expectedVersion)
            {
                return false;
            }

            DealStoreChecks.ValidateSequence(entry.Deal, events);
            if (!entry.KeysAreFree(events))
            {
                return false;
            }

            var first = entry.Count;
            entry.Append(events);
            entry.Redact(write.RedactedEvents);
            entry.Deal = deal;
            Publish(entry, first, events.Count);
        }

        return true;
    }

    // Several deals at once (a referral): the create gate, then each existing deal's lock in id order, so two
    // multi-deal saves never wait for each other in a circle; all are checked before any is changed.
    private bool TrySaveMany(IReadOnlyList<DealWrite> writes)
    {
        var ordered = writes.OrderBy(w => w.Deal.Id, StringComparer.Ordinal).ToArray();
        var entries = new Entry?[ordered.Length];
        var locked = 0;
        lock (_createGate)
        {
            try
            {
                for (var i = 0; i < ordered.Length; i++)
                {
                    var write = ordered[i];
                    var exists = _deals.TryGetValue(write.Deal.Id, out var entry);
                    if (write.ExpectedVersion == 0)
                    {
                        if (exists || !Entry.KeysAreUnique(write.Events))
                        {
                            return false;
                        }

                        continue;
                    }

                    if (!exists)
                    {
                        return false;
                    }

                    Monitor.Enter(entry!);
                    entries[i] = entry;
                    locked++;
                    if (entry!.Deal.Version != write.ExpectedVersion)
                    {
                        return false;
                    }

                    DealStoreChecks.ValidateSequence(entry.Deal, write.Events);
                    if (!entry.KeysAreFree(write.Events))
                    {
                        return false;
                    }
                }

                for (var i = 0; i < ordered.Length; i++)
                {
                    var write = ordered[i];
                    if (entries[i] is { } entry)
                    {
                        var first = entry.Count;
                        entry.Append(write.Events);
                        entry.Redact(write.RedactedEvents);
                        entry.Deal = write.Deal;
                        Publish(entry, first, write.Events.Count);
                    }
                    else
                    {
                        var created = new Entry(write.Deal, write.Events);
                        _deals[write.Deal.Id] = created;
                        Register(created);
                    }
                }

                return true;
            }
            finally
            {
                for (var i = 0; i < entries.Length && locked > 0; i++)
                {
                    if (entries[i] is { } entry)
                    {
                        Monitor.Exit(entry);
                        locked--;
                    }
                }
            }
        }
    }

    /// <inheritdoc/>
    public bool SupportsEventRedaction => true;

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        DealStoreChecks.ValidatePage(afterSequence, limit);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_deals.TryGetValue(dealId, out var entry))
        {
            return new(Array.Empty<DealEvent>());
        }

        lock (entry)
        {
            // Sequences are 1, 2, 3 … so the index of sequence n is n - 1.
            var start = (int)Math.Min(afterSequence, entry.Count);
            var count = Math.Min(entry.Count - start, limit ?? int.MaxValue);
            var page = new DealEvent[count];
            for (var i = 0; i < count; i++)
            {
                page[i] = entry.Events[start + i].ToEvent(entry.Deal.Id);
            }

            return new(page);
        }
    }

    /// <inheritdoc/>
    public ValueTask<DealEvent?> FindByIdempotencyKeyAsync(string dealId, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_deals.TryGetValue(dealId, out var entry))
        {
            return new((DealEvent?)null);
        }

        lock (entry)
        {
            return new(entry.SequenceOf(idempotencyKey) is { } sequence ? entry.Events[sequence - 1].ToEvent(dealId) : null);
        }
    }

    /// <inheritdoc/>
    public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateQuery(query);
        cancellationToken.ThrowIfCancellationRequested();
        var matches = _deals.Values
            .Select(e => e.Deal)
            .Where(d => query.AfterDealId is null || string.CompareOrdinal(d.Id, query.AfterDealId) > 0)
            .Where(d => query.PipelineId is null || string.Equals(d.PipelineId, query.PipelineId, StringComparison.Ordinal))
            .Where(d => query.PipelineVersion is null || d.PipelineVersion == query.PipelineVersion)
            .Where(d => query.StageId is null || string.Equals(d.StageId, query.StageId, StringComparison.Ordinal))
            .Where(d => query.FollowUpDueAtOrBefore is null || (d.NextFollowUpAt is { } due && due <= query.FollowUpDueAtOrBefore))
            .Where(d => query.IdleSince is null || d.LastActivityAt < query.IdleSince)
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .Take(query.Limit + 1)
            .ToList();
        var hasMore = matches.Count > query.Limit;
        if (hasMore)
        {
            matches.RemoveAt(matches.Count - 1);
        }

        return new(new DealPage(matches, hasMore ? matches[^1].Id : null));
    }

    /// <inheritdoc/>
    public ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateImport(batch, TenantId);
        cancellationToken.ThrowIfCancellationRequested();
        // Creating deals (a start or an import) takes this lock, so the check below holds while the batch is added:
        // nothing created meanwhile is overwritten, and a refused batch adds nothing.
        lock (_createGate)
        {
            var existing = batch.Where(i => _deals.ContainsKey(i.Deal.Id)).Select(i => $"Deal '{i.Deal.Id}' already exists.").ToList();
            if (existing.Count > 0)
            {
                throw new DealImportException(existing);
            }

            foreach (var item in batch)
            {
                var entry = new Entry(item.Deal, item.Events);
                _deals[item.Deal.Id] = entry;
                Register(entry);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<FeedEvent>> ReadFeedAsync(FeedPosition after, int limit, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateFeedRead(limit);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<FeedEvent>();
        for (var commit = Math.Max(after.Commit, 1); result.Count < limit; commit++)
        {
            var index = commit - 1;
            if (_feed.Chunk(index) is not { } chunk)
            {
                break;
            }

            ref var slot = ref chunk[ChunkedTable<FeedSlot>.Offset(index)];
            // A commit numbered but not published yet ends the read: nothing after it is handed out before it.
            var number = Volatile.Read(ref slot.EntryNumber);
            if (number == 0)
            {
                break;
            }

            var entry = EntryAt(number);
            var events = entry.Events;
            var pipelineId = entry.Deal.PipelineId;
            var firstOffset = commit == after.Commit ? after.Offset + 1 : 0;
            for (var offset = firstOffset; offset < slot.Count && result.Count < limit; offset++)
            {
                result.Add(new FeedEvent(new FeedPosition(commit, offset), pipelineId, events[slot.First + (int)offset].ToEvent(entry.Id)) { TenantId = TenantId });
            }
        }

        return new(result);
    }

    /// <inheritdoc/>
    public ValueTask<FeedPosition> GetCheckpointAsync(string handler, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateHandler(handler);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_handlers)
        {
            return new(_handlers.TryGetValue(handler, out var state) ? state.Checkpoint : FeedPosition.Start);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryAcquireLeaseAsync(string handler, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateLease(handler, owner, duration);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        lock (_handlers)
        {
            var state = _handlers.TryGetValue(handler, out var found) ? found : new HandlerState();
            if (state.Owner is not null && !string.Equals(state.Owner, owner, StringComparison.Ordinal) && state.LeaseExpiresAt > now)
            {
                return new(false);
            }

            _handlers[handler] = state with { Owner = owner, LeaseExpiresAt = now + duration };
            return new(true);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> TrySaveCheckpointAsync(string handler, string owner, FeedPosition position, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateLeaseOwner(handler, owner);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_handlers)
        {
            if (!_handlers.TryGetValue(handler, out var state) || !string.Equals(state.Owner, owner, StringComparison.Ordinal) || state.LeaseExpiresAt <= _time.GetUtcNow())
            {
                return new(false);
            }

            _handlers[handler] = state with { Checkpoint = position };
            return new(true);
        }
    }

    /// <inheritdoc/>
    public ValueTask ReleaseLeaseAsync(string handler, string owner, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateLeaseOwner(handler, owner);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_handlers)
        {
            if (_handlers.TryGetValue(handler, out var state) && string.Equals(state.Owner, owner, StringComparison.Ordinal))
            {
                _handlers[handler] = state with { Owner = null, LeaseExpiresAt = default };
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Folds every deal of a pipeline into a report, each with its whole history, in the order the deals were created. The
    /// stored events are read in place, no event is copied, and the fold sees each deal at one version: the snapshot, the
    /// events array and its count are taken together under the deal's lock, and the fold runs after the lock is released
    /// (a writer never waits for a report, and the caller's group key never runs under a lock). Reading the array then is
    /// safe: a later save appends past the count or into a new array, and a redaction rewrites an event with the same kind,
    /// time, trigger and stages, the only fields a fold reads. Deals created after the fold starts are left out.
    /// </summary>
    internal void FoldReport(string pipelineId, ReportFold fold, CancellationToken cancellationToken)
    {
        var count = RegisteredCount();
        for (var number = 1; number <= count; number++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entry = EntryAt(number);
            Deal deal;
            StoredEvent[] events;
            int eventCount;
            lock (entry)
            {
                (deal, events, eventCount) = (entry.Deal, entry.Events, entry.Count);
            }

            if (string.Equals(deal.PipelineId, pipelineId, StringComparison.Ordinal))
            {
                var index = fold.AddHistory(deal);
                for (var i = 0; i < eventCount; i++)
                {
                    events[i].FoldInto(fold, index);
                }
            }
        }
    }

    // The deals registered when a read starts: every one of them is in the table of deals (both are written under the gate).
    private int RegisteredCount()
    {
        lock (_createGate)
        {
            return _entryCount;
        }
    }

    // Called under the create gate for a deal just added: numbers it in the table of deals (written once per deal)
    // and publishes its first events.
    private void Register(Entry created)
    {
        created.Number = ++_entryCount;
        _entries.Slot(created.Number - 1) = created;
        Publish(created, 0, created.Count);
    }

    // Called under the deal's lock (or the create gate) once the write stands: numbers the commit and publishes it
    // to the feed. Readers stop at the first numbered but unpublished commit, so none is skipped.
    private void Publish(Entry entry, int first, int count)
    {
        var commit = Interlocked.Increment(ref _lastCommit);
        ref var slot = ref _feed.Slot(commit - 1);
        slot.First = first;
        slot.Count = count;
        Volatile.Write(ref slot.EntryNumber, entry.Number);
    }

    private Entry EntryAt(int number) => _entries.Chunk(number - 1)![ChunkedTable<Entry?>.Offset(number - 1)]!;

    // Values only: publishing a commit writes no reference into the long-lived feed table, so the garbage collector has
    // nothing new to trace there however long the feed grows. EntryNumber 0 means numbered but not published yet.
    private struct FeedSlot
    {
        public int EntryNumber;
        public int First;
        public int Count;
    }

    private sealed record HandlerState
    {
        public FeedPosition Checkpoint { get; init; }

        public string? Owner { get; init; }

        public DateTimeOffset LeaseExpiresAt { get; init; }
    }

    private sealed class Entry
    {
        public Entry(Deal deal, IReadOnlyList<DealEvent> events)
        {
            Deal = deal;
            Events = new StoredEvent[Math.Max(8, events.Count)];
            Append(events);
        }

        public Deal Deal { get; set; }

        public string Id => Deal.Id;

        public int Number { get; set; }

        public StoredEvent[] Events { get; private set; }

        public int Count { get; private set; }

        // Idempotency key → sequence; most deals have none.
        private Dictionary<string, int>? Keys { get; set; }

        public static bool KeysAreUnique(IReadOnlyList<DealEvent> events)
        {
            for (var i = 0; i < events.Count; i++)
            {
                for (var j = i + 1; events[i].IdempotencyKey is { } key && j < events.Count; j++)
                {
                    if (string.Equals(key, events[j].IdempotencyKey, StringComparison.Ordinal))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        public bool KeysAreFree(IReadOnlyList<DealEvent> events)
        {
            if (!KeysAreUnique(events))
            {
                return false;
            }

            for (var i = 0; i < events.Count; i++)
            {
                if (events[i].IdempotencyKey is { } key && Keys?.ContainsKey(key) == true)
                {
                    return false;
                }
            }

            return true;
        }

        public int? SequenceOf(string key) => Keys is not null && Keys.TryGetValue(key, out var index) ? index + 1 : null;

        public void Append(IReadOnlyList<DealEvent> events)
        {
            if (Count + events.Count > Events.Length)
            {
                var grown = new StoredEvent[Math.Max(Events.Length * 2, Count + events.Count)];
                Array.Copy(Events, grown, Count);
                Events = grown;
            }

            for (var i = 0; i < events.Count; i++)
            {
                if (events[i].IdempotencyKey is { } key)
                {
                    (Keys ??= new(StringComparer.Ordinal))[key] = Count;
                }

                Events[Count++] = new StoredEvent(events[i]);
            }
        }

        // Sequences are 1, 2, 3 … so the index of sequence n is n - 1; the checks made sure each one is stored.
        public void Redact(IReadOnlyList<DealEvent> redacted)
        {
            foreach (var r in redacted)
            {
                var stored = Events[r.Sequence - 1].ToEvent(Id);
                Events[r.Sequence - 1] = new StoredEvent(stored with
                {
                    Note = r.Note,
                    Reason = r.Reason,
                    OverrideJustification = r.OverrideJustification,
                    Properties = r.Properties,
                });
            }
        }
    }

    /// <summary>A <see cref="DealEvent"/> held as a value (the deal id is the entry's).</summary>
    private readonly struct StoredEvent(DealEvent e)
    {
        private readonly long _sequence = e.Sequence;
        private readonly DateTimeOffset _timestamp = e.Timestamp;
        private readonly DealEventKind _kind = e.Kind;
        private readonly string _actor = e.Actor;
        private readonly string? _trigger = e.Trigger;
        private readonly string? _fromStage = e.FromStage;
        private readonly string _toStage = e.ToStage;
        private readonly string? _activity = e.Activity;
        private readonly string? _note = e.Note;
        private readonly string? _reason = e.Reason;
        private readonly ImmutableArray<string> _overriddenGuards = e.OverriddenGuards;
        private readonly string? _overrideJustification = e.OverrideJustification;
        private readonly ImmutableDictionary<string, string> _properties = e.Properties;
        private readonly string? _idempotencyKey = e.IdempotencyKey;

        public void FoldInto(ReportFold fold, int index) => fold.Add(index, _kind, _timestamp.UtcTicks, _trigger, _fromStage, _toStage);

        public DealEvent ToEvent(string dealId) => new()
        {
            DealId = dealId,
            Sequence = _sequence,
            Kind = _kind,
            Timestamp = _timestamp,
            Actor = _actor,
            Trigger = _trigger,
            FromStage = _fromStage,
            ToStage = _toStage,
            Activity = _activity,
            Note = _note,
            Reason = _reason,
            OverriddenGuards = _overriddenGuards,
            OverrideJustification = _overrideJustification,
            Properties = _properties,
            IdempotencyKey = _idempotencyKey,
        };
    }
}
