using FluentAssertions;

namespace SalesFlow.Testing;

/// <content>
/// Pipeline versions and migrations on the store: deals queried by version, a dry run that writes nothing, and an apply
/// that saves each deal's new version and stage with one migration event, is idempotent, resumes after a failure and
/// loses no concurrent move.
/// </content>
public abstract partial class DealStoreContractTests
{
    private static readonly string[] MigrationDeals = ["m-lost", "m-open", "m-signed", "m-working"];

    /// <summary>A query by pipeline and version returns only the deals pinned to that version.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task QueryAsync_ByPipelineVersion_ReturnsOnlyDealsOfThatVersion()
    {
        Pipelines.Add(ContractPipelineVersion2());
        var store = await OpenStoreAsync();
        foreach (var (id, version) in new[] { ("v-a", 1), ("v-b", 2), ("v-c", 1), ("v-d", 2), ("v-e", 2) })
        {
            var deal = ContractDeals.NewDeal(id) with { PipelineVersion = version };
            (await store.TrySaveAsync([ContractDeals.Create(deal)])).Should().BeTrue();
        }

        var first = await store.QueryAsync(new DealQuery { PipelineId = ContractPipeline.Id, PipelineVersion = 2, Limit = 2 });
        var second = await store.QueryAsync(new DealQuery { PipelineId = ContractPipeline.Id, PipelineVersion = 2, Limit = 2, AfterDealId = first.NextAfterDealId });
        var old = await store.QueryAsync(new DealQuery { PipelineId = ContractPipeline.Id, PipelineVersion = 1 });
        var none = await store.QueryAsync(new DealQuery { PipelineId = "elsewhere", PipelineVersion = 2 });

        first.Deals.Select(d => d.Id).Should().Equal("v-b", "v-d");
        second.Deals.Select(d => d.Id).Should().Equal("v-e");
        second.NextAfterDealId.Should().BeNull();
        old.Deals.Select(d => d.Id).Should().Equal("v-a", "v-c");
        old.Deals.Should().OnlyContain(d => d.PipelineVersion == 1);
        none.Deals.Should().BeEmpty();
        await FluentActions.Invoking(() => store.QueryAsync(new DealQuery { PipelineVersion = 2 }).AsTask()).Should().ThrowAsync<ArgumentException>();
    }

    /// <summary>A dry run reports every deal's new stage, unmet guards and unmapped stage, and writes nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task PlanMigrationAsync_DealsOnTheOldVersion_ReportsThemAndWritesNothing()
    {
        var engine = await StartMigrationDealsAsync();
        var before = await SnapshotAsync(await OpenStoreAsync());

        var plan = await engine.PlanMigrationAsync(new PipelineMigration(ContractPipeline.Id, 1, 2).MapStage("working", "in-progress"));

        plan.Deals.Select(d => (d.DealId, d.FromStage, d.ToStage, d.Action)).Should().Equal(
            ("m-lost", "lost", null, DealMigrationAction.SkipUnmappedStage),
            ("m-open", "open", "open", DealMigrationAction.Migrate),
            ("m-signed", "working", "in-progress", DealMigrationAction.Migrate),
            ("m-working", "working", "in-progress", DealMigrationAction.Migrate));
        plan.Deals.Single(d => d.DealId == "m-working").UnmetGuards.Select(g => g.Code).Should().Equal("checklist.call-logged");
        plan.Deals.Single(d => d.DealId == "m-signed").UnmetGuards.Should().BeEmpty("its call was logged");
        (await SnapshotAsync(await OpenStoreAsync())).Should().BeEquivalentTo(before, "a dry run writes nothing");
    }

