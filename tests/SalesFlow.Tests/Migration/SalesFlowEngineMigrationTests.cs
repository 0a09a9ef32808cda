using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Migration;

/// <summary>The engine's migration API on the in-memory store: dry run, apply, resume, concurrency and bad arguments.</summary>
public class SalesFlowEngineMigrationTests
{
    private static readonly RenewalData Ready = new() { BudgetConfirmed = true, DecisionMakerKnown = true };

    /// <summary>Three v1 deals (one in each kind of stage the migration cares about), then v2 registered.</summary>
    private static async Task<TestEngine> ArrangeAsync(Action<SalesFlowEngineOptions>? configure = null)
    {
        var t = new TestEngine(RenewalVersions.V1(), configure);
        await t.StartAsync("d-open");
        await t.StartReadyAsync("d-negotiation");
        (await t.FireAsync("advance", "d-negotiation")).EnsureAccepted();
        await t.StartAsync("d-lost");
        (await t.FireAsync("lose", "d-lost", reason: "No budget")).EnsureAccepted();
        t.Engine.Pipelines.Add(RenewalVersions.V2());
        return t;
    }

    private static async Task<Dictionary<string, (long Version, int Events)>> SnapshotAsync(TestEngine t, params string[] ids)
    {
        var snapshot = new Dictionary<string, (long, int)>();
        foreach (var id in ids)
        {
            snapshot[id] = ((await t.Engine.GetAsync(id)).Version, (await t.Engine.GetHistoryAsync(id)).Count);
        }

        return snapshot;
    }

    [Fact]
    public async Task PlanMigrationAsync_DealsOnOldVersion_ReportsNewStagesAndUnmetGuards()
    {
        var t = await ArrangeAsync();

        var plan = await t.Engine.PlanMigrationAsync(RenewalVersions.Migration());

        plan.Deals.Select(d => (d.DealId, d.FromStage, d.ToStage, d.Action)).Should().Equal(
            ("d-lost", "lost", "lost", DealMigrationAction.Migrate),
            ("d-negotiation", "negotiation", "proposal", DealMigrationAction.Migrate),
            ("d-open", "open", "open", DealMigrationAction.Migrate));
        plan.Deals.Single(d => d.DealId == "d-negotiation").UnmetGuards.Should().Equal(new UnmetGuard("checklist.needs-noted", "Checklist item not done: Needs noted"));
        plan.Deals.Single(d => d.DealId == "d-lost").UnmetGuards.Should().BeEmpty("the deal's lost reason meets the lost.reason guard");
        plan.Deals.Single(d => d.DealId == "d-open").UnmetGuards.Should().BeEmpty("deals start in the initial stage without guards");
        plan.Diff.RemovedStages.Select(s => s.Id).Should().Equal("negotiation");
        plan.CanMigrateAll.Should().BeTrue();
        plan.ToString().Should().Contain("3 deal(s), 3 to migrate, 0 unmapped, 1 with unmet guards").And.Contain("d-negotiation: negotiation -> proposal (Migrate); unmet: checklist.needs-noted");
    }

    [Fact]
    public async Task PlanMigrationAsync_Always_WritesNothing()
    {
        var t = await ArrangeAsync();
        var before = await SnapshotAsync(t, "d-open", "d-negotiation", "d-lost");

        await t.Engine.PlanMigrationAsync(RenewalVersions.Migration());

        (await SnapshotAsync(t, "d-open", "d-negotiation", "d-lost")).Should().BeEquivalentTo(before);
        (await t.Engine.GetAsync("d-open")).PipelineVersion.Should().Be(1);
    }

    [Fact]
    public async Task PlanMigrationAsync_StageWithoutMapping_ReportsItUnmapped()
    {
        var t = await ArrangeAsync();

        var plan = await t.Engine.PlanMigrationAsync(new PipelineMigration(RenewalPipeline.Id, 1, 2));

        plan.Unmapped.Should().ContainSingle().Which.Should().Match<DealMigrationPlan>(d => d.DealId == "d-negotiation" && d.ToStage == null);
        plan.CanMigrateAll.Should().BeFalse();
    }

