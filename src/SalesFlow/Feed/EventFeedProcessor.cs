namespace SalesFlow;

/// <summary>
/// Runs one named handler over a store's event feed (<see cref="IEventFeedStore"/>): the pull API for applications
/// that build their engine by hand. Each run takes or renews the handler's lease, reads the events after the
/// handler's checkpoint, hands them to the handler in feed order and saves the checkpoint after every batch.
/// Call <see cref="ProcessAsync"/> on a schedule of your choice (the Extensions package's dispatcher does it for
/// host applications), and <see cref="ReleaseAsync"/> when the process stops.
/// </summary>
/// <remarks>
/// <para><b>Guarantees.</b> Only committed events are delivered, after their commit. Delivery is <b>at least once</b>:
/// an event handled but not yet checkpointed when the handler fails, the lease is lost or the process dies is
/// delivered again, so handlers should be idempotent (skip a <see cref="DealEvent.DealId"/> and
/// <see cref="DealEvent.Sequence"/> already handled). Events of one deal are delivered in sequence order; events of
/// different deals in commit order. A restart resumes from the saved checkpoint.</para>
/// <para><b>One process at a time.</b> Processors of the same handler name with different <see cref="Owner"/> ids (in
/// one process or several on one database) share the work through the lease: one holds it and handles, the others
/// get <see cref="EventFeedProcessStatus.NotLeaseHolder"/>. When the holder dies, another takes over once the lease
/// expires (<see cref="EventFeedProcessorOptions.LeaseDuration"/>). The lease is renewed before each batch, so keep a
/// batch shorter than the lease: a holder that overruns it may hand events to its handler that its successor hands
/// again, and stops as soon as it finds the lease lost.</para>
/// <para>One processor runs one run at a time: a second concurrent call throws <see cref="InvalidOperationException"/>.</para>
/// </remarks>
public sealed class EventFeedProcessor
{
    private readonly IEventFeedStore _store;
    private readonly Func<FeedEvent, CancellationToken, ValueTask> _handler;
    private readonly int _batchSize;
    private readonly TimeSpan _leaseDuration;
    private int _running;

    /// <summary>Initializes a new instance of the <see cref="EventFeedProcessor"/> class with a handler object.</summary>
    /// <param name="store">The store whose feed is read.</param>
    /// <param name="handlerName">The handler's name: its checkpoint and lease are kept under it (at most 200 characters).</param>
    /// <param name="handler">Handles each event.</param>
    /// <param name="options">Batch size, lease duration and owner id; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The name is blank or too long, or the options are invalid (every problem is listed).</exception>
    public EventFeedProcessor(IEventFeedStore store, string handlerName, IDealEventHandler handler, EventFeedProcessorOptions? options = null)
        : this(store, handlerName, (handler ?? throw new ArgumentNullException(nameof(handler))).HandleAsync, options)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="EventFeedProcessor"/> class with a handler delegate.</summary>
    /// <param name="store">The store whose feed is read.</param>
    /// <param name="handlerName">The handler's name: its checkpoint and lease are kept under it (at most 200 characters).</param>
    /// <param name="handler">Handles each event.</param>
    /// <param name="options">Batch size, lease duration and owner id; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The name is blank or too long, or the options are invalid (every problem is listed).</exception>
    public EventFeedProcessor(IEventFeedStore store, string handlerName, Func<FeedEvent, CancellationToken, ValueTask> handler, EventFeedProcessorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        DealStoreChecks.ValidateHandler(handlerName);
        ArgumentNullException.ThrowIfNull(handler);

        options ??= new EventFeedProcessorOptions();
        if (options.Problems() is { Count: > 0 } problems)
        {
            throw new ArgumentException("The event feed processor options are invalid: " + string.Join(" ", problems), nameof(options));
        }

        _store = store;
        _handler = handler;
        HandlerName = handlerName;
        _batchSize = options.BatchSize;
        _leaseDuration = options.LeaseDuration;
        Owner = options.Owner ?? EventFeedProcessorOptions.CreateOwnerId();
    }

    /// <summary>Gets the handler's name, under which its checkpoint and lease are kept.</summary>
    public string HandlerName { get; }

    /// <summary>Gets the id this processor holds the lease under.</summary>
    public string Owner { get; }

