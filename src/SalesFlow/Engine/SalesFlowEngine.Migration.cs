using System.Collections.Immutable;

namespace SalesFlow;

/// <content>Pipeline version migration: a dry run that writes nothing, and an apply that moves deals one commit at a time.</content>
public sealed partial class SalesFlowEngine
{
    private const string MigrationChange = "migrate";

    /// <summary>
    /// Plans a migration without writing anything: for every deal on the old version, its new stage, the guards it
    /// would not meet there, and whether it can be migrated at all (a stage that goes nowhere cannot).
    /// </summary>
    /// <param name="migration">The versions and the stage map.</param>
    /// <param name="cancellationToken">Cancels the dry run.</param>
    /// <returns>The plan, with the diff of the two versions.</returns>
    /// <exception cref="PipelineNotFoundException">A version is not registered.</exception>
    /// <exception cref="PipelineMigrationException">The migration does not fit the versions (same version, a stage the map names that a version lacks, another data type); the exception lists every problem.</exception>
    /// <exception cref="GuardFailedException">A guard of the new version threw instead of answering.</exception>
    public async ValueTask<MigrationPlan> PlanMigrationAsync(PipelineMigration migration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(migration);
        var (from, to) = migration.Resolve(Pipelines);
        var deals = new List<DealMigrationPlan>();
        var damaged = new List<DealDataDamagedException>();
        string? after = null;
        do
        {
            var page = await ReadOldVersionPageAsync(migration, after, 100, cancellationToken).ConfigureAwait(false);
            damaged.AddRange(page.Damaged);
            foreach (var deal in page.Deals.Where(d => IsOn(d, from)))
            {
                var target = migration.TargetStage(deal.StageId, to);
                ImmutableArray<UnmetGuard> unmet = target is null ? [] : UnmetGuardsAfterMigration(to, deal, target, MigrationChange);
                deals.Add(new DealMigrationPlan
                {
                    DealId = deal.Id,
                    FromStage = deal.StageId,
                    ToStage = target,
                    UnmetGuards = unmet,
                    Action = target is null ? DealMigrationAction.SkipUnmappedStage
                        : unmet.Length > 0 && migration.SkipDealsWithUnmetGuards ? DealMigrationAction.SkipUnmetGuards
                        : DealMigrationAction.Migrate,
                });
            }

            after = page.NextAfterDealId;
        }
        while (after is not null);

        return new MigrationPlan(migration, PipelineDiff.Compare(from, to), deals, damaged);
    }

    /// <summary>Applies a migration (see <see cref="ApplyMigrationAsync(PipelineMigration, MigrationRequest, CancellationToken)"/>).</summary>
    /// <param name="migration">The versions and the stage map.</param>
    /// <param name="actor">Who applies the migration.</param>
    /// <param name="cancellationToken">Cancels the run between deals; deals already migrated stay migrated.</param>
    /// <returns>What the run did.</returns>
    public ValueTask<MigrationResult> ApplyMigrationAsync(PipelineMigration migration, string actor, CancellationToken cancellationToken = default) =>
        ApplyMigrationAsync(migration, new MigrationRequest(actor), cancellationToken);

    /// <summary>
    /// Applies a migration: every deal of the old version whose stage has somewhere to go moves to the new version, each in
    /// its own commit (the deal's new version and stage saved together with one <see cref="DealEventKind.Migrated"/> event,
    /// or nothing), through the same commit path as every other write: global hooks, optimistic concurrency with the
    /// usual retries on fresh state, telemetry and logs.
    /// </summary>
    /// <remarks>
    /// The run is resumable and idempotent: it reads the deals still on the old version, so running it again after an
    /// interruption (a crash, a cancellation, a store failure) migrates the rest, and running it when every deal is done
    /// changes nothing. A deal found already off the old version when its turn comes is skipped. Deals whose stage goes
    /// nowhere, and (with <see cref="PipelineMigration.SkipDealsWithUnmetGuards"/>) deals with unmet guards, are left
    /// untouched and reported. A conflict beyond the retries, a hook that refuses or a caller who may not migrate the deal
    /// (<see cref="DealForbiddenException"/>, see <see cref="PipelinePermissions.Manage"/>) fails that deal only; an exception
    /// from the store or a cancellation ends the run and propagates.
    /// </remarks>
    /// <param name="migration">The versions and the stage map.</param>
    /// <param name="request">Who applies the migration, and a note for the events.</param>
    /// <param name="cancellationToken">Cancels the run between deals; deals already migrated stay migrated.</param>
    /// <returns>What the run did: counts and one outcome per deal looked at.</returns>
    /// <exception cref="PipelineNotFoundException">A version is not registered.</exception>
    /// <exception cref="PipelineMigrationException">The migration does not fit the versions; the exception lists every problem, and nothing was written.</exception>
    /// <exception cref="GuardFailedException">A guard of the new version threw instead of answering; the deals migrated before stay migrated.</exception>
    public async ValueTask<MigrationResult> ApplyMigrationAsync(PipelineMigration migration, MigrationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(migration);
        ArgumentNullException.ThrowIfNull(request);
        new InputCheck(_limits).Actor(request.Actor, "MigrationRequest.Actor").Note(request.Note, "MigrationRequest.Note").ThrowIfAny();
        if (request.PageSize is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.PageSize, "MigrationRequest.PageSize must be between 1 and 10,000.");
        }

