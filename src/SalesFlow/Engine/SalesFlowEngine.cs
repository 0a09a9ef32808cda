using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SalesFlow;

/// <summary>
/// Moves deals through their pipelines: starts deals, fires triggers (guards, hooks, history), lists the
/// moves available, and records activities. Thread-safe; one instance serves a whole application.
/// </summary>
/// <remarks>
/// Every write — a start, a move, an activity, a referral — takes one commit path: load the deal → decide (guards,
/// with every unmet one listed) → build the events → <see cref="HookPhase.Transitioning"/> hooks → save under the
/// expected version → <see cref="HookPhase.Transitioned"/> hooks (with a timeout). A concurrency conflict is retried
/// on fresh state, in a fresh hook scope, up to <see cref="SalesFlowEngineOptions.ConflictRetryCount"/> times, then
/// reported the same way for every kind of write (<see cref="FireStatus.Conflict"/>, or
/// <see cref="DealConflictException"/> from the calls that return a deal).
/// </remarks>
public sealed partial class SalesFlowEngine
{
    private const string ActivityDataUpdated = "data.updated";
    private const string ActivityChecklistCompleted = "checklist.completed";
    private const string ActivityNote = "note";

    private readonly IDealStore _store;
    private readonly TimeProvider _time;
    private readonly int _retries;
    private readonly AfterSaveDeadline _afterSaveDeadline;
    private readonly DealAuthorization _authorization;
    private readonly IDealHook[] _hooks;
    private readonly ILogger _logger;
    private readonly SalesFlowTelemetry _telemetry;
    private readonly IDealHookScopeFactory? _hookScopes;
    private readonly InputLimits _limits;

    /// <summary>Initializes a new instance of the <see cref="SalesFlowEngine"/> class.</summary>
    /// <param name="pipelines">The pipelines deals run on.</param>
    /// <param name="store">Where deals and their histories are kept.</param>
    /// <param name="options">How the engine behaves; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public SalesFlowEngine(PipelineRegistry pipelines, IDealStore store, SalesFlowEngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(store);
        options ??= new SalesFlowEngineOptions();
        if (options.Validate() is { Count: > 0 } problems)
        {
            throw new ArgumentException("The engine options are invalid:" + Environment.NewLine + "- " + string.Join(Environment.NewLine + "- ", problems), nameof(options));
        }

