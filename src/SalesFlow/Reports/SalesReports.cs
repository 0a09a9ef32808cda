namespace SalesFlow;

/// <summary>
/// The reference computation of the reports: one streaming pass over a pipeline's deals and events, folded in memory.
/// Memory grows with the number of deals, not with the number of events. Get one from <see cref="SalesFlowEngine.Reports"/>
/// or create it over a store and a registry.
/// </summary>
/// <remarks>
/// A report reads a live store: deals and events written while it runs may or may not be included. "Now" (current stays,
/// idle time, overdue follow-ups) comes from the <see cref="TimeProvider"/>.
/// </remarks>
public sealed class SalesReports : IDealReports
{
    private readonly PipelineRegistry _pipelines;
    private readonly IDealReportSource _source;
    private readonly TimeProvider _time;
    private readonly IDealStore? _store;

    /// <summary>Creates the reports over a store that also implements <see cref="IEventFeedStore"/> (the in-memory, SQLite and PostgreSQL stores do).</summary>
    /// <param name="pipelines">The registry holding the pipelines reported on.</param>
    /// <param name="store">The store.</param>
    /// <param name="timeProvider">The clock for "now"; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="store"/> does not implement <see cref="IEventFeedStore"/>.</exception>
    /// <remarks>
    /// The store is read through <see cref="IDealStore.QueryAsync"/> and its event feed; an <see cref="InMemoryDealStore"/>
    /// folds each deal's stored history in place instead. The idle report asks the store only for the deals that can be idle or
    /// overdue (<see cref="DealQuery.IdleSince"/>, <see cref="DealQuery.FollowUpDueAtOrBefore"/>).
    /// </remarks>
    public SalesReports(PipelineRegistry pipelines, IDealStore store, TimeProvider? timeProvider = null)
        : this(pipelines, SourceOf(store), timeProvider)
    {
        _store = store;
    }

    /// <summary>Creates the reports over any source of deals and events.</summary>
    /// <param name="pipelines">The registry holding the pipelines reported on.</param>
    /// <param name="source">Where deals and events are read.</param>
    /// <param name="timeProvider">The clock for "now"; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public SalesReports(PipelineRegistry pipelines, IDealReportSource source, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(source);
        _pipelines = pipelines;
        _source = source;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public async ValueTask<FunnelReport> FunnelAsync(ReportRequest request, FunnelMode mode, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Use FunnelMode.Strict, Touched or Implied.");
        }