    /// <summary>Applying moves every mappable deal to the new version with exactly one migration event, as a fresh store reads it back.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ApplyMigrationAsync_MappableDeals_MoveWithOneMigratedEventEach()
    {
        var engine = await StartMigrationDealsAsync();
        var before = await SnapshotAsync(await OpenStoreAsync());

        var result = await engine.ApplyMigrationAsync(new PipelineMigration(ContractPipeline.Id, 1, 2).MapStage("working", "in-progress"), new MigrationRequest("admin") { Note = "v2" });

        (result.Migrated, result.SkippedUnmapped, result.SkippedAlreadyMigrated, result.Failed).Should().Be((3, 1, 0, 0));
        var reader = await OpenStoreAsync();
        foreach (var id in new[] { "m-open", "m-signed", "m-working" })
        {
            var deal = (await reader.GetAsync(id))!;
            deal.PipelineVersion.Should().Be(2);
            deal.Version.Should().Be(before[id].Version + 1);
            var events = await reader.GetEventsAsync(id);
            events.Should().HaveCount(before[id].Events + 1);
            var migrated = events[^1];
            migrated.Kind.Should().Be(DealEventKind.Migrated);
            migrated.Should().Match<DealEvent>(e => e.FromStage == before[id].Stage && e.ToStage == deal.StageId && e.Actor == "admin" && e.Note == "v2");
            migrated.Properties["fromVersion"].Should().Be("1");
            migrated.Properties["toVersion"].Should().Be("2");
            migrated.Properties["fromStage"].Should().Be(before[id].Stage);
            migrated.Properties["toStage"].Should().Be(deal.StageId);
        }

        (await reader.GetAsync("m-working"))!.StageId.Should().Be("in-progress");
        (await reader.GetEventsAsync("m-working"))[^1].Properties["unmetGuards"].Should().Be("checklist.call-logged");
        var unmapped = (await reader.GetAsync("m-lost"))!;
        unmapped.Should().Match<Deal>(d => d.PipelineVersion == 1 && d.StageId == "lost" && d.Version == before["m-lost"].Version);
        (await reader.GetEventsAsync("m-lost")).Should().HaveCount(before["m-lost"].Events);
        var onVersion2 = await reader.QueryAsync(new DealQuery { PipelineId = ContractPipeline.Id, PipelineVersion = 2 });
        onVersion2.Deals.Select(d => d.Id).Should().Equal("m-open", "m-signed", "m-working");
    }

    /// <summary>Applying a migration a second time changes nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ApplyMigrationAsync_RunAgain_ChangesNothing()
    {
        var engine = await StartMigrationDealsAsync();
        var migration = new PipelineMigration(ContractPipeline.Id, 1, 2).MapStage("working", "in-progress").MapStage("lost", "dropped");
        (await engine.ApplyMigrationAsync(migration, "admin")).Migrated.Should().Be(MigrationDeals.Length);
        var after = await SnapshotAsync(await OpenStoreAsync());

        var again = await new SalesFlowEngine(Pipelines, await OpenStoreAsync()).ApplyMigrationAsync(migration, "admin");

        again.Migrated.Should().Be(0);
        again.Deals.Should().BeEmpty();
        (await SnapshotAsync(await OpenStoreAsync())).Should().BeEquivalentTo(after);
    }

    /// <summary>A run that fails after some saves leaves those deals migrated and the others untouched; the next run finishes.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ApplyMigrationAsync_StoreFailsMidway_NextRunMigratesTheRest()
    {
        await StartMigrationDealsAsync();
        var migration = new PipelineMigration(ContractPipeline.Id, 1, 2).MapStage("working", "in-progress").MapStage("lost", "dropped");
        var crashing = new SalesFlowEngine(Pipelines, new StoreFailingAfterSaves(await OpenStoreAsync(), saves: 2));

        var interrupted = () => crashing.ApplyMigrationAsync(migration, "admin").AsTask();

        await interrupted.Should().ThrowAsync<IOException>();
        var halfway = await SnapshotAsync(await OpenStoreAsync());
        halfway.Values.Count(d => d.PipelineVersion == 2).Should().Be(2, "the two saves before the failure stand");

        var resumed = await new SalesFlowEngine(Pipelines, await OpenStoreAsync()).ApplyMigrationAsync(migration, "admin");

        resumed.Migrated.Should().Be(MigrationDeals.Length - 2);
        var reader = await OpenStoreAsync();
        foreach (var id in MigrationDeals)
        {
            (await reader.GetAsync(id))!.PipelineVersion.Should().Be(2);
            (await reader.GetEventsAsync(id)).Count(e => e.Kind == DealEventKind.Migrated).Should().Be(1, $"deal {id} is migrated exactly once");
        }
    }