        var (from, to) = migration.Resolve(Pipelines);
        var outcomes = new List<DealMigrationOutcome>();
        var damaged = new List<DealDataDamagedException>();
        string? after = null;
        do
        {
            var page = await ReadOldVersionPageAsync(migration, after, request.PageSize, cancellationToken).ConfigureAwait(false);
            damaged.AddRange(page.Damaged);
            foreach (var deal in page.Deals.Where(d => IsOn(d, from)))
            {
                outcomes.Add(await MigrateDealAsync(migration, from, to, deal, request, cancellationToken).ConfigureAwait(false));
            }

            after = page.NextAfterDealId;
        }
        while (after is not null);

        var result = new MigrationResult(migration, outcomes, damaged);
        EngineLog.MigrationApplied(
            _logger, migration.PipelineId, from.Version, to.Version, result.Migrated, result.SkippedAlreadyMigrated, result.SkippedUnmapped, result.SkippedUnmetGuards, result.Failed);
        return result;
    }

    private async ValueTask<DealMigrationOutcome> MigrateDealAsync(
        PipelineMigration migration, PipelineDefinition from, PipelineDefinition to, Deal listed, MigrationRequest request, CancellationToken cancellationToken)
    {
        var commit = _telemetry.StartCommit(CommitKind.Migration, listed.Id, null);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                // Loaded fresh, not taken from the page: the page may be old by the time this deal's turn comes.
                cancellationToken.ThrowIfCancellationRequested();
                var deal = await GetAsync(listed.Id, cancellationToken).ConfigureAwait(false);

                var outcome = new DealMigrationOutcome { DealId = deal.Id, FromStage = deal.StageId, Status = DealMigrationStatus.SkippedAlreadyMigrated };
                if (!IsOn(deal, from))
                {
                    _telemetry.EndCommit(commit, CommitKind.Migration, deal, FireStatus.Rejected, attempt, null, []);
                    return outcome;
                }

                var target = migration.TargetStage(deal.StageId, to);
                if (target is null)
                {
                    _telemetry.EndCommit(commit, CommitKind.Migration, deal, FireStatus.Rejected, attempt, null, []);
                    return outcome with { Status = DealMigrationStatus.SkippedUnmappedStage };
                }

                var unmet = UnmetGuardsAfterMigration(to, deal, target, request.Actor);
                outcome = outcome with { ToStage = target, UnmetGuards = unmet };
                if (unmet.Length > 0 && migration.SkipDealsWithUnmetGuards)
                {
                    _telemetry.EndCommit(commit, CommitKind.Migration, deal, FireStatus.Rejected, attempt, null, []);
                    return outcome with { Status = DealMigrationStatus.SkippedUnmetGuards };
                }

                if (await _authorization.DeniedAsync(DealAction.Migrate, request.Actor, request.User, from, deal, cancellationToken, target: to).ConfigureAwait(false) is { } denied)
                {
                    EngineLog.Forbidden(_logger, deal.Id, DealAction.Migrate, MigrationChange, deal.StageId);
                    _telemetry.EndCommit(commit, CommitKind.Migration, deal, FireStatus.Forbidden, attempt, null, []);
                    return outcome with { Status = DealMigrationStatus.Failed, Error = new DealForbiddenException(deal.Id, DealAction.Migrate, null, denied) };
                }

                var (migrated, @event) = Migrate(migration, deal, to, target, unmet, request);
                var saved = await CommitAsync(to, deal, migrated, @event, [new DealWrite(migrated, deal.Version, [@event])], null, false, attempt, cancellationToken).ConfigureAwait(false);
                switch (saved.Status)
                {
                    case FireStatus.Aborted:
                        EngineLog.MoveAborted(_logger, saved.Aborted!.Exception, deal.Id, MigrationChange, saved.Aborted.HookName);
                        _telemetry.EndCommit(commit, CommitKind.Migration, deal, FireStatus.Aborted, attempt, saved.Aborted, []);
                        return outcome with { Status = DealMigrationStatus.Failed, Error = new HookAbortedException(deal.Id, MigrationChange, saved.Aborted) };
                    case FireStatus.Conflict when attempt < _retries:
                        continue;
                    case FireStatus.Conflict:
                        EngineLog.MoveConflict(_logger, deal.Id, MigrationChange, attempt);
                        _telemetry.EndCommit(commit, CommitKind.Migration, deal, FireStatus.Conflict, attempt, null, []);
                        return outcome with { Status = DealMigrationStatus.Failed, Error = new DealConflictException(deal.Id, attempt) };
                }

                EngineLog.DealMigrated(_logger, deal.Id, to.Id, from.Version, deal.StageId, to.Version, target);
                LogHookFailures(deal.Id, MigrationChange, saved.Failures);
                _telemetry.EndCommit(commit, CommitKind.Migration, migrated, FireStatus.Accepted, attempt, null, saved.Failures);
                return outcome with { Status = DealMigrationStatus.Migrated, Deal = migrated };
            }
        }
        catch (Exception ex)
        {
            _telemetry.FailCommit(commit, CommitKind.Migration, ex);
            throw;
        }
    }

    private (Deal After, DealEvent Event) Migrate(PipelineMigration migration, Deal deal, PipelineDefinition to, string target, ImmutableArray<UnmetGuard> unmet, MigrationRequest request)
    {
        var now = _time.GetUtcNow();
        var stage = to.GetStage(target);
        var sequence = deal.LastSequence + 1;

        // The deal keeps its time in stage and its last activity: a migration renames where it stands, it is not a sales move.
        var after = deal with
        {
            PipelineVersion = to.Version,
            StageId = target,
            PreviousStageId = deal.PreviousStageId is { } previous ? migration.TargetStage(previous, to) : null,
            Version = deal.Version + 1,
            LastSequence = sequence,
            UpdatedAt = now,
            Outcome = stage.Kind,
            NextFollowUpAt = stage.IsOpen ? deal.NextFollowUpAt : null,
        };
        var properties = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        properties["fromVersion"] = deal.PipelineVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        properties["toVersion"] = to.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        properties["fromStage"] = deal.StageId;
        properties["toStage"] = target;
        if (unmet.Length > 0)
        {
            properties["unmetGuards"] = string.Join(",", unmet.Select(g => g.Code));
        }

        var @event = new DealEvent
        {
            DealId = deal.Id,
            Sequence = sequence,
            Kind = DealEventKind.Migrated,
            Timestamp = now,
            Actor = request.Actor,
            FromStage = deal.StageId,
            ToStage = target,
            Note = request.Note,
            Properties = properties.ToImmutable(),
        };
        return (after, @event);
    }

    /// <summary>
    /// The guards a deal would not meet in <paramref name="target"/> of <paramref name="to"/>, evaluated on the deal as it
    /// is (its data, its checklist, its outcome reason as the move's reason): (1) unless the stage is the initial one,
    /// when no transition into it from another stage is open to the deal, the unmet guards of every such transition;
    /// (2) for an open or won stage, the required checklist items not done of the open stages ordered before it.
    /// </summary>
    private static ImmutableArray<UnmetGuard> UnmetGuardsAfterMigration(PipelineDefinition to, Deal deal, string target, string actor)
    {
        var unmet = new List<UnmetGuard>();
        var stage = to.GetStage(target);
        var compiled = to.Compiled;
        if (!string.Equals(target, to.InitialStage, StringComparison.Ordinal))
        {
            var targetIndex = compiled.StageIndexOf(target);
            var request = new FireRequest(actor) { Reason = deal.OutcomeReason };
            var anyOpen = false;
            foreach (var transition in compiled.Transitions)
            {
                if (transition.Definition.Kind != TransitionKind.Transition || transition.ToIndex != targetIndex || transition.FromIndex == targetIndex)
                {
                    continue;
                }

                var refused = compiled.UnmetGuards(transition, deal, request);
                if (refused is null)
                {
                    anyOpen = true;
                    break;
                }

                AddOnce(unmet, refused);
            }

            if (anyOpen)
            {
                unmet.Clear();
            }
        }

        if (stage.Kind is StageKind.Open or StageKind.Won)
        {
            AddOnce(
                unmet,
                to.Stages
                    .Where(s => s.IsOpen && s.Order < stage.Order)
                    .SelectMany(s => s.Checklist)
                    .Where(i => i.Required && !deal.CompletedChecklistItems.Contains(i.Id))
                    .Select(i => new UnmetGuard($"checklist.{i.Id}", $"Checklist item not done: {i.Text}")));
        }

        return [.. unmet];
    }

    private static void AddOnce(List<UnmetGuard> unmet, IEnumerable<UnmetGuard> more)
    {
        foreach (var guard in more)
        {
            if (!unmet.Exists(g => string.Equals(g.Code, guard.Code, StringComparison.Ordinal)))
            {
                unmet.Add(guard);
            }
        }
    }

    private static bool IsOn(Deal deal, PipelineDefinition pipeline) =>
        deal.PipelineVersion == pipeline.Version && string.Equals(deal.PipelineId, pipeline.Id, StringComparison.Ordinal);

    private ValueTask<DealPage> ReadOldVersionPageAsync(PipelineMigration migration, string? after, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _store.QueryAsync(
            new DealQuery { PipelineId = migration.PipelineId, PipelineVersion = migration.FromVersion, AfterDealId = after, Limit = limit },
            cancellationToken);
    }
}
