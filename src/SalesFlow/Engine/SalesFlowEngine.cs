using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SalesFlow;

/// <summary>
/// Moves deals through their pipelines: starts deals, fires triggers (guards, hooks, history), lists the
/// moves available, and records activities. Thread-safe; one instance serves a whole application.
/// </summary>
/// <remarks>
/// A move: load the deal → evaluate the trigger (every unmet guard is reported) → fire it through a pooled
/// Stateless machine → build the event → <see cref="HookPhase.Transitioning"/> hooks → save under the
/// expected version → <see cref="HookPhase.Transitioned"/> hooks. A concurrency conflict is retried on
/// fresh state up to <see cref="SalesFlowEngineOptions.ConflictRetryCount"/> times.
/// </remarks>
public sealed class SalesFlowEngine
{
    private const string ActivityDataUpdated = "data.updated";
    private const string ActivityChecklistCompleted = "checklist.completed";
    private const string ActivityNote = "note";

    private readonly IDealStore _store;
    private readonly TimeProvider _time;
    private readonly int _retries;
    private readonly OverridePolicy _overridePolicy;
    private readonly IDealHook[] _hooks;
    private readonly ILogger _logger;
    private readonly SalesFlowTelemetry _telemetry;
    private readonly IDealHookScopeFactory? _hookScopes;

