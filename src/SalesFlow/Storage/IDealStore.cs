namespace SalesFlow;

/// <summary>
/// Where deals and their histories live. Implementations must be safe for concurrent use and must
/// apply optimistic concurrency: a save under a stale expected version fails and never overwrites.
/// </summary>
/// <remarks>
/// A store object serves one tenant (<see cref="TenantId"/>): every member reads and writes only that tenant's deals,
/// events, checkpoints and feed. The object a host creates serves <see cref="Tenants.Default"/>; <see cref="ForTenant"/>
/// gives the object of another tenant on the same storage.
/// </remarks>
public interface IDealStore
{
    /// <summary>Gets the tenant whose deals this store object reads and writes.</summary>
    /// <value>The default implementation returns <see cref="Tenants.Default"/>: a store that knows no tenants.</value>
    string TenantId => Tenants.Default;

    /// <summary>
    /// Gets the store object of one tenant on the same storage: it reads and writes only that tenant's deals, events,
    /// feed checkpoints and leases, and finds no deal of any other tenant. Only the store object the host created (the
    /// default tenant's) opens other tenants; a tenant's object opens only itself.
    /// </summary>
    /// <param name="tenantId">The tenant: 1 to <see cref="Tenants.MaxIdLength"/> characters, no control characters, no half of a surrogate pair, no leading or trailing white space.</param>
    /// <returns>The tenant's store object (this object for its own tenant).</returns>
    /// <exception cref="ArgumentException">The tenant id is invalid.</exception>
    /// <exception cref="InvalidOperationException">This is another tenant's store object.</exception>
    /// <exception cref="NotSupportedException">The store keeps no tenants (the default implementation, for any tenant but the default).</exception>
    IDealStore ForTenant(string tenantId)
    {
        DealStoreChecks.ValidateTenant(tenantId);
        return string.Equals(tenantId, TenantId, StringComparison.Ordinal)
            ? this
            : throw new NotSupportedException($"{GetType().Name} keeps no tenants: it serves only '{TenantId}'.");
    }

    /// <summary>Loads a deal.</summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The deal, or <see langword="null"/> when there is no deal with that id.</returns>
    /// <exception cref="DealDataDamagedException">The stored deal cannot be read back.</exception>
    ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves the new state of one or more deals together with the events that produced them, atomically: every
    /// write is stored, or none is (a referral saves the referrer and the referred deal in one save).
    /// </summary>
    /// <param name="writes">
    /// One write per deal, at least one, no deal twice. A write with <see cref="DealWrite.ExpectedVersion"/> 0 creates
    /// a deal that must not exist yet.
    /// </param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>
    /// <see langword="true"/> when saved; <see langword="false"/> on a conflict (a stored version is not the
    /// expected one, or a deal to create already exists) — then nothing was saved.
    /// </returns>
    /// <exception cref="ArgumentException">A write does not fit together (version, sequence, deal id), or a deal appears twice.</exception>
    ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default);

    /// <summary>Reads a deal's events in sequence order.</summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="afterSequence">Only events with a higher sequence number are returned (keyset paging).</param>
    /// <param name="limit">The most events to return; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The events, oldest first; empty for an unknown deal.</returns>
    ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds the event of a deal that carries an idempotency key (<see cref="DealEvent.IdempotencyKey"/>): the event an
    /// accepted request with that key wrote. A store must keep the key with its event in the same transaction and refuse
    /// a save that would give one deal the same key twice (a conflict: <see cref="TrySaveAsync"/> returns
    /// <see langword="false"/>).
    /// </summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="idempotencyKey">The key (ordinal comparison).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The event, or <see langword="null"/> when no event of the deal carries the key.</returns>
    /// <remarks>The default reads the deal's whole history; the SalesFlow stores look the key up in an index.</remarks>
    async ValueTask<DealEvent?> FindByIdempotencyKeyAsync(string dealId, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        var events = await GetEventsAsync(dealId, 0, null, cancellationToken).ConfigureAwait(false);
        return events.FirstOrDefault(e => string.Equals(e.IdempotencyKey, idempotencyKey, StringComparison.Ordinal));
    }

    /// <summary>Finds deals by pipeline, stage, follow-up due time or idleness, a page at a time.</summary>
    /// <param name="query">What to look for and the page to read.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>
    /// One page of deals, ordered by <see cref="Deal.Id"/> (ordinal); deals that matched but cannot be read are
    /// listed in <see cref="DealPage.Damaged"/> instead of failing the page.
    /// </returns>
    ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Imports deals that do not exist yet together with their histories, in one transaction: the
    /// whole batch is written, or nothing.
    /// </summary>
    /// <param name="batch">The deals and their events.</param>
    /// <param name="cancellationToken">Cancels the import.</param>
    /// <returns>A task that completes when the batch is stored.</returns>
    /// <exception cref="DealImportException">A deal of the batch already exists or is inconsistent with its events.</exception>
    ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets a value indicating whether <see cref="TrySaveAsync"/> applies <see cref="DealWrite.RedactedEvents"/>: rewrites
    /// the free text of stored events in the save's transaction. The engine refuses to erase personal data on a store that
    /// does not (it would leave the person's values in the history).
    /// </summary>
    /// <value>The default implementation returns <see langword="false"/>; the built-in stores return <see langword="true"/>.</value>
    bool SupportsEventRedaction => false;
}