        using var fold = await FoldAsync(request, null, cancellationToken).ConfigureAwait(false);
        return fold.Funnel(mode);
    }

    /// <inheritdoc/>
    public async ValueTask<TimeInStageReport> TimeInStageAsync(ReportRequest request, CancellationToken cancellationToken = default)
    {
        using var fold = await FoldAsync(request, null, cancellationToken).ConfigureAwait(false);
        return fold.TimeInStage();
    }

    /// <inheritdoc/>
    public async ValueTask<FlowReport> FlowAsync(ReportRequest request, CancellationToken cancellationToken = default)
    {
        using var fold = await FoldAsync(request, null, cancellationToken).ConfigureAwait(false);
        return fold.Flow();
    }

    /// <inheritdoc/>
    public async ValueTask<OutcomesReport> OutcomesAsync(ReportRequest request, CancellationToken cancellationToken = default)
    {
        using var fold = await FoldAsync(request, null, cancellationToken).ConfigureAwait(false);
        return fold.Outcomes();
    }

    /// <inheritdoc/>
    public async ValueTask<BreakdownReport> BreakdownAsync(ReportRequest request, DealGrouping grouping, int top, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grouping);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        using var fold = await FoldAsync(request, grouping.Key, cancellationToken).ConfigureAwait(false);
        return fold.Breakdown(grouping.Name, top);
    }

    /// <inheritdoc/>
    public async ValueTask<IdleReport> IdleAsync(string pipelineId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pipelineId);
        _pipelines.Get(pipelineId); // an unknown pipeline fails here, with the registry's message
        var now = _time.GetUtcNow();
        var idle = new List<IdleDeal>();
        var overdue = new List<OverdueFollowUp>();
        var candidates = _store is null ? _source.ReadDealsAsync(pipelineId, cancellationToken) : IdleCandidatesAsync(_store, pipelineId, now, cancellationToken);
        await foreach (var deal in candidates.ConfigureAwait(false))
        {
            if (!_pipelines.TryGet(deal.PipelineId, deal.PipelineVersion, out var definition)
                || !definition.TryGetStage(deal.StageId, out var stage)
                || !stage.IsOpen)
            {
                continue;
            }

            if (deal.NextFollowUpAt is { } due && due < now)
            {
                overdue.Add(new OverdueFollowUp(deal.Id, deal.StageId, deal.Owner, due, now - due));
            }

            var idleFor = now - deal.LastActivityAt;
            var scheduledAhead = deal.NextFollowUpAt is { } next && next > now;
            if (stage.IdleThreshold is { } threshold && idleFor > threshold && !scheduledAhead)
            {
                idle.Add(new IdleDeal(deal.Id, deal.StageId, deal.Owner, deal.LastActivityAt, idleFor, threshold));
            }
        }

        return new IdleReport(
            pipelineId,
            now,
            [.. idle.OrderByDescending(d => d.IdleFor).ThenBy(d => d.DealId, StringComparer.Ordinal)],
            [.. overdue.OrderByDescending(d => d.OverdueBy).ThenBy(d => d.DealId, StringComparer.Ordinal)]);
    }

    // The deals that can be idle or overdue, each once: follow-ups due before now, and per version and open stage with an
    // idle threshold, the deals in it without activity for longer (the store's indexed queries, not a scan of every deal).
    private async IAsyncEnumerable<Deal> IdleCandidatesAsync(
        IDealStore store, string pipelineId, DateTimeOffset now, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queries = new List<DealQuery> { new() { PipelineId = pipelineId, FollowUpDueAtOrBefore = now.AddTicks(-1) } };
        foreach (var definition in _pipelines.All.Where(p => string.Equals(p.Id, pipelineId, StringComparison.Ordinal)))
        {
            foreach (var stage in definition.Stages)
            {
                if (stage.IsOpen && stage.IdleThreshold is { } threshold && threshold < now - DateTimeOffset.MinValue)
                {
                    queries.Add(new DealQuery { PipelineId = pipelineId, PipelineVersion = definition.Version, StageId = stage.Id, IdleSince = now - threshold });
                }
            }
        }

        foreach (var query in queries)
        {
            await foreach (var deal in StoreReportSource.QueryAllAsync(store, query, cancellationToken).ConfigureAwait(false))
            {
                if (seen.Add(deal.Id))
                {
                    yield return deal;
                }
            }
        }
    }

    private static StoreReportSource SourceOf(IDealStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store is IEventFeedStore feed
            ? new StoreReportSource(store, feed)
            : throw new ArgumentException($"{store.GetType().Name} does not implement IEventFeedStore: reports read every event through the feed. Pass an IDealReportSource instead.", nameof(store));
    }

    private async ValueTask<ReportFold> FoldAsync(ReportRequest request, Func<Deal, string?>? groupKey, CancellationToken cancellationToken)
    {
        var version = ReportRequest.ReportedVersion(request, _pipelines);
        var versions = _pipelines.All.Where(p => string.Equals(p.Id, request.PipelineId, StringComparison.Ordinal));
        var fold = new ReportFold(new ReportStages(version, versions), request.Window, _time.GetUtcNow(), groupKey);
        try
        {
            if (_store is InMemoryDealStore memory)
            {
                memory.FoldReport(request.PipelineId, fold, cancellationToken);
                return fold;
            }

            await foreach (var deal in _source.ReadDealsAsync(request.PipelineId, cancellationToken).ConfigureAwait(false))
            {
                fold.AddDeal(deal);
            }

            await foreach (var page in _source.ReadEventsAsync(request.PipelineId, cancellationToken).ConfigureAwait(false))
            {
                foreach (var e in page)
                {
                    fold.Add(e);
                }
            }

            return fold;
        }
        catch
        {
            fold.Dispose();
            throw;
        }
    }
}