    /// <summary>Initializes a new instance of the <see cref="SalesFlowEngine"/> class.</summary>
    /// <param name="pipelines">The pipelines deals run on.</param>
    /// <param name="store">Where deals and their histories are kept.</param>
    /// <param name="options">How the engine behaves; <see langword="null"/> for the defaults.</param>
    public SalesFlowEngine(PipelineRegistry pipelines, IDealStore store, SalesFlowEngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(store);
        options ??= new SalesFlowEngineOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.ConflictRetryCount, nameof(options));
        Pipelines = pipelines;
        _store = store;
        _time = options.TimeProvider ?? throw new ArgumentException("TimeProvider must not be null.", nameof(options));
        _retries = options.ConflictRetryCount;
        _overridePolicy = options.OverridePolicy ?? throw new ArgumentException("OverridePolicy must not be null.", nameof(options));
        _hooks = [.. options.Hooks];
        _logger = options.LoggerFactory?.CreateLogger("SalesFlow.Engine") ?? NullLogger.Instance;
        _telemetry = SalesFlowTelemetry.For(options.MeterFactory);
        _hookScopes = options.HookScopeFactory;
    }

    /// <summary>Gets the pipelines deals run on.</summary>
    public PipelineRegistry Pipelines { get; }

    /// <summary>Gets the store deals are kept in.</summary>
    public IDealStore Store => _store;

    /// <summary>Starts a deal in the initial stage of the latest version of a pipeline.</summary>
    /// <typeparam name="TData">The pipeline's data type.</typeparam>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <param name="dealId">The new deal's id.</param>
    /// <param name="data">The deal's first data; the engine keeps a copy.</param>
    /// <param name="actor">Who starts the deal.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started deal.</returns>
    /// <exception cref="PipelineNotFoundException">The pipeline is not registered.</exception>
    /// <exception cref="DealAlreadyExistsException">A deal with that id exists.</exception>
    public ValueTask<Deal> StartAsync<TData>(string pipelineId, string dealId, TData data, string actor, CancellationToken cancellationToken = default)
        where TData : class =>
        StartAsync(pipelineId, dealId, data, new StartRequest(actor), cancellationToken);

    /// <summary>Starts a deal in the initial stage of a pipeline.</summary>
    /// <typeparam name="TData">The pipeline's data type.</typeparam>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <param name="dealId">The new deal's id.</param>
    /// <param name="data">The deal's first data; the engine keeps a copy.</param>
    /// <param name="options">Who starts the deal, its owner, amount, pipeline version …</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started deal.</returns>
    /// <exception cref="PipelineNotFoundException">The pipeline (version) is not registered.</exception>
    /// <exception cref="DealAlreadyExistsException">A deal with that id exists.</exception>
    public async ValueTask<Deal> StartAsync<TData>(string pipelineId, string dealId, TData data, StartRequest options, CancellationToken cancellationToken = default)
        where TData : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pipelineId);
        ArgumentException.ThrowIfNullOrWhiteSpace(dealId);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        RequireActor(options.Actor, nameof(options));
        cancellationToken.ThrowIfCancellationRequested();

        var pipeline = options.PipelineVersion is { } version ? Pipelines.Get(pipelineId, version) : Pipelines.Get(pipelineId);
        EnsureDataType<TData>(pipeline);
        var now = _time.GetUtcNow();
        var initial = pipeline.GetStage(pipeline.InitialStage);
        var deal = new Deal
        {
            Id = dealId,
            PipelineId = pipeline.Id,
            PipelineVersion = pipeline.Version,
            StageId = initial.Id,
            Version = 1,
            LastSequence = 1,
            CreatedAt = now,
            UpdatedAt = now,
            StageEnteredAt = now,
            LastActivityAt = now,
            Owner = options.Owner,
            Amount = options.Amount,
            Outcome = initial.Kind,
            Data = pipeline.CloneData(data),
        };
        var started = new DealEvent
        {
            DealId = dealId,
            Sequence = 1,
            Kind = DealEventKind.Started,
            Timestamp = now,
            Actor = options.Actor,
            ToStage = initial.Id,
            Note = options.Note,
            Properties = ToProperties(options.Properties),
        };

        if (!await _store.TrySaveAsync([new DealWrite(deal, 0, [started])], cancellationToken).ConfigureAwait(false))
        {
            throw new DealAlreadyExistsException(dealId);
        }

        EngineLog.DealStarted(_logger, dealId, pipeline.Id, pipeline.Version, initial.Id);
        return deal;
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
    public ValueTask<IReadOnlyList<DealEvent>> GetHistoryAsync(string dealId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dealId);
        return _store.GetEventsAsync(dealId, 0, null, cancellationToken);
    }

    /// <summary>Fires a trigger on a deal.</summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="trigger">The trigger, for example <c>Qualify</c>.</param>
    /// <param name="options">Who fires it, with a note, a reason, arguments or an override justification.</param>
    /// <param name="cancellationToken">Cancels the move (before it is saved).</param>
    /// <returns>
    /// <see cref="FireStatus.Accepted"/>, <see cref="FireStatus.Rejected"/> (every unmet guard),
    /// <see cref="FireStatus.NotPermitted"/> (the moves that exist), <see cref="FireStatus.Conflict"/> or
    /// <see cref="FireStatus.Aborted"/>. Call <see cref="FireResult.EnsureAccepted"/> to turn a refusal into an exception.
    /// </returns>
    /// <exception cref="DealNotFoundException">There is no such deal.</exception>
    public async ValueTask<FireResult> FireAsync(string dealId, string trigger, FireRequest options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dealId);
        ArgumentException.ThrowIfNullOrWhiteSpace(trigger);
        ArgumentNullException.ThrowIfNull(options);
        RequireActor(options.Actor, nameof(options));
        if (options.OverrideJustification is not null && string.IsNullOrWhiteSpace(options.OverrideJustification))
        {
            throw new ArgumentException("An override needs a justification: OverrideJustification is blank.", nameof(options));
        }

        var move = _telemetry.StartMove(dealId, trigger);
        IDealHookScope? hookScope = null;
        try
        {
            hookScope = _hookScopes?.CreateScope();
            var result = await FireCoreAsync(dealId, trigger, options, hookScope, cancellationToken).ConfigureAwait(false);
            _telemetry.EndMove(move, result);
            return result;
        }
        catch (Exception ex)
        {
            _telemetry.FailMove(move, ex);
            throw;
        }
        finally
        {
            if (hookScope is not null)
            {
                await hookScope.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<FireResult> FireCoreAsync(string dealId, string trigger, FireRequest options, IDealHookScope? hookScope, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var deal = await _store.GetAsync(dealId, cancellationToken).ConfigureAwait(false) ?? throw new DealNotFoundException(dealId);
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

            // The common case, one transition and no override: Stateless evaluates the guards as it fires, and
            // only a refusal pays for listing every unmet guard with its reason.
            CompiledPipeline.CompiledTransition? chosen = null;
            List<UnmetGuard>? overridden = null;
            var toIndex = -1;
            if (candidates.Length == 1 && options.OverrideJustification is null
                && compiled.TryFire(deal, stageIndex, candidates[0].TriggerIndex, options, forced: -1, out toIndex))
            {
                chosen = candidates[0];
            }
            else
            {
                (chosen, var unmet) = Choose(compiled, candidates, deal, options);
                if (chosen is null)
                {
                    var denied = options.OverrideJustification is not null
                        && !_overridePolicy.Allows(new OverrideRequest(options.Actor, pipeline, deal, trigger, unmet));
                    if (options.OverrideJustification is null || denied)
                    {
                        if (_logger.IsEnabled(LogLevel.Information))
                        {
#pragma warning disable CA1873 // Guarded by IsEnabled just above.
                            EngineLog.MoveRejected(_logger, deal.Id, trigger, deal.StageId, string.Join(",", unmet.Select(g => g.Code)));
#pragma warning restore CA1873
                        }

                        return FireResult.ForRejected(trigger, deal, unmet, denied, attempt);
                    }

                    // A forced move takes the first transition declared for the trigger and records what it bypassed.
                    chosen = candidates[0];
                    overridden = compiled.UnmetGuards(chosen, deal, options);
                    if (chosen.Definition.Kind == TransitionKind.Return && compiled.ReturnTarget(deal) < 0)
                    {
                        return FireResult.ForRejected(trigger, deal, unmet, false, attempt);
                    }

                    if (_logger.IsEnabled(LogLevel.Warning))
                    {
#pragma warning disable CA1873 // Guarded by IsEnabled just above.
                        EngineLog.MoveOverridden(_logger, deal.Id, trigger, options.Actor, string.Join(",", (overridden ?? []).Select(g => g.Code)));
#pragma warning restore CA1873
                    }
                }

                // Forcing selects the chosen transition: for an override, or deterministically among allowed alternatives.
                if (!compiled.TryFire(deal, stageIndex, chosen.TriggerIndex, options, chosen.Index, out toIndex))
                {
                    throw new InvalidOperationException($"Stateless refused the forced transition '{trigger}' from '{deal.StageId}'; the compiled pipeline is inconsistent.");
                }
            }

            var (after, @event) = Apply(deal, chosen, compiled.Stages[toIndex], options, overridden);

            var context = HasHooks(compiled, hookScope) ? new TransitionContext(pipeline, deal, after, @event, options, attempt) { IsInternal = chosen.Definition.Kind == TransitionKind.Internal } : null;
            if (context is not null)
            {
                var failure = await RunHooksAsync(compiled.TransitioningHooks, hookScope, HookPhase.Transitioning, context, stopOnFailure: true, cancellationToken).ConfigureAwait(false);
                if (failure is not null)
                {
                    EngineLog.MoveAborted(_logger, failure[0].Exception, deal.Id, trigger, failure[0].HookName);
                    return FireResult.ForAborted(trigger, deal, failure[0], attempt);
                }
            }

            if (!await _store.TrySaveAsync([new DealWrite(after, deal.Version, [@event])], cancellationToken).ConfigureAwait(false))
            {
                if (attempt < _retries)
                {
                    continue;
                }

                EngineLog.MoveConflict(_logger, deal.Id, trigger, attempt);
                return FireResult.ForConflict(trigger, deal, attempt);
            }

            EngineLog.MoveAccepted(_logger, deal.Id, trigger, deal.StageId, after.StageId, pipeline.Id);
            _telemetry.StageLeft(deal, after);
            IReadOnlyList<HookFailure> failures = [];
            if (context is not null)
            {
                // After the save the move stands: hooks run to the end even if the caller cancels.
                failures = await RunHooksAsync(compiled.TransitionedHooks, hookScope, HookPhase.Transitioned, context, stopOnFailure: false, CancellationToken.None).ConfigureAwait(false) ?? [];
                foreach (var f in failures)
                {
                    EngineLog.HookFailed(_logger, f.Exception, deal.Id, trigger, f.HookName);
                }
            }

            return FireResult.ForAccepted(trigger, after, @event, (IReadOnlyList<UnmetGuard>?)overridden ?? [], failures, attempt);
        }
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
    public async ValueTask<IReadOnlyList<AvailableMove>> GetAvailableMovesAsync(string dealId, CancellationToken cancellationToken = default)
    {
        var deal = await GetAsync(dealId, cancellationToken).ConfigureAwait(false);
        return GetAvailableMoves(deal);
    }

    /// <summary>Lists every move from a deal's current stage (see <see cref="GetAvailableMovesAsync"/>), for a deal already loaded.</summary>
    /// <param name="deal">The deal.</param>
    /// <returns>The moves, in declaration order.</returns>
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
    /// <param name="update">Changes a private copy of the data; on a conflict it runs again on fresh data.</param>
    /// <param name="options">Who changes the data, and the activity type and note to record.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    /// <exception cref="DealNotFoundException">There is no such deal.</exception>
    /// <exception cref="DealConflictException">Other writers kept changing the deal; nothing was saved.</exception>
    public ValueTask<Deal> UpdateAsync<TData>(string dealId, Action<TData> update, ActivityRequest options, CancellationToken cancellationToken = default)
        where TData : class
    {
        ArgumentNullException.ThrowIfNull(update);
        return AppendActivityAsync(
            dealId,
            options,
            ActivityDataUpdated,
            (pipeline, deal) =>
            {
                EnsureDataType<TData>(pipeline);
                var copy = (TData)pipeline.CloneData(deal.Data);
                update(copy);
                return (deal with { Data = copy }, null);
            },
            cancellationToken);
    }

    /// <summary>Changes a deal's data and records the change as a <c>data.updated</c> activity event.</summary>
    /// <typeparam name="TData">The pipeline's data type.</typeparam>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="update">Changes a private copy of the data.</param>
    /// <param name="actor">Who changes the data.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public ValueTask<Deal> UpdateAsync<TData>(string dealId, Action<TData> update, string actor, CancellationToken cancellationToken = default)
        where TData : class =>
        UpdateAsync(dealId, update, new ActivityRequest(actor), cancellationToken);

    /// <summary>Marks a checklist item of the deal's pipeline as done and records it. Completing a done item again changes nothing.</summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="itemId">The checklist item's id.</param>
    /// <param name="options">Who completed it, and a note.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    /// <exception cref="ArgumentException">The pipeline has no such checklist item.</exception>
    public ValueTask<Deal> CompleteChecklistItemAsync(string dealId, string itemId, ActivityRequest options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(itemId);
        return AppendActivityAsync(
            dealId,
            options,
            ActivityChecklistCompleted,
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
    /// <param name="options">Who, what type, the note, and optionally the next follow-up.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public ValueTask<Deal> RecordActivityAsync(string dealId, ActivityRequest options, CancellationToken cancellationToken = default) =>
        AppendActivityAsync(dealId, options, ActivityNote, static (_, deal) => (deal, null), cancellationToken);

    private async ValueTask<Deal> AppendActivityAsync(
        string dealId,
        ActivityRequest options,
        string defaultActivity,
        Func<PipelineDefinition, Deal, (Deal? Changed, Dictionary<string, string>? Properties)> change,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dealId);
        ArgumentNullException.ThrowIfNull(options);
        RequireActor(options.Actor, nameof(options));
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var deal = await GetAsync(dealId, cancellationToken).ConfigureAwait(false);
            var pipeline = Pipelines.Get(deal.PipelineId, deal.PipelineVersion);
            var (changed, properties) = change(pipeline, deal);
            if (changed is null)
            {
                return deal;
            }

            var now = _time.GetUtcNow();
            var after = changed with
            {
                Version = deal.Version + 1,
                LastSequence = deal.LastSequence + 1,
                UpdatedAt = now,
                LastActivityAt = now,
                NextFollowUpAt = options.NextFollowUpAt ?? deal.NextFollowUpAt,
            };
            var merged = ToProperties(options.Properties);
            if (properties is not null)
            {
                merged = merged.SetItems(properties);
            }

            var @event = new DealEvent
            {
                DealId = deal.Id,
                Sequence = after.LastSequence,
                Kind = DealEventKind.Activity,
                Timestamp = now,
                Actor = options.Actor,
                FromStage = deal.StageId,
                ToStage = deal.StageId,
                Activity = options.Activity ?? defaultActivity,
                Note = options.Note,
                Properties = merged,
            };

            if (await _store.TrySaveAsync([new DealWrite(after, deal.Version, [@event])], cancellationToken).ConfigureAwait(false))
            {
                return after;
            }

            _telemetry.ActivityConflict(deal.PipelineId);
            if (attempt >= _retries)
            {
                throw new DealConflictException(deal.Id, attempt);
            }
        }
    }

    private static (CompiledPipeline.CompiledTransition? Chosen, IReadOnlyList<UnmetGuard> Unmet) Choose(
        CompiledPipeline compiled, CompiledPipeline.CompiledTransition[] candidates, Deal deal, FireRequest options)
    {
        List<UnmetGuard>? all = null;
        foreach (var candidate in candidates)
        {
            var unmet = compiled.UnmetGuards(candidate, deal, options);
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
        FireRequest options,
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
            Outcome = to.Kind,
            OutcomeReason = isInternal ? deal.OutcomeReason : to.Kind == StageKind.Open ? null : options.Reason,
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
            Actor = options.Actor,
            Trigger = chosen.Definition.Trigger,
            FromStage = deal.StageId,
            ToStage = to.Id,
            Note = options.Note,
            Reason = options.Reason,
            OverriddenGuards = overridden is null ? [] : [.. overridden.Select(g => g.Code)],
            OverrideJustification = overridden is null ? null : options.OverrideJustification,
            Properties = ToProperties(options.Properties),
        };
        return (after, @event);
    }

    private bool HasHooks(CompiledPipeline compiled, IDealHookScope? hookScope) =>
        _hooks.Length > 0 || hookScope is not null || compiled.TransitioningHooks.Length > 0 || compiled.TransitionedHooks.Length > 0;

    // Order: the pipeline's hooks by scope (global, trigger, exit, enter; each in registration order), then the engine's hooks, then the move's scoped hooks.
    private async ValueTask<List<HookFailure>?> RunHooksAsync(
        HookRegistration[] pipelineHooks, IDealHookScope? hookScope, HookPhase phase, TransitionContext context, bool stopOnFailure, CancellationToken cancellationToken)
    {
        List<HookFailure>? failures = null;
        foreach (var hook in pipelineHooks)
        {
            if (!hook.Scope.Matches(context.Trigger, context.FromStage, context.ToStage, context.ChangesStage))
            {
                continue;
            }

            try
            {
                await hook.Invoke(context, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                (failures ??= []).Add(new HookFailure(hook.Name, phase, ex));
                if (stopOnFailure)
                {
                    return failures;
                }
            }
        }

        failures = await RunEngineHooksAsync(_hooks, phase, context, stopOnFailure, failures, cancellationToken).ConfigureAwait(false);
        if (hookScope is not null && (failures is null || !stopOnFailure))
        {
            failures = await RunEngineHooksAsync(hookScope.Hooks, phase, context, stopOnFailure, failures, cancellationToken).ConfigureAwait(false);
        }

        return failures;
    }

    private static async ValueTask<List<HookFailure>?> RunEngineHooksAsync(
        IReadOnlyList<IDealHook> hooks, HookPhase phase, TransitionContext context, bool stopOnFailure, List<HookFailure>? failures, CancellationToken cancellationToken)
    {
        // An index loop: foreach over the interface would allocate an enumerator on every move.
        for (var i = 0; i < hooks.Count; i++)
        {
            var hook = hooks[i];
            try
            {
                if (phase == HookPhase.Transitioning)
                {
                    await hook.OnTransitioningAsync(context, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await hook.OnTransitionedAsync(context, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                (failures ??= []).Add(new HookFailure(hook.GetType().Name, phase, ex));
                if (stopOnFailure)
                {
                    return failures;
                }
            }
        }

        return failures;
    }

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

    private static void RequireActor(string? actor, string paramName)
    {
        if (string.IsNullOrWhiteSpace(actor))
        {
            throw new ArgumentException("An actor is required: say who makes the change (a user or system id).", paramName);
        }
    }
}