    [Fact]
    public async Task PlanMigrationAsync_GuardsOfEveryTransitionIntoTheStageUnmet_ListsThemOnce()
    {
        var t = new TestEngine(RenewalVersions.V1());
        await t.StartAsync("d-1");
        await t.Engine.CompleteChecklistItemAsync("d-1", "call-logged", "alice");
        t.Engine.Pipelines.Add(RenewalVersions.V2());

        // Sent to "qualified": the only way in (advance from open) needs a confirmed budget.
        var plan = await t.Engine.PlanMigrationAsync(new PipelineMigration(RenewalPipeline.Id, 1, 2).MapStage("open", "qualified").MapStage("negotiation", "proposal"));

        plan.Deals.Should().ContainSingle().Which.UnmetGuards.Select(g => g.Code).Should().Equal("budget.confirmed");
    }

    [Fact]
    public async Task ApplyMigrationAsync_EveryMappableDeal_MovesWithOneMigratedEvent()
    {
        var t = await ArrangeAsync();
        var before = await t.Engine.GetAsync("d-negotiation");
        t.Time.Advance(TimeSpan.FromHours(1));

        var result = await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), new MigrationRequest("admin") { Note = "Process v2" });

        result.Migrated.Should().Be(3);
        (result.SkippedAlreadyMigrated, result.SkippedUnmapped, result.SkippedUnmetGuards, result.Failed).Should().Be((0, 0, 0, 0));
        var deal = await t.Engine.GetAsync("d-negotiation");
        deal.Should().Match<Deal>(d => d.PipelineVersion == 2 && d.StageId == "proposal" && d.PreviousStageId == "open" && d.Version == before.Version + 1);
        deal.StageEnteredAt.Should().Be(before.StageEnteredAt, "a migration is not a sales move");
        deal.LastActivityAt.Should().Be(before.LastActivityAt, "a migration is not seller activity");
        deal.UpdatedAt.Should().Be(t.Time.GetUtcNow());
        var migrated = (await t.Engine.GetHistoryAsync("d-negotiation")).Should().ContainSingle(e => e.Kind == DealEventKind.Migrated).Subject;
        migrated.Should().Match<DealEvent>(e => e.FromStage == "negotiation" && e.ToStage == "proposal" && e.Actor == "admin" && e.Note == "Process v2" && e.Sequence == deal.LastSequence);
        migrated.Properties.Should().Equal(new Dictionary<string, string>
        {
            ["fromVersion"] = "1",
            ["toVersion"] = "2",
            ["fromStage"] = "negotiation",
            ["toStage"] = "proposal",
            ["unmetGuards"] = "checklist.needs-noted",
        });
        foreach (var id in new[] { "d-open", "d-lost" })
        {
            (await t.Engine.GetAsync(id)).PipelineVersion.Should().Be(2);
            (await t.Engine.GetHistoryAsync(id)).Count(e => e.Kind == DealEventKind.Migrated).Should().Be(1);
        }
    }

    [Fact]
    public async Task ApplyMigrationAsync_MigratedDeal_MovesByTheNewVersionsRules()
    {
        var t = await ArrangeAsync();
        await t.Engine.UpdateAsync<RenewalData>("d-open", d => d with { BudgetConfirmed = true }, "alice");
        await t.Engine.CompleteChecklistItemAsync("d-open", "call-logged", "alice");

        await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), "admin");

        (await t.FireAsync("advance", "d-open")).EnsureAccepted().Deal.StageId.Should().Be("qualified", "v2's advance leads to the new stage");
        (await t.FireAsync("reopen", "d-lost")).EnsureAccepted().Deal.StageId.Should().Be("open", "the previous stage was carried over");
    }

    [Fact]
    public async Task ApplyMigrationAsync_BackToTheOldVersion_RollsTheDealsBack()
    {
        var t = await ArrangeAsync();
        await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), "admin");

        var back = await t.Engine.ApplyMigrationAsync(new PipelineMigration(RenewalPipeline.Id, 2, 1).MapStage("proposal", "negotiation"), "admin");

        back.Migrated.Should().Be(3);
        (await t.Engine.GetAsync("d-negotiation")).Should().Match<Deal>(d => d.PipelineVersion == 1 && d.StageId == "negotiation");
        (await t.Engine.GetHistoryAsync("d-negotiation")).Where(e => e.Kind == DealEventKind.Migrated).Select(e => e.Properties["toVersion"]).Should().Equal("2", "1");
    }

    [Fact]
    public async Task ApplyMigrationAsync_RunAgain_ChangesNothing()
    {
        var t = await ArrangeAsync();
        await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), "admin");
        var after = await SnapshotAsync(t, "d-open", "d-negotiation", "d-lost");

        var again = await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), "admin");

        again.Migrated.Should().Be(0);
        again.Deals.Should().BeEmpty("no deal is left on the old version");
        (await SnapshotAsync(t, "d-open", "d-negotiation", "d-lost")).Should().BeEquivalentTo(after);
    }

    [Fact]
    public async Task ApplyMigrationAsync_UnmappedStage_LeavesTheDealUntouchedAndReportsIt()
    {
        var t = await ArrangeAsync();
        var before = await SnapshotAsync(t, "d-negotiation");

        var result = await t.Engine.ApplyMigrationAsync(new PipelineMigration(RenewalPipeline.Id, 1, 2), "admin");

        result.Migrated.Should().Be(2);
        result.SkippedUnmapped.Should().Be(1);
        result.Deals.Single(d => d.Status == DealMigrationStatus.SkippedUnmappedStage).DealId.Should().Be("d-negotiation");
        (await SnapshotAsync(t, "d-negotiation")).Should().BeEquivalentTo(before);
        (await t.Engine.GetAsync("d-negotiation")).PipelineVersion.Should().Be(1);

        var rest = await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), "admin");

        rest.Migrated.Should().Be(1, "a second run with the stage mapped finishes the rest");
    }

    [Fact]
    public async Task ApplyMigrationAsync_SkipDealsWithUnmetGuards_LeavesThemOnTheOldVersion()
    {
        var t = await ArrangeAsync();

        var result = await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration() with { SkipDealsWithUnmetGuards = true }, "admin");

        result.Migrated.Should().Be(2);
        result.SkippedUnmetGuards.Should().Be(1);
        var skipped = result.Deals.Single(d => d.Status == DealMigrationStatus.SkippedUnmetGuards);
        skipped.DealId.Should().Be("d-negotiation");
        skipped.UnmetGuards.Select(g => g.Code).Should().Equal("checklist.needs-noted");
        (await t.Engine.GetAsync("d-negotiation")).PipelineVersion.Should().Be(1);
    }

    [Fact]
    public async Task ApplyMigrationAsync_CancelledAfterTheFirstDeal_NextRunMigratesTheRest()
    {
        using var cancel = new CancellationTokenSource();
        var t = await ArrangeAsync(o => o.Hooks.Add(new CallbackHook(after: ctx =>
        {
            if (ctx.Kind == DealEventKind.Migrated)
            {
                cancel.Cancel();
            }
        })));

        var interrupted = () => t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), "admin", cancel.Token).AsTask();

        await interrupted.Should().ThrowAsync<OperationCanceledException>();
        var versions = new List<int>();
        foreach (var id in new[] { "d-lost", "d-negotiation", "d-open" })
        {
            versions.Add((await t.Engine.GetAsync(id)).PipelineVersion);
        }

        versions.Should().Equal([2, 1, 1], "the first deal was saved before the cancellation; the others were not touched");

        var resumed = await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), "admin");

        resumed.Migrated.Should().Be(2);
        foreach (var id in new[] { "d-lost", "d-negotiation", "d-open" })
        {
            (await t.Engine.GetHistoryAsync(id)).Count(e => e.Kind == DealEventKind.Migrated).Should().Be(1);
        }
    }

    [Fact]
    public async Task ApplyMigrationAsync_DealMovedConcurrently_RetriesOnFreshStateAndKeepsTheMove()
    {
        var store = new InMemoryDealStore();
        SalesFlowEngine? other = null;
        var contexts = new List<(DealEventKind Kind, int Attempt, int Version)>();
        var t = new TestEngine(RenewalVersions.V1(), o => o.Hooks.Add(new CallbackHook(before: async ctx =>
        {
            contexts.Add((ctx.Kind, ctx.Attempt, ctx.Pipeline.Version));
            if (ctx.Kind == DealEventKind.Migrated && ctx.Attempt == 0)
            {
                // Another writer changes the deal between the migration's read and its save.
                (await other!.FireAsync(ctx.After.Id, "ping", new FireRequest("bob"))).EnsureAccepted();
            }
        })), store);
        await t.StartAsync("d-open");
        t.Engine.Pipelines.Add(RenewalVersions.V2());
        other = new SalesFlowEngine(t.Engine.Pipelines, store);

        var result = await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), "admin");

        result.Migrated.Should().Be(1);
        contexts.Where(c => c.Kind == DealEventKind.Migrated).Should().Equal((DealEventKind.Migrated, 0, 2), (DealEventKind.Migrated, 1, 2));
        var history = await t.Engine.GetHistoryAsync("d-open");
        history.Select(e => e.Kind).Should().Equal(DealEventKind.Started, DealEventKind.Transition, DealEventKind.Migrated);
        history[1].Trigger.Should().Be("ping");
        (await t.Engine.GetAsync("d-open")).Should().Match<Deal>(d => d.PipelineVersion == 2 && d.Version == 3);
    }

    [Fact]
    public async Task ApplyMigrationAsync_ConflictThenSave_OneMigrateSpanAndTheConflictCounted()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == SalesFlowDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.OperationName == SalesFlowDiagnostics.MigrateActivityName && (string?)a.GetTagItem(SalesFlowDiagnostics.DealIdTag) == "tel-1")
                {
                    lock (spans)
                    {
                        spans.Add(a);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var conflicts = new MetricCollector<long>(null, SalesFlowDiagnostics.MeterName, SalesFlowDiagnostics.ConflictsInstrument);
        var store = new InMemoryDealStore();
        SalesFlowEngine? other = null;
        var t = new TestEngine(RenewalVersions.V1(), o => o.Hooks.Add(new CallbackHook(before: async ctx =>
        {
            if (ctx.Kind == DealEventKind.Migrated && ctx.Attempt == 0)
            {
                (await other!.FireAsync(ctx.After.Id, "ping", new FireRequest("bob"))).EnsureAccepted();
            }
        })), store);
        await t.StartAsync("tel-1");
        t.Engine.Pipelines.Add(RenewalVersions.V2());
        other = new SalesFlowEngine(t.Engine.Pipelines, store);

        await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), "admin");

        var span = spans.Should().ContainSingle().Subject;
        span.GetTagItem(SalesFlowDiagnostics.OperationTag).Should().Be("migration");
        span.GetTagItem(SalesFlowDiagnostics.ResultTag).Should().Be("accepted");
        span.GetTagItem(SalesFlowDiagnostics.PipelineVersionTag).Should().Be(2);
        span.GetTagItem(SalesFlowDiagnostics.ToStageTag).Should().Be("open");
        conflicts.GetMeasurementSnapshot().Where(m => (string?)m.Tags[SalesFlowDiagnostics.OperationTag] == "migration").Sum(m => m.Value).Should().BeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task ApplyMigrationAsync_Run_LogsEachDealAndTheSummaryWithoutTheNote()
    {
        var collector = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)));
        var t = await ArrangeAsync(o => o.LoggerFactory = loggers);
        collector.Clear();

        await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), new MigrationRequest("admin") { Note = "Zofia +48 600 700 812" });

        var records = collector.GetSnapshot();
        records.Select(r => r.Id.Id).Should().Equal(1009, 1009, 1009, 1010);
        records[1].StructuredState.Should().Contain(new KeyValuePair<string, string?>("ToStage", "proposal"));
        records[3].Message.Should().Be("Migration of pipeline renewals v1 to v2: 3 migrated, 0 already migrated, 0 unmapped, 0 skipped for unmet guards, 0 failed");
        records.Should().OnlyContain(r => !r.Message.Contains("Zofia", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ApplyMigrationAsync_TwoRunsAtOnce_MigrateEachDealOnce()
    {
        var store = new InMemoryDealStore();
        SalesFlowEngine? second = null;
        MigrationResult? secondResult = null;
        var t = new TestEngine(RenewalVersions.V1(), o => o.Hooks.Add(new CallbackHook(before: async ctx =>
        {
            if (ctx.Kind == DealEventKind.Migrated && secondResult is null)
            {
                // Another host runs the same migration while this run is about to save its first deal.
                secondResult = await second!.ApplyMigrationAsync(RenewalVersions.Migration(), "other-host");
            }
        })), store);
        foreach (var id in new[] { "a", "b", "c" })
        {
            await t.StartAsync(id);
        }

        t.Engine.Pipelines.Add(RenewalVersions.V2());
        second = new SalesFlowEngine(t.Engine.Pipelines, store);

        var first = await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), "admin");

        secondResult!.Migrated.Should().Be(3);
        first.Migrated.Should().Be(0);
        first.SkippedAlreadyMigrated.Should().Be(3, "the other run got to every deal first");
        foreach (var id in new[] { "a", "b", "c" })
        {
            (await t.Engine.GetHistoryAsync(id)).Where(e => e.Kind == DealEventKind.Migrated).Should().ContainSingle().Which.Actor.Should().Be("other-host");
        }
    }

    [Fact]
    public async Task ApplyMigrationAsync_HookRefusesOneDeal_FailsThatDealOnly()
    {
        var t = await ArrangeAsync(o => o.Hooks.Add(new CallbackHook(before: ctx =>
            ctx.Kind == DealEventKind.Migrated && ctx.After.Id == "d-open" ? throw new InvalidOperationException("CRM says no") : ValueTask.CompletedTask)));

        var result = await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), "admin");

        result.Migrated.Should().Be(2);
        result.Failed.Should().Be(1);
        result.Deals.Single(d => d.Status == DealMigrationStatus.Failed).Error.Should().BeOfType<HookAbortedException>().Which.DealId.Should().Be("d-open");
        (await t.Engine.GetAsync("d-open")).PipelineVersion.Should().Be(1);
        result.ToString().Should().Contain("2 migrated").And.Contain("1 failed").And.Contain("d-open: open -> open (Failed)");
    }

    [Fact]
    public async Task ApplyMigrationAsync_ScopedHooks_DoNotRunForAMigration()
    {
        var ran = new List<string>();
        var v2 = PipelineBuilder.Create<RenewalData>(RenewalPipeline.Id, version: 2)
            .Stage("open", s => s.Checklist("call-logged", "Call logged", required: true))
            .Stage("won", s => s.Won())
            .Stage("lost", s => s.Lost())
            .Transition("sign", from: "open", to: "won")
            .Transition("lose", from: "open", to: "lost")
            .OnTransitioned(ctx => ran.Add("global:" + ctx.Kind))
            .OnTransitioned(HookScope.Entering("won"), _ => ran.Add("enter:won"))
            .Build();
        var t = new TestEngine(RenewalVersions.V1());
        await t.StartReadyAsync("d-1");
        await t.Engine.UpdateAsync<RenewalData>("d-1", d => d with { Signed = true }, "alice");
        (await t.FireAsync("advance", "d-1")).EnsureAccepted();
        t.Engine.Pipelines.Add(v2);

        await t.Engine.ApplyMigrationAsync(new PipelineMigration(RenewalPipeline.Id, 1, 2).MapStage("negotiation", "won"), "admin");

        ran.Should().Equal("global:Migrated");
    }

    [Fact]
    public async Task PlanMigrationAsync_UnknownVersion_ThrowsPipelineNotFoundException()
    {
        var t = await ArrangeAsync();

        var plan = () => t.Engine.PlanMigrationAsync(new PipelineMigration(RenewalPipeline.Id, 1, 3)).AsTask();

        (await plan.Should().ThrowAsync<PipelineNotFoundException>()).Which.Version.Should().Be(3);
    }

    [Fact]
    public async Task ApplyMigrationAsync_UnknownVersion_ThrowsAndWritesNothing()
    {
        var t = await ArrangeAsync();
        var before = await SnapshotAsync(t, "d-open");

        var apply = () => t.Engine.ApplyMigrationAsync(new PipelineMigration(RenewalPipeline.Id, 7, 2), "admin").AsTask();

        (await apply.Should().ThrowAsync<PipelineNotFoundException>()).Which.Version.Should().Be(7);
        (await SnapshotAsync(t, "d-open")).Should().BeEquivalentTo(before);
    }

    [Fact]
    public async Task PlanMigrationAsync_StageMapNamesStagesAVersionLacks_ListsEveryProblem()
    {
        var t = await ArrangeAsync();
        var migration = RenewalVersions.Migration().MapStage("open", "intake").MapStage("archived", "lost");

        var plan = () => t.Engine.PlanMigrationAsync(migration).AsTask();

        var error = (await plan.Should().ThrowAsync<PipelineMigrationException>()).Which;
        error.Problems.Should().BeEquivalentTo(
            "The stage map names stage 'archived', which version 1 does not have.",
            "The stage map sends stage 'open' to 'intake', which version 2 does not have.");
        error.Migration.Should().Be(migration);
        error.Message.Should().Contain("2 problems").And.Contain("Nothing was changed");
    }

    [Fact]
    public async Task ApplyMigrationAsync_SameVersion_ThrowsPipelineMigrationException()
    {
        var t = await ArrangeAsync();

        var apply = () => t.Engine.ApplyMigrationAsync(new PipelineMigration(RenewalPipeline.Id, 2, 2), "admin").AsTask();

        (await apply.Should().ThrowAsync<PipelineMigrationException>()).Which.Problems.Should().ContainSingle().Which.Should().Contain("same version");
    }

    [Fact]
    public async Task PlanMigrationAsync_VersionsWithOtherDataTypes_ThrowsPipelineMigrationException()
    {
        var t = await ArrangeAsync();
        t.Engine.Pipelines.Add(PipelineBuilder.Create<OtherData>(RenewalPipeline.Id, version: 3)
            .Stage("open").Stage("won", s => s.Won()).Stage("lost", s => s.Lost())
            .Transition("sign", from: "open", to: "won").Transition("lose", from: "open", to: "lost")
            .Build());

        var plan = () => t.Engine.PlanMigrationAsync(new PipelineMigration(RenewalPipeline.Id, 1, 3)).AsTask();

        (await plan.Should().ThrowAsync<PipelineMigrationException>()).Which.Problems.Should().ContainSingle().Which.Should().Contain("same data type");
    }

    [Fact]
    public async Task MigrationApis_BadArguments_ThrowTypedExceptions()
    {
        var t = await ArrangeAsync();
        var migration = RenewalVersions.Migration();

        await FluentActions.Invoking(() => t.Engine.PlanMigrationAsync(null!).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Invoking(() => t.Engine.ApplyMigrationAsync(null!, "admin").AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Invoking(() => t.Engine.ApplyMigrationAsync(migration, (MigrationRequest)null!).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Invoking(() => t.Engine.ApplyMigrationAsync(migration, " ").AsTask()).Should().ThrowAsync<ArgumentException>().WithMessage("*actor*");
        await FluentActions.Invoking(() => t.Engine.ApplyMigrationAsync(migration, new MigrationRequest("admin") { PageSize = 0 }).AsTask()).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Invoking(() => t.Engine.PlanMigrationAsync(new PipelineMigration(" ", 1, 2)).AsTask()).Should().ThrowAsync<PipelineMigrationException>();
        (await t.Engine.GetAsync("d-open")).PipelineVersion.Should().Be(1);
    }

    [Fact]
    public async Task ApplyMigrationAsync_SmallPages_MigratesEveryDeal()
    {
        var t = new TestEngine(RenewalVersions.V1());
        for (var i = 0; i < 7; i++)
        {
            await t.StartAsync($"d-{i}");
        }

        t.Engine.Pipelines.Add(RenewalVersions.V2());

        var result = await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), new MigrationRequest("admin") { PageSize = 2 });

        result.Migrated.Should().Be(7);
        result.Deals.Select(d => d.DealId).Should().BeInAscendingOrder(StringComparer.Ordinal);
    }

    public sealed record OtherData
    {
        public bool Flag { get; init; }
    }

    private sealed class CallbackHook(Func<TransitionContext, ValueTask>? before = null, Action<TransitionContext>? after = null) : IDealHook
    {
        public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken) =>
            before?.Invoke(context) ?? ValueTask.CompletedTask;

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken)
        {
            after?.Invoke(context);
            return ValueTask.CompletedTask;
        }
    }
}