    /// <summary>A move saved by another engine between the migration's read and its save is kept: the migration retries on the fresh deal.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ApplyMigrationAsync_DealMovedConcurrently_KeepsTheMoveAndMigrates()
    {
        await StartMigrationDealsAsync();
        var other = new SalesFlowEngine(Pipelines, await OpenStoreAsync());
        var options = new SalesFlowEngineOptions();
        options.Hooks.Add(new MoveBeforeMigrationHook(other, "m-open"));
        var migrating = new SalesFlowEngine(Pipelines, await OpenStoreAsync(), options);
        var before = await SnapshotAsync(await OpenStoreAsync());

        var result = await migrating.ApplyMigrationAsync(new PipelineMigration(ContractPipeline.Id, 1, 2).MapStage("working", "in-progress").MapStage("lost", "dropped"), "admin");

        result.Migrated.Should().Be(MigrationDeals.Length);
        var reader = await OpenStoreAsync();
        var deal = (await reader.GetAsync("m-open"))!;
        deal.Should().Match<Deal>(d => d.PipelineVersion == 2 && d.StageId == "in-progress" && d.Version == before["m-open"].Version + 2);
        var events = await reader.GetEventsAsync("m-open");
        events.Select(e => e.Kind).TakeLast(2).Should().Equal(DealEventKind.Transition, DealEventKind.Migrated);
        events[^2].Should().Match<DealEvent>(e => e.Trigger == "toggle" && e.FromStage == "open" && e.ToStage == "working");
        events[^1].Should().Match<DealEvent>(e => e.FromStage == "working" && e.ToStage == "in-progress");
        events.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, events.Count).Select(i => (long)i));
    }

    // Version 2 of the contract pipeline: "working" becomes "in-progress", "lost" becomes "dropped", and the call must be logged.
    private static PipelineDefinition<ContractDealData> ContractPipelineVersion2() =>
        PipelineBuilder.Create<ContractDealData>(ContractPipeline.Id, version: 2)
            .Stage("open", s => s.Name("Open").Probability(0.2).Checklist("call-logged", "Call logged", required: true))
            .Stage("in-progress", s => s.Name("In progress").Probability(0.6))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("dropped", s => s.Name("Dropped").Lost())
            .Transition("toggle", from: "open", to: "in-progress")
            .Transition("toggle", from: "in-progress", to: "open")
            .Transition("sign", from: "in-progress", to: "won")
                .When("contract.signed", d => d.IsSigned, "Contract not signed")
            .Transition("lose", from: ["open", "in-progress"], to: "dropped")
            .InternalAction("ping", "open", "in-progress")
            .Build();

    // Four deals on version 1 (open; working; working with its call logged; lost), then version 2 registered.
    private async Task<SalesFlowEngine> StartMigrationDealsAsync()
    {
        var engine = new SalesFlowEngine(Pipelines, await OpenStoreAsync());
        foreach (var id in MigrationDeals)
        {
            await engine.StartAsync(ContractPipeline.Id, id, new ContractDealData { Customer = id }, "alice");
        }

        await engine.CompleteChecklistItemAsync("m-signed", "call-logged", "alice");
        (await engine.FireAsync("m-signed", "toggle", new FireRequest("alice"))).EnsureAccepted();
        (await engine.FireAsync("m-working", "toggle", new FireRequest("alice"))).EnsureAccepted();
        (await engine.FireAsync("m-lost", "lose", new FireRequest("alice") { Reason = "No budget" })).EnsureAccepted();
        Pipelines.Add(ContractPipelineVersion2());
        return engine;
    }

    private static async Task<Dictionary<string, (int PipelineVersion, string Stage, long Version, int Events)>> SnapshotAsync(IDealStore store)
    {
        var snapshot = new Dictionary<string, (int, string, long, int)>();
        foreach (var id in MigrationDeals)
        {
            var deal = (await store.GetAsync(id))!;
            snapshot[id] = (deal.PipelineVersion, deal.StageId, deal.Version, (await store.GetEventsAsync(id)).Count);
        }

        return snapshot;
    }

    /// <summary>Fires <c>toggle</c> on one deal through another engine just before the migration's first attempt to save it.</summary>
    private sealed class MoveBeforeMigrationHook(SalesFlowEngine other, string dealId) : IDealHook
    {
        public async ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken)
        {
            if (context.Kind == DealEventKind.Migrated && context.Attempt == 0 && context.After.Id == dealId)
            {
                (await other.FireAsync(dealId, "toggle", new FireRequest("bob"), cancellationToken)).EnsureAccepted();
            }
        }

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary>A store that saves <c>saves</c> times, then fails every save as a crashed connection would.</summary>
    private sealed class StoreFailingAfterSaves(IDealStore inner, int saves) : IDealStore
    {
        private int _left = saves;

        public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default) => inner.GetAsync(dealId, cancellationToken);

        public ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default) =>
            Interlocked.Decrement(ref _left) >= 0 ? inner.TrySaveAsync(writes, cancellationToken) : throw new IOException("The connection to the store was lost.");

        public ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default) =>
            inner.GetEventsAsync(dealId, afterSequence, limit, cancellationToken);

        public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

        public ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default) => inner.ImportAsync(batch, cancellationToken);
    }
}