    /// <summary>
    /// Handles every event available after the handler's checkpoint, a batch at a time, saving the checkpoint after
    /// each batch. Stops when the feed is caught up, when another owner holds the lease, when the lease is lost, or
    /// when the handler throws (then the checkpoint is saved up to the last event handled).
    /// </summary>
    /// <param name="cancellationToken">Cancels the run; events handled since the last saved checkpoint are delivered again.</param>
    /// <returns>
    /// How the run ended and how many events were handled (0 with <see cref="EventFeedProcessStatus.NotLeaseHolder"/>);
    /// never <see cref="EventFeedProcessStatus.MoreAvailable"/>.
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="InvalidOperationException">This processor is already running.</exception>
    public async ValueTask<EventFeedProcessResult> ProcessAsync(CancellationToken cancellationToken = default)
    {
        Enter();
        try
        {
            var handled = 0;
            while (true)
            {
                var result = await RunBatchAsync(cancellationToken).ConfigureAwait(false);
                handled += result.Handled;
                if (result.Status != EventFeedProcessStatus.MoreAvailable)
                {
                    return result with { Handled = handled };
                }
            }
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>
    /// Handles at most one batch after the handler's checkpoint (<see cref="EventFeedProcessorOptions.BatchSize"/> events)
    /// and saves the checkpoint: for callers that need to act between batches, such as opening a new unit of work.
    /// </summary>
    /// <param name="cancellationToken">Cancels the run; events handled since the last saved checkpoint are delivered again.</param>
    /// <returns>
    /// How the batch ended: <see cref="EventFeedProcessStatus.MoreAvailable"/> when it was full (call again),
    /// <see cref="EventFeedProcessStatus.CaughtUp"/> when it was not.
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="InvalidOperationException">This processor is already running.</exception>
    public async ValueTask<EventFeedProcessResult> ProcessBatchAsync(CancellationToken cancellationToken = default)
    {
        Enter();
        try
        {
            return await RunBatchAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>
    /// Gives the handler's lease up, if this processor holds it, so another owner can take over at once rather than
    /// when the lease expires. Call it when the process stops.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the lease is released.</returns>
    public ValueTask ReleaseAsync(CancellationToken cancellationToken = default) =>
        _store.ReleaseLeaseAsync(HandlerName, Owner, cancellationToken);

    private void Enter()
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            throw new InvalidOperationException(
                $"The event feed processor of handler '{HandlerName}' is already running; await the current run before starting another.");
        }
    }

    private async ValueTask<EventFeedProcessResult> RunBatchAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!await _store.TryAcquireLeaseAsync(HandlerName, Owner, _leaseDuration, cancellationToken).ConfigureAwait(false))
        {
            return new EventFeedProcessResult(EventFeedProcessStatus.NotLeaseHolder, 0, default);
        }

        // Read under the lease: the previous holder may have moved it.
        var checkpoint = await _store.GetCheckpointAsync(HandlerName, cancellationToken).ConfigureAwait(false);
        var batch = await _store.ReadFeedAsync(checkpoint, _batchSize, cancellationToken).ConfigureAwait(false);
        if (batch.Count == 0)
        {
            return new EventFeedProcessResult(EventFeedProcessStatus.CaughtUp, 0, checkpoint);
        }

        var last = checkpoint;
        var handled = 0;
        foreach (var feedEvent in batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await _handler(feedEvent, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                var failure = new EventHandlerFailure(feedEvent.Position, feedEvent.Event.DealId, feedEvent.Event.Sequence, ex);
                var saved = handled > 0 && await _store.TrySaveCheckpointAsync(HandlerName, Owner, last, cancellationToken).ConfigureAwait(false);
                return new EventFeedProcessResult(EventFeedProcessStatus.HandlerFailed, handled, saved ? last : checkpoint, failure);
            }

            last = feedEvent.Position;
            handled++;
        }

        if (!await _store.TrySaveCheckpointAsync(HandlerName, Owner, last, cancellationToken).ConfigureAwait(false))
        {
            return new EventFeedProcessResult(EventFeedProcessStatus.LeaseLost, handled, checkpoint);
        }

        var status = batch.Count < _batchSize ? EventFeedProcessStatus.CaughtUp : EventFeedProcessStatus.MoreAvailable;
        return new EventFeedProcessResult(status, handled, last);
    }
}