        Pipelines = pipelines;
        _store = store;
        _time = options.TimeProvider;
        _retries = options.ConflictRetryCount;
        _afterSaveDeadline = new AfterSaveDeadline(options.AfterSaveHookTimeout);
        _authorization = DealAuthorization.For(options);
        _hooks = [.. options.Hooks];
        _logger = options.LoggerFactory?.CreateLogger("SalesFlow.Engine") ?? NullLogger.Instance;
        _telemetry = SalesFlowTelemetry.For(options.MeterFactory);
        _hookScopes = options.HookScopeFactory;
        _limits = options.InputLimits;
    }

    // A tenant's engine: everything shared with the engine the host created but the store.
    private SalesFlowEngine(SalesFlowEngine engine, IDealStore tenantStore)
    {
        Pipelines = engine.Pipelines;
        _store = tenantStore;
        _time = engine._time;
        _retries = engine._retries;
        _afterSaveDeadline = engine._afterSaveDeadline;
        _authorization = engine._authorization;
        _hooks = engine._hooks;
        _logger = engine._logger;
        _telemetry = engine._telemetry;
        _hookScopes = engine._hookScopes;
        _limits = engine._limits;
    }

    /// <summary>Gets the pipelines deals run on.</summary>
    public PipelineRegistry Pipelines { get; }

    /// <summary>Gets the store deals are kept in (the tenant's store object).</summary>
    public IDealStore Store => _store;

    /// <summary>Gets the tenant whose deals this engine reads and writes (<see cref="IDealStore.TenantId"/> of its store).</summary>
    public string TenantId => _store.TenantId;

    /// <summary>
    /// Gets the engine of one tenant: the same pipelines, options, hooks and authorizer over the tenant's store object
    /// (<see cref="IDealStore.ForTenant"/>), so every start, move, activity, read, report, import and erasure through it
    /// reaches only that tenant's deals. Cheap: create one per request.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <returns>The tenant's engine (this engine for its own tenant).</returns>
    /// <exception cref="ArgumentException">The tenant id is invalid.</exception>
    /// <exception cref="InvalidOperationException">This is another tenant's engine: only the engine over the store the host created opens tenants.</exception>
    /// <exception cref="NotSupportedException">The store keeps no tenants.</exception>
    public SalesFlowEngine ForTenant(string tenantId) =>
        string.Equals(tenantId, TenantId, StringComparison.Ordinal) ? this : new SalesFlowEngine(this, _store.ForTenant(tenantId)); // the store checks the id

    /// <summary>Starts a deal in the initial stage of the latest version of a pipeline.</summary>
    /// <typeparam name="TData">The pipeline's data type.</typeparam>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <param name="dealId">The new deal's id.</param>
    /// <param name="data">The deal's first data (immutable; the engine keeps this instance).</param>
    /// <param name="actor">Who starts the deal.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started deal.</returns>
    /// <exception cref="PipelineNotFoundException">The pipeline is not registered.</exception>
    /// <exception cref="DealAlreadyExistsException">A deal with that id exists.</exception>
    /// <exception cref="DealDataInvalidException">A required member of the data is null.</exception>
    public ValueTask<Deal> StartAsync<TData>(string pipelineId, string dealId, TData data, string actor, CancellationToken cancellationToken = default)
        where TData : class =>
        StartAsync(pipelineId, dealId, data, new StartRequest(actor), cancellationToken);

    /// <summary>Starts a deal in the initial stage of a pipeline.</summary>
    /// <typeparam name="TData">The pipeline's data type.</typeparam>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <param name="dealId">The new deal's id.</param>
    /// <param name="data">The deal's first data (immutable; the engine keeps this instance).</param>
    /// <param name="request">Who starts the deal, its owner, amount, pipeline version …</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started deal.</returns>
    /// <exception cref="PipelineNotFoundException">The pipeline (version) is not registered.</exception>
    /// <exception cref="DealAlreadyExistsException">A deal with that id exists (and was not started by a request with the same <see cref="StartRequest.IdempotencyKey"/>, whose deal is returned instead).</exception>
    /// <exception cref="DealDataInvalidException">A required member of the data is null.</exception>
    /// <exception cref="HookAbortedException">A <see cref="HookPhase.Transitioning"/> hook refused the start; nothing was saved.</exception>
    /// <exception cref="DealForbiddenException">The caller may not start deals on the pipeline; nothing was saved.</exception>
    public async ValueTask<Deal> StartAsync<TData>(string pipelineId, string dealId, TData data, StartRequest request, CancellationToken cancellationToken = default)
        where TData : class
    {
        ArgumentNullException.ThrowIfNull(pipelineId);
        ArgumentNullException.ThrowIfNull(dealId);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(request);
        new InputCheck(_limits)
            .Id(pipelineId, "pipelineId").Id(dealId, "dealId").Actor(request.Actor, "StartRequest.Actor").OptionalActor(request.Owner, "StartRequest.Owner")
            .Note(request.Note, "StartRequest.Note").Properties(request.Properties, "StartRequest.Properties")
            .OptionalId(request.IdempotencyKey, "StartRequest.IdempotencyKey")
            .ThrowIfAny();
        cancellationToken.ThrowIfCancellationRequested();
        if (await RepeatedStartAsync(dealId, request, cancellationToken).ConfigureAwait(false) is { } repeated)
        {
            return repeated;
        }

        var pipeline = request.PipelineVersion is { } version ? Pipelines.Get(pipelineId, version) : Pipelines.Get(pipelineId);
        EnsureDataType<TData>(pipeline);
        pipeline.CheckData(data, dealId);
        var commit = _telemetry.StartCommit(CommitKind.Start, dealId, null);
        try
        {
            var (deal, started) = NewDeal(pipeline, dealId, data, request);
            if (await _authorization.DeniedAsync(DealAction.Start, request.Actor, request.User, pipeline, deal, cancellationToken).ConfigureAwait(false) is { } denied)
            {
                EngineLog.Forbidden(_logger, dealId, DealAction.Start, pipeline.Id, deal.StageId);
                throw new DealForbiddenException(dealId, DealAction.Start, null, denied);
            }

            var saved = await CommitAsync(pipeline, before: null, deal, started, [new DealWrite(deal, 0, [started])], null, false, attempt: 0, cancellationToken).ConfigureAwait(false);
            switch (saved.Status)
            {
                case FireStatus.Conflict when await RepeatedStartAsync(dealId, request, cancellationToken).ConfigureAwait(false) is { } repeatedStart:
                    _telemetry.EndCommit(commit, CommitKind.Start, repeatedStart, FireStatus.Accepted, 0, null, []);
                    return repeatedStart;
                case FireStatus.Conflict:
                    throw new DealAlreadyExistsException(dealId);
                case FireStatus.Aborted:
                    EngineLog.MoveAborted(_logger, saved.Aborted!.Exception, dealId, "start", saved.Aborted.HookName);
                    throw new HookAbortedException(dealId, "start", saved.Aborted);
            }

            EngineLog.DealStarted(_logger, dealId, pipeline.Id, pipeline.Version, deal.StageId);
            LogHookFailures(dealId, "start", saved.Failures);
            _telemetry.EndCommit(commit, CommitKind.Start, deal, FireStatus.Accepted, 0, null, saved.Failures);
            return deal;
        }
        catch (Exception ex)
        {
            _telemetry.FailCommit(commit, CommitKind.Start, ex);
            throw;
        }
    }

    /// <summary>Loads a deal.</summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The deal.</returns>
    /// <exception cref="DealNotFoundException">There is no such deal.</exception>
    public async ValueTask<Deal> GetAsync(string dealId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dealId);
        return await _store.GetAsync(dealId, cancellationToken).ConfigureAwait(false) ?? throw new DealNotFoundException(dealId);
    }

    /// <summary>Reads a deal's history, oldest event first.</summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Every event of the deal.</returns>
    /// <exception cref="DealNotFoundException">There is no such deal.</exception>
    public async ValueTask<IReadOnlyList<DealEvent>> GetHistoryAsync(string dealId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dealId);
        var events = await _store.GetEventsAsync(dealId, 0, null, cancellationToken).ConfigureAwait(false);
        // Every deal has its start event, so an empty history means there is no deal (checked, not assumed).
        if (events.Count == 0 && await _store.GetAsync(dealId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new DealNotFoundException(dealId);
        }

        return events;
    }

    /// <summary>Fires a trigger on a deal.</summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="trigger">The trigger, for example <c>Qualify</c>.</param>
    /// <param name="request">Who fires it, with a note, a reason, arguments or an override justification.</param>
    /// <param name="cancellationToken">Cancels the move (before it is saved).</param>
    /// <returns>
    /// <see cref="FireStatus.Accepted"/>, <see cref="FireStatus.Rejected"/> (every unmet guard),
    /// <see cref="FireStatus.NotPermitted"/> (the moves that exist), <see cref="FireStatus.Forbidden"/> (the caller may
    /// not make the move, or not override), <see cref="FireStatus.Conflict"/> or <see cref="FireStatus.Aborted"/>. Call <see cref="FireResult.EnsureAccepted"/> to turn a refusal into an exception.
    /// </returns>
    /// <exception cref="DealNotFoundException">There is no such deal.</exception>
    /// <exception cref="GuardFailedException">A guard threw instead of answering; nothing was saved.</exception>
    public ValueTask<FireResult> FireAsync(string dealId, string trigger, FireRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentNullException.ThrowIfNull(request);
        Check(dealId, trigger, request).ThrowIfAny();
        if (request.OverrideJustification is not null && string.IsNullOrWhiteSpace(request.OverrideJustification))
        {
            throw new ArgumentException("An override needs a justification: OverrideJustification is blank.", nameof(request));
        }

        return FireCoreAsync(dealId, trigger, request, link: null, cancellationToken);
    }

    /// <summary>
    /// Lists every move from the deal's current stage with, for each, whether it is allowed now or which guards refuse it.
    /// Guards are evaluated without a move's input, so a guard that needs one (a lost reason, a named argument) is
    /// listed as unmet until the move is fired with it; a return move of a deal without a previous stage has an empty target.
    /// </summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The moves, in declaration order (one entry per transition; alternatives of one trigger are listed apart).</returns>
    /// <exception cref="DealNotFoundException">There is no such deal.</exception>
    /// <exception cref="GuardFailedException">A guard threw instead of answering.</exception>
    public async ValueTask<IReadOnlyList<AvailableMove>> GetAvailableMovesAsync(string dealId, CancellationToken cancellationToken = default)
    {
        var deal = await GetAsync(dealId, cancellationToken).ConfigureAwait(false);
        return GetAvailableMoves(deal);
    }

    /// <summary>Lists every move from a deal's current stage (see <see cref="GetAvailableMovesAsync"/>), for a deal already loaded.</summary>
    /// <param name="deal">The deal.</param>
    /// <returns>The moves, in declaration order.</returns>
    /// <exception cref="GuardFailedException">A guard threw instead of answering.</exception>
    public IReadOnlyList<AvailableMove> GetAvailableMoves(Deal deal)
    {
        ArgumentNullException.ThrowIfNull(deal);
        var compiled = Pipelines.Get(deal.PipelineId, deal.PipelineVersion).Compiled;
        var transitions = compiled.TransitionsFrom(compiled.StageIndexOf(deal.StageId));
        var moves = new AvailableMove[transitions.Length];
        for (var i = 0; i < transitions.Length; i++)
        {
            var t = transitions[i];
            var to = t.Definition.Kind switch
            {
                TransitionKind.Return => deal.PreviousStageId ?? "",
                _ => compiled.Stages[t.ToIndex].Id,
            };
            moves[i] = new AvailableMove(t.Definition.Trigger, to, t.Definition.Kind, (IReadOnlyList<UnmetGuard>?)compiled.UnmetGuards(t, deal, null) ?? []);
        }

        return moves;
    }

    /// <summary>Changes a deal's data and records the change as an activity event.</summary>
    /// <typeparam name="TData">The pipeline's data type.</typeparam>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="update">Returns the new data from the current data (<c>d =&gt; d with { … }</c>); on a conflict it runs again on fresh data.</param>
    /// <param name="request">Who changes the data, and the activity type and note to record.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    /// <exception cref="DealNotFoundException">There is no such deal.</exception>
    /// <exception cref="DealDataInvalidException">The new data leaves a required member null; nothing was saved.</exception>
    /// <exception cref="DealConflictException">Other writers kept changing the deal; nothing was saved.</exception>
    /// <exception cref="HookAbortedException">A <see cref="HookPhase.Transitioning"/> hook refused the change; nothing was saved.</exception>
    public ValueTask<Deal> UpdateAsync<TData>(string dealId, Func<TData, TData> update, ActivityRequest request, CancellationToken cancellationToken = default)
        where TData : class
    {
        ArgumentNullException.ThrowIfNull(update);
        return UpdateAsync<TData>(dealId, (_, data) => update(data), request, cancellationToken);
    }

    /// <summary>Changes a deal's data and records the change as a <c>data.updated</c> activity event.</summary>
    /// <typeparam name="TData">The pipeline's data type.</typeparam>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="update">Returns the new data from the current data (<c>d =&gt; d with { … }</c>).</param>
    /// <param name="actor">Who changes the data.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public ValueTask<Deal> UpdateAsync<TData>(string dealId, Func<TData, TData> update, string actor, CancellationToken cancellationToken = default)
        where TData : class =>
        UpdateAsync(dealId, update, new ActivityRequest(actor), cancellationToken);

    /// <summary>Marks a checklist item of the deal's pipeline as done and records it. Completing a done item again changes nothing.</summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="itemId">The checklist item's id.</param>
    /// <param name="request">Who completed it, and a note.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    /// <exception cref="ArgumentException">The pipeline has no such checklist item.</exception>
    public ValueTask<Deal> CompleteChecklistItemAsync(string dealId, string itemId, ActivityRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        return AppendActivityAsync(
            dealId,
            request,
            ActivityChecklistCompleted,
            check => check.Id(itemId, "itemId"),
            (pipeline, deal) =>
            {
                if (!pipeline.Stages.Any(s => s.Checklist.Any(i => string.Equals(i.Id, itemId, StringComparison.Ordinal))))
                {
                    throw new ArgumentException($"Pipeline '{pipeline.Id}' has no checklist item '{itemId}'.", nameof(itemId));
                }

                return deal.CompletedChecklistItems.Contains(itemId)
                    ? (null, null)
                    : (deal with { CompletedChecklistItems = deal.CompletedChecklistItems.Add(itemId) }, new Dictionary<string, string> { ["item"] = itemId });
            },
            cancellationToken);
    }

    /// <summary>Marks a checklist item as done (see <see cref="CompleteChecklistItemAsync(string, string, ActivityRequest, CancellationToken)"/>).</summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="itemId">The checklist item's id.</param>
    /// <param name="actor">Who completed it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public ValueTask<Deal> CompleteChecklistItemAsync(string dealId, string itemId, string actor, CancellationToken cancellationToken = default) =>
        CompleteChecklistItemAsync(dealId, itemId, new ActivityRequest(actor), cancellationToken);

    /// <summary>Records an activity without changing data: a note, a call, a custom activity type, or a new follow-up time.</summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="request">Who, what type, the note, and optionally the next follow-up.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    /// <exception cref="DealNotFoundException">There is no such deal.</exception>
    /// <exception cref="DealConflictException">Other writers kept changing the deal; nothing was saved.</exception>
    public ValueTask<Deal> RecordActivityAsync(string dealId, ActivityRequest request, CancellationToken cancellationToken = default) =>
        AppendActivityAsync(dealId, request, ActivityNote, null, static (_, deal) => (deal, null), cancellationToken);

    /// <summary>Changes a deal's data from the deal itself (its stage, its stage visit) as well as its data; see <see cref="UpdateAsync{TData}(string, Func{TData, TData}, ActivityRequest, CancellationToken)"/>.</summary>
    internal ValueTask<Deal> UpdateAsync<TData>(string dealId, Func<Deal, TData, TData> update, ActivityRequest request, CancellationToken cancellationToken)
        where TData : class
    {
        ArgumentNullException.ThrowIfNull(update);
        return AppendActivityAsync(
            dealId,
            request,
            ActivityDataUpdated,
            null,
            (pipeline, deal) =>
            {
                EnsureDataType<TData>(pipeline);
                var changed = update(deal, (TData)deal.Data) ?? throw new DealDataInvalidException(deal.Id, pipeline.Id, ["The update returned null; return the new data (d => d with { … })."]);
                pipeline.CheckData(changed, deal.Id);
                return (deal with { Data = changed }, null);
            },
            cancellationToken);
    }

    /// <summary>
    /// Fires a trigger that starts a linked deal in the same save (a referral): both deals and their events are
    /// saved together, or nothing is; the link also changes the firing deal's data and records a link activity in that save.
    /// </summary>
    internal async ValueTask<(FireResult Result, Deal? Started)> FireAndStartAsync(
        string dealId, string trigger, FireRequest request, LinkedStart start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(request);
        Check(dealId, trigger, request).Id(start.DealId, "newDealId").ThrowIfAny();
        start.Pipeline.CheckData(start.Data, start.DealId);
        var result = await FireCoreAsync(dealId, trigger, request, start, cancellationToken).ConfigureAwait(false);
        return (result, result.Accepted ? start.Started : null);
    }

    private async ValueTask<FireResult> FireCoreAsync(string dealId, string trigger, FireRequest request, LinkedStart? link, CancellationToken cancellationToken)
    {
        var commit = _telemetry.StartCommit(CommitKind.Move, dealId, trigger);
        try
        {
            var result = await FireAttemptsAsync(dealId, trigger, request, link, cancellationToken).ConfigureAwait(false);
            _telemetry.EndMove(commit, result);
            return result;
        }
        catch (Exception ex)
        {
            _telemetry.FailCommit(commit, CommitKind.Move, ex);
            throw;
        }
    }

    private async ValueTask<FireResult> FireAttemptsAsync(string dealId, string trigger, FireRequest request, LinkedStart? link, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var deal = await _store.GetAsync(dealId, cancellationToken).ConfigureAwait(false) ?? throw new DealNotFoundException(dealId);
            if (request.IdempotencyKey is not null && await RepeatedFireAsync(deal, trigger, request, attempt, cancellationToken).ConfigureAwait(false) is { } repeated)
            {
                return repeated;
            }

            var pipeline = Pipelines.Get(deal.PipelineId, deal.PipelineVersion);
            var compiled = pipeline.Compiled;
            var stageIndex = compiled.StageIndexOf(deal.StageId);
            var triggerIndex = compiled.TriggerIndexOf(trigger);
            var candidates = compiled.Candidates(stageIndex, triggerIndex);
            if (candidates is null)
            {
                EngineLog.MoveNotPermitted(_logger, deal.Id, trigger, deal.StageId);
                return FireResult.ForNotPermitted(trigger, deal, compiled.PermittedTriggers(stageIndex), attempt, triggerKnown: triggerIndex >= 0);
            }

            if (await _authorization.DeniedAsync(DealAction.Move, request.Actor, request.User, pipeline, deal, cancellationToken, trigger).ConfigureAwait(false) is { } moveDenied)
            {
                EngineLog.Forbidden(_logger, deal.Id, DealAction.Move, trigger, deal.StageId);
                return FireResult.ForForbidden(trigger, deal, DealAction.Move, moveDenied, [], attempt);
            }

            // The common case, one transition and no override: Stateless evaluates the guards as it fires, and
            // only a refusal pays for listing every unmet guard with its reason.
            CompiledPipeline.CompiledTransition? chosen = null;
            List<UnmetGuard>? overridden = null;
            var toIndex = -1;
            if (candidates.Length == 1 && request.OverrideJustification is null
                && compiled.TryFire(deal, stageIndex, candidates[0].TriggerIndex, request, forced: -1, out toIndex))
            {
                chosen = candidates[0];
            }
            else
            {
                (chosen, var unmet) = Choose(compiled, candidates, deal, request);
                if (chosen is null)
                {
                    if (request.OverrideJustification is null)
                    {
                        if (_logger.IsEnabled(LogLevel.Information))
                        {
#pragma warning disable CA1873 // Guarded by IsEnabled just above.
                            EngineLog.MoveRejected(_logger, deal.Id, trigger, deal.StageId, string.Join(",", unmet.Select(g => g.Code)));
#pragma warning restore CA1873
                        }

                        return FireResult.ForRejected(trigger, deal, unmet, attempt);
                    }

                    if (await _authorization.DeniedAsync(DealAction.Override, request.Actor, request.User, pipeline, deal, cancellationToken, trigger, unmet: unmet).ConfigureAwait(false) is { } overrideDenied)
                    {
                        EngineLog.Forbidden(_logger, deal.Id, DealAction.Override, trigger, deal.StageId);
                        return FireResult.ForForbidden(trigger, deal, DealAction.Override, overrideDenied, unmet, attempt);
                    }

                    // A forced move takes the first transition declared for the trigger and records what it bypassed.
                    chosen = candidates[0];
                    overridden = compiled.UnmetGuards(chosen, deal, request);
                    if (chosen.Definition.Kind == TransitionKind.Return && compiled.ReturnTarget(deal) < 0)
                    {
                        return FireResult.ForRejected(trigger, deal, unmet, attempt);
                    }

                    if (_logger.IsEnabled(LogLevel.Warning))
                    {
#pragma warning disable CA1873 // Guarded by IsEnabled just above.
                        EngineLog.MoveOverridden(_logger, deal.Id, trigger, request.Actor, string.Join(",", (overridden ?? []).Select(g => g.Code)));
#pragma warning restore CA1873
                    }
                }

                // Forcing selects the chosen transition: for an override, or deterministically among allowed alternatives.
                if (!compiled.TryFire(deal, stageIndex, chosen.TriggerIndex, request, chosen.Index, out toIndex))
                {
                    throw new InvalidOperationException($"Stateless refused the forced transition '{trigger}' from '{deal.StageId}'; the compiled pipeline is inconsistent.");
                }
            }

            var (after, @event) = Apply(deal, chosen, compiled.Stages[toIndex], request, overridden);
            DealWrite[] writes;
            if (link is null)
            {
                writes = [new DealWrite(after, deal.Version, [@event])];
            }
            else
            {
                // A linked start: the new deal and the firing deal's data change are saved with the move.
                var (linked, linkedEvent) = link.Plan(this);
                if (await _authorization.DeniedAsync(DealAction.Start, link.Request.Actor, link.Request.User, link.Pipeline, linked, cancellationToken).ConfigureAwait(false) is { } startDenied)
                {
                    EngineLog.Forbidden(_logger, linked.Id, DealAction.Start, link.Pipeline.Id, linked.StageId);
                    return FireResult.ForForbidden(trigger, deal, DealAction.Start, startDenied, [], attempt);
                }

                var linkEvent = NewActivityEvent(after, after.LastSequence + 1, link.LinkActivity, request.Actor, null, link.LinkProperties, after.UpdatedAt);
                var changedData = link.ChangeReferrerData(after.Data);
                pipeline.CheckData(changedData, after.Id);
                after = after with { Data = changedData, LastSequence = linkEvent.Sequence };
                writes = [new DealWrite(after, deal.Version, [@event, linkEvent]), new DealWrite(linked, 0, [linkedEvent])];
                link.Started = linked;
            }

            var saved = await CommitAsync(pipeline, deal, after, @event, writes, request, chosen.Definition.Kind == TransitionKind.Internal, attempt, cancellationToken).ConfigureAwait(false);
            switch (saved.Status)
            {
                case FireStatus.Aborted:
                    EngineLog.MoveAborted(_logger, saved.Aborted!.Exception, deal.Id, trigger, saved.Aborted.HookName);
                    return FireResult.ForAborted(trigger, deal, saved.Aborted, attempt);
                case FireStatus.Conflict when link is not null && await _store.GetAsync(link.DealId, cancellationToken).ConfigureAwait(false) is not null:
                    throw new DealAlreadyExistsException(link.DealId);
                case FireStatus.Conflict when attempt < _retries:
                    continue;
                case FireStatus.Conflict:
                    EngineLog.MoveConflict(_logger, deal.Id, trigger, attempt);
                    return FireResult.ForConflict(trigger, deal, attempt);
            }

            EngineLog.MoveAccepted(_logger, deal.Id, trigger, deal.StageId, after.StageId, pipeline.Id);
            _telemetry.StageLeft(deal, after);
            LogHookFailures(deal.Id, trigger, saved.Failures);
            return FireResult.ForAccepted(trigger, after, @event, (IReadOnlyList<UnmetGuard>?)overridden ?? [], saved.Failures, attempt);
        }
    }

    private async ValueTask<Deal> AppendActivityAsync(
        string dealId,
        ActivityRequest request,
        string defaultActivity,
        Action<InputCheck>? checkMore,
        Func<PipelineDefinition, Deal, (Deal? Changed, Dictionary<string, string>? Properties)> change,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        ArgumentNullException.ThrowIfNull(request);
        var check = new InputCheck(_limits).Id(dealId, "dealId").Actor(request.Actor, "ActivityRequest.Actor");
        if (request.Activity is not null)
        {
            check.Id(request.Activity, "ActivityRequest.Activity");
        }

        check.Note(request.Note, "ActivityRequest.Note").Properties(request.Properties, "ActivityRequest.Properties")
            .OptionalId(request.IdempotencyKey, "ActivityRequest.IdempotencyKey");
        checkMore?.Invoke(check);
        check.ThrowIfAny();
        var activity = request.Activity ?? defaultActivity;
        var commit = _telemetry.StartCommit(CommitKind.Activity, dealId, activity);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var deal = await GetAsync(dealId, cancellationToken).ConfigureAwait(false);
                if (request.IdempotencyKey is not null && await IsRepeatedActivityAsync(deal, activity, request, cancellationToken).ConfigureAwait(false))
                {
                    _telemetry.EndCommit(commit, CommitKind.Activity, deal, FireStatus.Accepted, attempt, null, []);
                    return deal;
                }

                var pipeline = Pipelines.Get(deal.PipelineId, deal.PipelineVersion);
                if (await _authorization.DeniedAsync(DealAction.Activity, request.Actor, request.User, pipeline, deal, cancellationToken, activity: activity).ConfigureAwait(false) is { } denied)
                {
                    EngineLog.Forbidden(_logger, deal.Id, DealAction.Activity, activity, deal.StageId);
                    _telemetry.EndCommit(commit, CommitKind.Activity, deal, FireStatus.Forbidden, attempt, null, []);
                    throw new DealForbiddenException(deal.Id, DealAction.Activity, null, denied);
                }

                var (changed, properties) = change(pipeline, deal);
                if (changed is null)
                {
                    _telemetry.EndCommit(commit, CommitKind.Activity, deal, FireStatus.Accepted, attempt, null, []);
                    return deal;
                }

                var now = _time.GetUtcNow();
                var after = changed with
                {
                    Version = deal.Version + 1,
                    LastSequence = deal.LastSequence + 1,
                    UpdatedAt = now,
                    LastActivityAt = now,
                    NextFollowUpAt = request.NextFollowUpAt ?? deal.NextFollowUpAt,
                };
                var merged = ToProperties(request.Properties);
                if (properties is not null)
                {
                    merged = merged.SetItems(properties);
                }

                var @event = NewActivityEvent(deal, after.LastSequence, activity, request.Actor, request.Note, merged, now, request.IdempotencyKey);
                var saved = await CommitAsync(pipeline, deal, after, @event, [new DealWrite(after, deal.Version, [@event])], null, false, attempt, cancellationToken).ConfigureAwait(false);
                if (RetryOrThrowUnsaved(saved, commit, deal, activity, attempt))
                {
                    continue;
                }

                EngineLog.ActivityRecorded(_logger, deal.Id, activity, deal.StageId, pipeline.Id);
                LogHookFailures(deal.Id, activity, saved.Failures);
                _telemetry.EndCommit(commit, CommitKind.Activity, after, FireStatus.Accepted, attempt, null, saved.Failures);
                return after;
            }
        }
        catch (Exception ex) when (ex is not DealConflictException and not HookAbortedException and not DealForbiddenException)
        {
            _telemetry.FailCommit(commit, CommitKind.Activity, ex);
            throw;
        }
    }

    /// <summary>
    /// The commit path every write shares once it has decided: a fresh hook scope for this attempt, the
    /// before-save hooks (the first failure aborts, nothing saved), the save under the expected versions, and the
    /// after-save hooks under a timeout (failures reported; the save stands).
    /// </summary>
    private async ValueTask<Committed> CommitAsync(
        PipelineDefinition pipeline, Deal? before, Deal after, DealEvent @event, DealWrite[] writes, FireRequest? request, bool isInternal, int attempt, CancellationToken cancellationToken)
    {
        var compiled = pipeline.Compiled;
        var hookScope = _hookScopes?.CreateScope();
        try
        {
            var context = _hooks.Length > 0 || hookScope is not null || compiled.TransitioningHooks.Length > 0 || compiled.TransitionedHooks.Length > 0
                ? new TransitionContext(pipeline, before, after, @event, request, attempt) { IsInternal = isInternal }
                : null;
            if (context is not null)
            {
                var failure = await RunHooksAsync(compiled.TransitioningHooks, hookScope, HookPhase.Transitioning, context, stopOnFailure: true, cancellationToken).ConfigureAwait(false);
                if (failure is not null)
                {
                    return new Committed(FireStatus.Aborted, failure[0], []);
                }
            }

            if (!await _store.TrySaveAsync(writes, cancellationToken).ConfigureAwait(false))
            {
                return new Committed(FireStatus.Conflict, null, []);
            }

            if (context is null)
            {
                return new Committed(FireStatus.Accepted, null, []);
            }

            // After the save the change stands: the hooks get the caller's token and a timeout, and what they throw is reported.
            var deadline = _afterSaveDeadline.Token;
            if (!cancellationToken.CanBeCanceled)
            {
                var failures = await RunHooksAsync(compiled.TransitionedHooks, hookScope, HookPhase.Transitioned, context, stopOnFailure: false, deadline).ConfigureAwait(false);
                return new Committed(FireStatus.Accepted, null, failures ?? []);
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline);
            var linkedFailures = await RunHooksAsync(compiled.TransitionedHooks, hookScope, HookPhase.Transitioned, context, stopOnFailure: false, linked.Token).ConfigureAwait(false);
            return new Committed(FireStatus.Accepted, null, linkedFailures ?? []);
        }
        finally
        {
            if (hookScope is not null)
            {
                await hookScope.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// What a write that returns a deal (an activity, an erasure) does when its save did not go through: <see langword="true"/>
    /// to try again on fresh state after a conflict; throws when a hook aborted it or conflicts outlasted the retries.
    /// </summary>
    private bool RetryOrThrowUnsaved(Committed saved, in MoveTelemetry commit, Deal deal, string change, int attempt)
    {
        switch (saved.Status)
        {
            case FireStatus.Aborted:
                EngineLog.MoveAborted(_logger, saved.Aborted!.Exception, deal.Id, change, saved.Aborted.HookName);
                _telemetry.EndCommit(commit, CommitKind.Activity, deal, FireStatus.Aborted, attempt, saved.Aborted, []);
                throw new HookAbortedException(deal.Id, change, saved.Aborted);
            case FireStatus.Conflict when attempt < _retries:
                return true;
            case FireStatus.Conflict:
                EngineLog.MoveConflict(_logger, deal.Id, change, attempt);
                _telemetry.EndCommit(commit, CommitKind.Activity, deal, FireStatus.Conflict, attempt, null, []);
                throw new DealConflictException(deal.Id, attempt);
            default:
                return false;
        }
    }

    private (Deal Deal, DealEvent Started) NewDeal(PipelineDefinition pipeline, string dealId, object data, StartRequest request)
    {
        var now = _time.GetUtcNow();
        var initial = pipeline.GetStage(pipeline.InitialStage);
        var deal = new Deal
        {
            Id = dealId,
            TenantId = _store.TenantId,
            PipelineId = pipeline.Id,
            PipelineVersion = pipeline.Version,
            StageId = initial.Id,
            Version = 1,
            LastSequence = 1,
            StageEnteredSequence = 1,
            CreatedAt = now,
            UpdatedAt = now,
            StageEnteredAt = now,
            LastActivityAt = now,
            Owner = request.Owner,
            Amount = request.Amount,
            Outcome = initial.Kind,
            Data = data,
        };
        var started = new DealEvent
        {
            DealId = dealId,
            Sequence = 1,
            Kind = DealEventKind.Started,
            Timestamp = now,
            Actor = request.Actor,
            ToStage = initial.Id,
            Note = request.Note,
            Properties = ToProperties(request.Properties),
            IdempotencyKey = request.IdempotencyKey,
        };
        return (deal, started);
    }

    private static DealEvent NewActivityEvent(Deal deal, long sequence, string activity, string actor, string? note, ImmutableDictionary<string, string> properties, DateTimeOffset at, string? idempotencyKey = null) => new()
    {
        DealId = deal.Id,
        Sequence = sequence,
        Kind = DealEventKind.Activity,
        Timestamp = at,
        Actor = actor,
        FromStage = deal.StageId,
        ToStage = deal.StageId,
        Activity = activity,
        Note = note,
        Properties = properties,
        IdempotencyKey = idempotencyKey,
    };

    private static (CompiledPipeline.CompiledTransition? Chosen, IReadOnlyList<UnmetGuard> Unmet) Choose(
        CompiledPipeline compiled, CompiledPipeline.CompiledTransition[] candidates, Deal deal, FireRequest request)
    {
        List<UnmetGuard>? all = null;
        foreach (var candidate in candidates)
        {
            var unmet = compiled.UnmetGuards(candidate, deal, request);
            if (unmet is null)
            {
                return (candidate, []);
            }

            if (all is null)
            {
                all = unmet;
            }
            else
            {
                all.AddRange(unmet.Where(u => !all.Exists(a => a.Code == u.Code)));
            }
        }

        return (null, all!);
    }

    private (Deal After, DealEvent Event) Apply(
        Deal deal,
        CompiledPipeline.CompiledTransition chosen,
        StageDefinition to,
        FireRequest request,
        List<UnmetGuard>? overridden)
    {
        var now = _time.GetUtcNow();
        var isInternal = chosen.Definition.Kind == TransitionKind.Internal;
        var sequence = deal.LastSequence + 1;
        var after = deal with
        {
            StageId = to.Id,
            PreviousStageId = isInternal ? deal.PreviousStageId : deal.StageId,
            Version = deal.Version + 1,
            LastSequence = sequence,
            UpdatedAt = now,
            LastActivityAt = now,
            StageEnteredAt = isInternal ? deal.StageEnteredAt : now,
            StageEnteredSequence = isInternal ? deal.StageEnteredSequence : sequence,
            Outcome = to.Kind,
            OutcomeReason = isInternal ? deal.OutcomeReason : to.Kind == StageKind.Open ? null : request.Reason,
            NextFollowUpAt = to.Kind == StageKind.Open ? deal.NextFollowUpAt : null,
        };

        if (chosen.Definition.FollowUp is { } followUp)
        {
            after = after with { NextFollowUpAt = followUp(new DealFollowUpContext(after, now)) };
        }

        var @event = new DealEvent
        {
            DealId = deal.Id,
            Sequence = sequence,
            Kind = DealEventKind.Transition,
            Timestamp = now,
            Actor = request.Actor,
            Trigger = chosen.Definition.Trigger,
            FromStage = deal.StageId,
            ToStage = to.Id,
            Note = request.Note,
            Reason = request.Reason,
            OverriddenGuards = overridden is null ? [] : [.. overridden.Select(g => g.Code)],
            OverrideJustification = overridden is null ? null : request.OverrideJustification,
            Properties = ToProperties(request.Properties),
            IdempotencyKey = request.IdempotencyKey,
        };
        return (after, @event);
    }

    private void LogHookFailures(string dealId, string change, IReadOnlyList<HookFailure> failures)
    {
        foreach (var f in failures)
        {
            EngineLog.HookFailed(_logger, f.Exception, dealId, change, f.HookName);
        }
    }

    // Order: the pipeline's hooks by scope (global, trigger, exit, enter, activity; each in registration order), then the
    // engine's hooks, then the attempt's scoped hooks. Hooks that complete synchronously (most do) run without an async
    // state machine; the first one that does not continues on the async path from where it stands.
    private ValueTask<List<HookFailure>?> RunHooksAsync(
        HookRegistration[] pipelineHooks, IDealHookScope? hookScope, HookPhase phase, TransitionContext context, bool stopOnFailure, CancellationToken cancellationToken)
    {
        var hooks = new HookList(pipelineHooks, _hooks, hookScope?.Hooks);
        List<HookFailure>? failures = null;
        for (var i = 0; i < hooks.Count; i++)
        {
            if (!hooks.Matches(i, context))
            {
                continue;
            }

            try
            {
#pragma warning disable CA2012 // Consumed exactly once: completed here, or handed to the async path that awaits it.
                var pending = hooks.Invoke(i, phase, context, cancellationToken);
#pragma warning restore CA2012
                if (!pending.IsCompleted)
                {
                    return RunHooksSlowAsync(hooks, i, pending, phase, context, stopOnFailure, failures, cancellationToken);
                }

                pending.GetAwaiter().GetResult();
            }
            catch (Exception ex) when (IsHookFailure(ex, phase, cancellationToken))
            {
                (failures ??= []).Add(new HookFailure(hooks.NameOf(i), phase, ex));
                if (stopOnFailure)
                {
                    return new(failures);
                }
            }
        }

        return new(failures);
    }

    private static async ValueTask<List<HookFailure>?> RunHooksSlowAsync(
        HookList hooks, int index, ValueTask pending, HookPhase phase, TransitionContext context, bool stopOnFailure, List<HookFailure>? failures, CancellationToken cancellationToken)
    {
        for (var i = index; i < hooks.Count; i++)
        {
            if (i > index && !hooks.Matches(i, context))
            {
                continue;
            }

            try
            {
                if (i == index)
                {
                    await pending.ConfigureAwait(false);
                }
                else
                {
                    await hooks.Invoke(i, phase, context, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (IsHookFailure(ex, phase, cancellationToken))
            {
                (failures ??= []).Add(new HookFailure(hooks.NameOf(i), phase, ex));
                if (stopOnFailure)
                {
                    return failures;
                }
            }
        }

        return failures;
    }

    // Before the save, the caller's cancellation ends the write; after it, a cancelled (timed-out) hook is a reported failure.
    private static bool IsHookFailure(Exception ex, HookPhase phase, CancellationToken cancellationToken) =>
        phase == HookPhase.Transitioned || ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested;

    private static ImmutableDictionary<string, string> ToProperties(IReadOnlyDictionary<string, string>? properties) =>
        properties is null || properties.Count == 0 ? ImmutableDictionary<string, string>.Empty : properties.ToImmutableDictionary(StringComparer.Ordinal);

    // The data must be usable as the pipeline's type (start) and the pipeline's data as TData (update): the same type.
    private static void EnsureDataType<TData>(PipelineDefinition pipeline)
    {
        if (pipeline.DataType != typeof(TData))
        {
            throw new ArgumentException($"Pipeline '{pipeline.Id}' deals carry {pipeline.DataType.Name} data, not {typeof(TData).Name}.");
        }
    }

    private InputCheck Check(string dealId, string trigger, FireRequest request) =>
        new InputCheck(_limits)
            .Id(dealId, "dealId").Id(trigger, "trigger").Actor(request.Actor, "FireRequest.Actor")
            .Note(request.Note, "FireRequest.Note").Reason(request.Reason, "FireRequest.Reason")
            .Reason(request.OverrideJustification, "FireRequest.OverrideJustification").Properties(request.Properties, "FireRequest.Properties")
            .OptionalId(request.IdempotencyKey, "FireRequest.IdempotencyKey");

    private readonly record struct Committed(FireStatus Status, HookFailure? Aborted, IReadOnlyList<HookFailure> Failures);

    /// <summary>The hooks of one phase of one write as one list: the pipeline's, then the engine's, then the attempt's scoped ones.</summary>
    private readonly struct HookList(HookRegistration[] pipelineHooks, IDealHook[] engineHooks, IReadOnlyList<IDealHook>? scopedHooks)
    {
        public int Count { get; } = pipelineHooks.Length + engineHooks.Length + (scopedHooks?.Count ?? 0);

        public bool Matches(int index, TransitionContext context) =>
            index >= pipelineHooks.Length || pipelineHooks[index].Scope.Matches(context);

        public ValueTask Invoke(int index, HookPhase phase, TransitionContext context, CancellationToken cancellationToken)
        {
            if (index < pipelineHooks.Length)
            {
                return pipelineHooks[index].Invoke(context, cancellationToken);
            }

            var hook = HookAt(index);
            return phase == HookPhase.Transitioning ? hook.OnTransitioningAsync(context, cancellationToken) : hook.OnTransitionedAsync(context, cancellationToken);
        }

        public string NameOf(int index) => index < pipelineHooks.Length ? pipelineHooks[index].Name : HookAt(index).GetType().Name;

        private IDealHook HookAt(int index) =>
            index - pipelineHooks.Length is var engineIndex && engineIndex < engineHooks.Length ? engineHooks[engineIndex] : scopedHooks![engineIndex - engineHooks.Length];
    }

    /// <summary>A deal started together with a move on another deal (a referral), and how that move links to it.</summary>
    internal sealed class LinkedStart(
        PipelineDefinition pipeline,
        string dealId,
        object data,
        StartRequest request,
        string linkActivity,
        IReadOnlyDictionary<string, string> linkProperties,
        Func<object, object> changeReferrerData)
    {
        public PipelineDefinition Pipeline => pipeline;

        public string DealId => dealId;

        public object Data => data;

        public string LinkActivity => linkActivity;

        public ImmutableDictionary<string, string> LinkProperties { get; } = ToProperties(linkProperties);

        public StartRequest Request => request;

        public Deal? Started { get; set; }

        public object ChangeReferrerData(object referrerData) => changeReferrerData(referrerData);

        public (Deal Deal, DealEvent Started) Plan(SalesFlowEngine engine) => engine.NewDeal(pipeline, dealId, data, request);
    }
}
