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
/// </remarks>
public sealed class InMemoryDealStore : IDealStore
{
    private readonly ConcurrentDictionary<string, Entry> _deals = new(StringComparer.Ordinal);
    private readonly object _createGate = new();

    /// <summary>Gets the number of deals stored.</summary>
    public int Count => _deals.Count;

    /// <inheritdoc/>
    public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        cancellationToken.ThrowIfCancellationRequested();
        return new(_deals.TryGetValue(dealId, out var entry) ? entry.Deal : null);
    }

    /// <inheritdoc/>
    public ValueTask<bool> TrySaveAsync(Deal deal, long expectedVersion, IReadOnlyList<DealEvent> events, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateSave(deal, expectedVersion, events);
        cancellationToken.ThrowIfCancellationRequested();
        if (expectedVersion == 0)
        {
            var created = new Entry(deal, events);
            lock (_createGate)
            {
                return new(_deals.TryAdd(deal.Id, created));
            }
        }

        if (!_deals.TryGetValue(deal.Id, out var entry))
        {
            return new(false);
        }

        lock (entry)
        {
            if (entry.Deal.Version != expectedVersion)
            {
                return new(false);
            }

            DealStoreChecks.ValidateSequence(entry.Deal, events);
            entry.Append(events);
            entry.Deal = deal;
        }

        return new(true);
    }

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
    public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default)
    {
        DealStoreChecks.ValidateQuery(query);
        cancellationToken.ThrowIfCancellationRequested();
        var matches = _deals.Values
            .Select(e => e.Deal)
            .Where(d => query.AfterDealId is null || string.CompareOrdinal(d.Id, query.AfterDealId) > 0)
            .Where(d => query.PipelineId is null || string.Equals(d.PipelineId, query.PipelineId, StringComparison.Ordinal))
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
        DealStoreChecks.ValidateImport(batch);
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
                _deals[item.Deal.Id] = new Entry(item.Deal, item.Events);
            }
        }

        return ValueTask.CompletedTask;
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

        public StoredEvent[] Events { get; private set; }

        public int Count { get; private set; }

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
                Events[Count++] = new StoredEvent(events[i]);
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
        };
    }
}
