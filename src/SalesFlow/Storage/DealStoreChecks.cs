namespace SalesFlow;

/// <summary>Argument checks every <see cref="IDealStore"/> applies the same way, so stores fail alike on bad input.</summary>
public static class DealStoreChecks
{
    private const int MaxFeedNameLength = 200;

    /// <summary>Checks the writes of one save: at least one, no deal twice, and each deal fitting its new events.</summary>
    /// <param name="writes">The writes.</param>
    /// <exception cref="ArgumentException">They do not fit together.</exception>
    public static void ValidateSave(IReadOnlyList<DealWrite> writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            throw new ArgumentException("A save needs at least one deal write.", nameof(writes));
        }

        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i] ?? throw new ArgumentException("The writes must not contain null.", nameof(writes));
            ValidateWrite(write.Deal, write.ExpectedVersion, write.Events);
            ValidateRedactions(write);
            for (var j = 0; j < i; j++)
            {
                if (string.Equals(writes[j].Deal.Id, write.Deal.Id, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"Deal '{write.Deal.Id}' appears twice in one save; combine its events into one write.", nameof(writes));
                }
            }
        }
    }

    /// <summary>Checks the writes of one save to a tenant's store: <see cref="ValidateSave(IReadOnlyList{DealWrite})"/>, and every deal of the tenant.</summary>
    /// <param name="writes">The writes.</param>
    /// <param name="tenantId">The store's tenant (<see cref="IDealStore.TenantId"/>).</param>
    /// <exception cref="ArgumentException">They do not fit together, or a deal belongs to another tenant.</exception>
    public static void ValidateSave(IReadOnlyList<DealWrite> writes, string tenantId)
    {
        ValidateSave(writes);
        foreach (var write in writes)
        {
            ValidateOwnTenant(write.Deal, tenantId);
        }
    }

    /// <summary>
    /// Checks a tenant id: 1 to <see cref="Tenants.MaxIdLength"/> characters, no control characters, no half of a surrogate
    /// pair, no leading or trailing white space.
    /// </summary>
    /// <param name="tenantId">The tenant id.</param>
    /// <param name="paramName">The caller's parameter name (filled in by the compiler).</param>
    /// <exception cref="ArgumentException">The tenant id is invalid; the message says why.</exception>
    public static void ValidateTenant(string tenantId, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(tenantId))] string? paramName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId, paramName);
        if (tenantId.Length > Tenants.MaxIdLength)
        {
            throw new ArgumentException($"A tenant id is at most {Tenants.MaxIdLength} characters.", paramName);
        }

        if (char.IsWhiteSpace(tenantId[0]) || char.IsWhiteSpace(tenantId[^1]) || tenantId.AsSpan().ContainsAnyInRange('\0', '\u001f') || tenantId.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            throw new ArgumentException("A tenant id may not start or end with white space or hold a control character.", paramName);
        }

        // Half a surrogate pair has no UTF-8 form: a database stores U+FFFD in its place, which is another such tenant's id.
        if (HasUnpairedSurrogate(tenantId))
        {
            throw new ArgumentException("A tenant id may not hold half of a surrogate pair (text that is not valid Unicode).", paramName);
        }
    }

    // Whether the text holds half of a surrogate pair: it has no UTF-8 form, and databases store U+FFFD in its place.
    internal static bool HasUnpairedSurrogate(ReadOnlySpan<char> text)
    {
        if (!text.ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return false;
        }

        while (!text.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf16(text, out _, out var read) != System.Buffers.OperationStatus.Done)
            {
                return true;
            }

            text = text[read..];
        }

        return false;
    }

    /// <summary>
    /// Checks a request for a tenant's store object (<see cref="IDealStore.ForTenant"/>): the id is valid, and a tenant's
    /// store object opens only itself; only the store object the host created opens other tenants.
    /// </summary>
    /// <param name="tenantId">The tenant asked for.</param>
    /// <param name="storeTenantId">The tenant of the store object asked.</param>
    /// <param name="isTenantStore">Whether the store object asked is a tenant's (made by <see cref="IDealStore.ForTenant"/>).</param>
    /// <returns><see langword="true"/> when <paramref name="tenantId"/> is the store object's own tenant: return the object itself.</returns>
    /// <exception cref="ArgumentException">The tenant id is invalid.</exception>
    /// <exception cref="InvalidOperationException">A tenant's store object was asked for another tenant.</exception>
    public static bool IsOwnTenant(string tenantId, string storeTenantId, bool isTenantStore)
    {
        ValidateTenant(tenantId);
        if (string.Equals(tenantId, storeTenantId, StringComparison.Ordinal))
        {
            return true;
        }

        return isTenantStore
            ? throw new InvalidOperationException($"The store of tenant '{storeTenantId}' cannot open another tenant's store; open tenants on the store the host created.")
            : false;
    }

    /// <summary>Checks that a deal belongs to the tenant of the store it is written to.</summary>
    /// <param name="deal">The deal.</param>
    /// <param name="tenantId">The store's tenant.</param>
    /// <exception cref="ArgumentException">The deal belongs to another tenant.</exception>
    public static void ValidateOwnTenant(Deal deal, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(deal);
        if (!string.Equals(deal.TenantId, tenantId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Deal '{deal.Id}' belongs to tenant '{deal.TenantId}' and cannot be written to the store of tenant '{tenantId}'.", nameof(deal));
        }
    }

    /// <summary>Checks a feed read's arguments.</summary>
    /// <param name="limit">The most events to return.</param>
    /// <exception cref="ArgumentOutOfRangeException">The limit is not between 1 and 10,000.</exception>
    public static void ValidateFeedRead(int limit)
    {
        if (limit is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "A feed read returns between 1 and 10,000 events.");
        }
    }

    /// <summary>Checks the name of an event-feed handler.</summary>
    /// <param name="handler">The handler's name.</param>
    /// <param name="paramName">The caller's parameter name (filled in by the compiler).</param>
    /// <exception cref="ArgumentException">The name is blank or longer than 200 characters.</exception>
    public static void ValidateHandler(string handler, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(handler))] string? paramName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handler, paramName);
        if (handler.Length > MaxFeedNameLength)
        {
            throw new ArgumentException($"Feed handler names are at most {MaxFeedNameLength} characters.", paramName);
        }
    }

    /// <summary>Checks the name of an event-feed handler and of its lease owner.</summary>
    /// <param name="handler">The handler's name.</param>
    /// <param name="owner">The lease owner.</param>
    /// <exception cref="ArgumentException">A name is blank or longer than 200 characters.</exception>
    public static void ValidateLeaseOwner(string handler, string owner)
    {
        ValidateHandler(handler);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        if (owner.Length > MaxFeedNameLength)
        {
            throw new ArgumentException($"Lease owners are at most {MaxFeedNameLength} characters.", nameof(owner));
        }
    }

    /// <summary>Checks a lease request of the event feed: the handler, the owner and a duration above zero.</summary>
    /// <param name="handler">The handler's name.</param>
    /// <param name="owner">The lease owner.</param>
    /// <param name="duration">How long the lease lasts.</param>
    /// <exception cref="ArgumentException">A name is blank or too long, or the duration is not above zero.</exception>
    public static void ValidateLease(string handler, string owner, TimeSpan duration)
    {
        ValidateLeaseOwner(handler, owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
    }

    private static void ValidateRedactions(DealWrite write)
    {
        var redacted = write.RedactedEvents ?? throw new ArgumentException("DealWrite.RedactedEvents must not be null.", nameof(write));
        if (redacted.Count == 0)
        {
            return;
        }

        if (write.ExpectedVersion == 0)
        {
            throw new ArgumentException($"A write that creates deal '{write.Deal.Id}' has no stored events to redact.", nameof(write));
        }

        var firstNew = write.Events[0].Sequence;
        var seen = new HashSet<long>();
        foreach (var e in redacted)
        {
            if (e is null || !string.Equals(e.DealId, write.Deal.Id, StringComparison.Ordinal))
            {
                throw new ArgumentException($"A redacted event must be an event of deal '{write.Deal.Id}'.", nameof(write));
            }

            if (e.Sequence < 1 || e.Sequence >= firstNew || !seen.Add(e.Sequence))
            {
                throw new ArgumentException($"Redacted event {e.Sequence} of deal '{write.Deal.Id}' is not a stored event (1 to {firstNew - 1}), or appears twice.", nameof(write));
            }
        }
    }

    private static void ValidateWrite(Deal deal, long expectedVersion, IReadOnlyList<DealEvent> events)
    {
        ArgumentNullException.ThrowIfNull(deal);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        if (events.Count == 0)
        {
            throw new ArgumentException("A save needs at least one event: every change is recorded in the history.", nameof(events));
        }

        if (deal.Version != expectedVersion + 1)
        {
            throw new ArgumentException($"Deal '{deal.Id}' has version {deal.Version}; a save expecting version {expectedVersion} must write version {expectedVersion + 1}.", nameof(deal));
        }

        var first = deal.LastSequence - events.Count + 1;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i] ?? throw new ArgumentException("The events must not contain null.", nameof(events));
            if (!string.Equals(e.DealId, deal.Id, StringComparison.Ordinal))
            {
                throw new ArgumentException($"An event of deal '{e.DealId}' cannot be saved with deal '{deal.Id}'.", nameof(events));
            }

            if (e.Sequence != first + i)
            {
                throw new ArgumentException($"Event sequence {e.Sequence} does not continue the history of deal '{deal.Id}' (expected {first + i}); sequences have no gaps.", nameof(events));
            }
        }

        if (expectedVersion == 0 && first != 1)
        {
            throw new ArgumentException($"A new deal's history starts at sequence 1, not {first}.", nameof(events));
        }
    }

    /// <summary>Checks, under the store's concurrency control, that new events continue the stored history.</summary>
    /// <param name="stored">The stored deal.</param>
    /// <param name="events">The new events.</param>
    /// <exception cref="ArgumentException">The events leave a gap or overlap.</exception>
    public static void ValidateSequence(Deal stored, IReadOnlyList<DealEvent> events)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(events);
        if (events[0].Sequence != stored.LastSequence + 1)
        {
            throw new ArgumentException($"Event sequence {events[0].Sequence} does not continue deal '{stored.Id}' (its last event is {stored.LastSequence}).", nameof(events));
        }
    }

    /// <summary>Checks the paging arguments of an event read.</summary>
    /// <param name="afterSequence">The sequence to read after.</param>
    /// <param name="limit">The page size.</param>
    public static void ValidatePage(long afterSequence, int? limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        if (limit is { } l)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(l, nameof(limit));
        }
    }

    /// <summary>Checks a deal query.</summary>
    /// <param name="query">The query.</param>
    public static void ValidateQuery(DealQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "DealQuery.Limit must be between 1 and 10,000.");
        }

        if (query.PipelineVersion is not null && query.PipelineId is null)
        {
            throw new ArgumentException("DealQuery.PipelineVersion needs DealQuery.PipelineId: a version belongs to one pipeline.", nameof(query));
        }
    }

    /// <summary>Checks an import batch: every deal consistent with its own events, no id twice.</summary>
    /// <param name="batch">The batch.</param>
    /// <exception cref="DealImportException">The batch is inconsistent; the exception lists every problem.</exception>
    public static void ValidateImport(IReadOnlyList<DealImport> batch) => ValidateImport(batch, null);

    /// <summary>Checks an import batch to a tenant's store: <see cref="ValidateImport(IReadOnlyList{DealImport})"/>, and every deal of the tenant.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="tenantId">The store's tenant (<see cref="IDealStore.TenantId"/>).</param>
    /// <exception cref="DealImportException">The batch is inconsistent or holds another tenant's deal; the exception lists every problem.</exception>
    public static void ValidateImport(IReadOnlyList<DealImport> batch, string? tenantId)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var problems = new List<string>();
        var ids = new HashSet<string>(batch.Count, StringComparer.Ordinal);
        foreach (var item in batch)
        {
            if (item?.Deal is null || item.Events is null)
            {
                problems.Add("The batch contains an empty item.");
                continue;
            }

            if (tenantId is not null && !string.Equals(item.Deal.TenantId, tenantId, StringComparison.Ordinal))
            {
                problems.Add($"Deal '{item.Deal.Id}' belongs to tenant '{item.Deal.TenantId}', not to the store's tenant '{tenantId}'.");
            }

            if (!ids.Add(item.Deal.Id))
            {
                problems.Add($"Deal '{item.Deal.Id}' appears more than once in the batch.");
            }

            if (item.Events.Count == 0 || item.Events.Count != item.Deal.LastSequence)
            {
                problems.Add($"Deal '{item.Deal.Id}' has LastSequence {item.Deal.LastSequence} but {item.Events.Count} events.");
                continue;
            }

            for (var i = 0; i < item.Events.Count; i++)
            {
                if (item.Events[i].Sequence != i + 1 || !string.Equals(item.Events[i].DealId, item.Deal.Id, StringComparison.Ordinal))
                {
                    problems.Add($"Deal '{item.Deal.Id}': event {i + 1} is out of sequence or belongs to another deal.");
                    break;
                }
            }

            // Idempotency keys are unique per deal (a store's unique index would refuse the batch less clearly).
            if (HasRepeatedIdempotencyKey(item.Events))
            {
                problems.Add($"Deal '{item.Deal.Id}' has two events with the same idempotency key.");
            }
        }

        if (problems.Count > 0)
        {
            throw new DealImportException(problems);
        }
    }

    // Allocates nothing for the usual history (no keys, or one).
    private static bool HasRepeatedIdempotencyKey(IReadOnlyList<DealEvent> events)
    {
        HashSet<string>? keys = null;
        string? first = null;
        foreach (var e in events)
        {
            if (e.IdempotencyKey is not { } key)
            {
                continue;
            }

            if (first is null)
            {
                first = key;
                continue;
            }

            keys ??= new HashSet<string>(StringComparer.Ordinal) { first };
            if (!keys.Add(key))
            {
                return true;
            }
        }

        return false;
    }
}
