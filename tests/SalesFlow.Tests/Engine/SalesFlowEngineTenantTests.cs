using System.Security.Claims;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Testing.CrmExports;
using SalesFlow.Tests.Migration;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Engine;

/// <summary>
/// <see cref="SalesFlowEngine.ForTenant"/>: a tenant's engine starts, moves, reads, reports, imports, erases and migrates
/// only that tenant's deals; a deal of another tenant is simply not found.
/// </summary>
public sealed class SalesFlowEngineTenantTests
{
    private const string Seller = "seller-1";

    [Fact]
    public async Task ForTenant_SameDealIdInTwoTenants_MovesEachIndependently()
    {
        var t = new TestEngine();
        var a = t.Engine.ForTenant("a");
        var b = t.Engine.ForTenant("b");
        await a.StartAsync(RenewalPipeline.Id, "deal-1", new RenewalData { BudgetConfirmed = true, DecisionMakerKnown = true, Contact = "a's contact" }, "alice");
        await b.StartAsync(RenewalPipeline.Id, "deal-1", new RenewalData { Contact = "b's contact" }, "bob");

        await a.CompleteChecklistItemAsync("deal-1", "call-logged", "alice");
        var moved = await a.FireAsync("deal-1", "advance", new FireRequest("alice"));
        var refused = await b.FireAsync("deal-1", "advance", new FireRequest("bob"));

        moved.Status.Should().Be(FireStatus.Accepted);
        refused.Status.Should().Be(FireStatus.Rejected, "B's deal has its own data, checklist and guards");
        var dealA = await a.GetAsync("deal-1");
        var dealB = await b.GetAsync("deal-1");
        dealA.TenantId.Should().Be("a");
        dealB.TenantId.Should().Be("b");
        dealA.StageId.Should().Be("negotiation");
        dealB.StageId.Should().Be("open");
        dealA.Version.Should().Be(3);
        dealB.Version.Should().Be(1);
        dealB.DataAs<RenewalData>().Contact.Should().Be("b's contact");
        (await a.GetHistoryAsync("deal-1")).Select(e => e.Actor).Should().Equal("alice", "alice", "alice");
        (await b.GetHistoryAsync("deal-1")).Select(e => e.Actor).Should().Equal("bob");
        await FluentActions.Awaiting(async () => await t.Engine.GetAsync("deal-1")).Should().ThrowAsync<DealNotFoundException>("neither deal is the default tenant's");
    }

    [Fact]
    public async Task ForTenant_DealOfAnotherTenant_IsNotFoundOnEveryPath()
    {
        var t = new TestEngine();
        var a = t.Engine.ForTenant("a");
        var b = t.Engine.ForTenant("b");
        await b.StartAsync(RenewalPipeline.Id, "b-deal", new RenewalData { Contact = "Jane Roe" }, new StartRequest("bob") { Note = "call Jane Roe" });

        Func<Task>[] paths =
        [
            async () => await a.GetAsync("b-deal"),
            async () => await a.GetHistoryAsync("b-deal"),
            async () => await a.GetAvailableMovesAsync("b-deal"),
            async () => await a.FireAsync("b-deal", "lose", new FireRequest("eve") { Reason = "taken over" }),
            async () => await a.CompleteChecklistItemAsync("b-deal", "call-logged", "eve"),
            async () => await a.UpdateAsync<RenewalData>("b-deal", d => d with { Contact = "eve" }, "eve"),
            async () => await a.RecordActivityAsync("b-deal", new ActivityRequest("eve") { Note = "poke" }),
            async () => await a.ErasePersonalDataAsync("b-deal", new ErasureRequest("eve")),
            async () => await a.ExportPersonalDataAsync("b-deal"),
        ];

        foreach (var path in paths)
        {
            (await path.Should().ThrowAsync<DealNotFoundException>()).Which.DealId.Should().Be("b-deal");
        }

        var kept = await b.GetAsync("b-deal");
        kept.Version.Should().Be(1);
        kept.DataAs<RenewalData>().Contact.Should().Be("Jane Roe");
        (await b.GetHistoryAsync("b-deal")).Should().ContainSingle().Which.Note.Should().Be("call Jane Roe");
        (await b.ExportPersonalDataAsync("b-deal")).DealId.Should().Be("b-deal", "B's own engine finds it");
    }

    [Fact]
    public async Task ApplyMigrationAsync_OneTenantsEngine_MigratesOnlyThatTenantsDeals()
    {
        var t = new TestEngine(RenewalVersions.V1());
        var a = t.Engine.ForTenant("a");
        var b = t.Engine.ForTenant("b");
        await a.StartAsync(RenewalPipeline.Id, "d-1", new RenewalData(), "alice");
        await b.StartAsync(RenewalPipeline.Id, "d-1", new RenewalData(), "bob");
        await b.StartAsync(RenewalPipeline.Id, "d-2", new RenewalData(), "bob");
        t.Engine.Pipelines.Add(RenewalVersions.V2());

        var plan = await a.PlanMigrationAsync(RenewalVersions.Migration());
        var result = await a.ApplyMigrationAsync(RenewalVersions.Migration(), "admin");

        plan.Deals.Select(d => d.DealId).Should().Equal("d-1");
        result.Migrated.Should().Be(1);
        (await a.GetAsync("d-1")).PipelineVersion.Should().Be(2);
        (await b.GetAsync("d-1")).PipelineVersion.Should().Be(1, "B's deal of the same id is B's to migrate");
        (await b.GetAsync("d-2")).PipelineVersion.Should().Be(1);
        (await b.GetHistoryAsync("d-1")).Should().ContainSingle();
        (await b.ApplyMigrationAsync(RenewalVersions.Migration(), "admin")).Migrated.Should().Be(2);
    }

    [Fact]
    public async Task ReferAsync_TenantEngine_CreatesTheReferredDealInTheSameTenant()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var store = new InMemoryDealStore();
        var engine = new SalesFlowEngine(new PipelineRegistry(SalesPipelines.SevenStepB2B()), store, new SalesFlowEngineOptions { TimeProvider = time });
        var a = engine.ForTenant("a");
        var b = engine.ForTenant("b");
        await ToFollowUpAsync(a, "b1");
        await b.StartAsync(SalesPipelines.SevenStepB2BId, "b1", new B2BDeal(), Seller);

        var referred = await a.ReferAsync("b1", "b2", Seller);

        referred.TenantId.Should().Be("a");
        (await a.GetAsync("b2")).DataAs<B2BDeal>().ReferredByDealId.Should().Be("b1");
        (await a.GetAsync("b1")).DataAs<B2BDeal>().ReferredDealIds.Should().Equal("b2");
        (await store.ForTenant("a").GetAsync("b2"))!.TenantId.Should().Be("a");
        await FluentActions.Awaiting(async () => await b.GetAsync("b2")).Should().ThrowAsync<DealNotFoundException>();
        await FluentActions.Awaiting(async () => await engine.GetAsync("b2")).Should().ThrowAsync<DealNotFoundException>();
        (await b.GetAsync("b1")).DataAs<B2BDeal>().ReferredDealIds.Should().BeEmpty("B's deal 'b1' is another deal");
        (await b.GetHistoryAsync("b1")).Should().ContainSingle();
        await b.StartAsync(SalesPipelines.SevenStepB2BId, "b2", new B2BDeal(), Seller);
        (await b.GetAsync("b2")).DataAs<B2BDeal>().ReferredByDealId.Should().BeNull();
    }

    [Fact]
    public async Task Reports_TenantEngine_CountOnlyThatTenantsDeals()
    {
        var t = new TestEngine();
        var a = t.Engine.ForTenant("a");
        var b = t.Engine.ForTenant("b");
        foreach (var id in new[] { "d1", "d2", "d3" })
        {
            await a.StartAsync(RenewalPipeline.Id, id, new RenewalData(), "alice");
        }

        (await a.FireAsync("d3", "lose", new FireRequest("alice") { Reason = "No budget" })).EnsureAccepted();
        await b.StartAsync(RenewalPipeline.Id, "d1", new RenewalData(), "bob");
        var request = new ReportRequest(RenewalPipeline.Id, ReportWindow.All);

        var outcomesA = await a.Reports.OutcomesAsync(request);
        var outcomesB = await b.Reports.OutcomesAsync(request);
        var outcomesDefault = await t.Engine.Reports.OutcomesAsync(request);

        (outcomesA.OpenDeals, outcomesA.Lost).Should().Be((2, 1));
        (outcomesB.OpenDeals, outcomesB.Lost).Should().Be((1, 0));
        (outcomesDefault.OpenDeals, outcomesDefault.Lost).Should().Be((0, 0));
        var funnelA = await a.Reports.FunnelAsync(request, FunnelMode.Touched);
        var funnelB = await b.Reports.FunnelAsync(request, FunnelMode.Touched);
        funnelA.Should().NotBeEquivalentTo(funnelB, "each tenant's funnel counts its own deals");
    }

    [Fact]
    public async Task CrmImporter_TenantStore_StampsTheTenantAndIsIdempotentPerTenant()
    {
        var pipeline = PipelineJson.Parse(CrmExportGenerator.PipelineJson);
        var export = new CrmExportGenerator(21).Snapshot(40);
        var store = new InMemoryDealStore();
        CrmImporter Importer(IDealStore tenantStore) => new(tenantStore, pipeline, ImportMapping.Parse(CrmExportGenerator.SnapshotMapping));

        var first = await Importer(store.ForTenant("a")).ImportAsync(new StringReader(export.Csv));
        var again = await Importer(store.ForTenant("a")).ImportAsync(new StringReader(export.Csv));
        var other = await Importer(store.ForTenant("b")).ImportAsync(new StringReader(export.Csv));

        first.DealsImported.Should().Be(export.Deals.Count);
        again.DealsImported.Should().Be(0, "a second run imports nothing new into the same tenant");
        again.DealsSkipped.Should().Be(export.Deals.Count);
        other.DealsImported.Should().Be(export.Deals.Count, "the same ids are free in tenant B");
        other.DealsSkipped.Should().Be(0);
        foreach (var truth in export.Deals)
        {
            (await store.ForTenant("a").GetAsync(truth.Id))!.TenantId.Should().Be("a");
            (await store.ForTenant("b").GetAsync(truth.Id))!.TenantId.Should().Be("b");
            (await store.ForTenant("a").GetEventsAsync(truth.Id)).Should().HaveCount(truth.Events, "the second run added no events");
            (await store.GetAsync(truth.Id)).Should().BeNull("nothing went to the default tenant");
        }

        store.ForTenant("a").Count.Should().Be(export.Deals.Count);
        store.ForTenant("b").Count.Should().Be(export.Deals.Count);
        store.Count.Should().Be(0);
    }

    [Fact]
    public async Task Authorizer_UserOfAnotherTenant_SeesTheTenantAndDenies()
    {
        var seen = new List<(DealAction Action, string TenantId)>();
        var t = new TestEngine(configure: o => o.Authorizer = DealAuthorizer.From(context =>
        {
            lock (seen)
            {
                seen.Add((context.Action, context.TenantId));
            }

            return context.User?.FindFirst("tenant")?.Value == context.TenantId
                ? AuthorizationDecision.Allow
                : AuthorizationDecision.Deny("the deal belongs to another tenant");
        }));
        var userOfA = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice"), new Claim("tenant", "a")], "test"));
        var a = t.Engine.ForTenant("a");
        var b = t.Engine.ForTenant("b");
        await b.StartAsync(RenewalPipeline.Id, "d", new RenewalData(), new StartRequest("bob") { User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("tenant", "b")], "test")) });

        var started = await a.StartAsync(RenewalPipeline.Id, "d", new RenewalData(), new StartRequest("alice") { User = userOfA });
        var startInB = await Record.ExceptionAsync(async () => await b.StartAsync(RenewalPipeline.Id, "other", new RenewalData(), new StartRequest("alice") { User = userOfA }));
        var fireInB = await b.FireAsync("d", "lose", new FireRequest("alice") { User = userOfA, Reason = "mine now" });
        var fireInA = await a.FireAsync("d", "lose", new FireRequest("alice") { User = userOfA, Reason = "no budget" });

        started.TenantId.Should().Be("a");
        startInB.Should().BeOfType<DealForbiddenException>();
        fireInB.Status.Should().Be(FireStatus.Forbidden);
        fireInB.ForbiddenReason.Should().Be("the deal belongs to another tenant");
        fireInA.Status.Should().Be(FireStatus.Accepted);
        (await b.GetAsync("d")).StageId.Should().Be("open", "the forbidden move saved nothing");
        await FluentActions.Awaiting(async () => await b.GetAsync("other")).Should().ThrowAsync<DealNotFoundException>();
        seen.Should().Equal((DealAction.Start, "b"), (DealAction.Start, "a"), (DealAction.Start, "b"), (DealAction.Move, "b"), (DealAction.Move, "a"));
    }

    [Fact]
    public void ForTenant_Rules_OwnIsSameOtherFromATenantThrowsInvalidIdThrows()
    {
        var t = new TestEngine();
        var a = t.Engine.ForTenant("a");

        t.Engine.TenantId.Should().Be(Tenants.Default);
        a.TenantId.Should().Be("a");
        a.Store.TenantId.Should().Be("a");
        a.Pipelines.Should().BeSameAs(t.Engine.Pipelines);
        a.ForTenant("a").Should().BeSameAs(a);
        t.Engine.ForTenant(Tenants.Default).Should().BeSameAs(t.Engine);
        a.Invoking(e => e.ForTenant("b")).Should().Throw<InvalidOperationException>();
        a.Invoking(e => e.ForTenant(Tenants.Default)).Should().Throw<InvalidOperationException>();
        t.Engine.Invoking(e => e.ForTenant(" a")).Should().Throw<ArgumentException>();
        t.Engine.Invoking(e => e.ForTenant("")).Should().Throw<ArgumentException>();
        t.Engine.Invoking(e => e.ForTenant(new string('t', Tenants.MaxIdLength + 1))).Should().Throw<ArgumentException>();
        t.Engine.Invoking(e => e.ForTenant("a\u0001")).Should().Throw<ArgumentException>();
        t.Engine.Invoking(e => e.ForTenant(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task ForTenant_StoreWithoutTenantSupport_NotSupportedForAnyOtherTenant()
    {
        var plain = new PlainStore(new InMemoryDealStore());
        var t = new TestEngine(store: plain);
        var deal = await t.StartAsync("d");

        t.Engine.Invoking(e => e.ForTenant("x")).Should().Throw<NotSupportedException>();
        ((IDealStore)plain).Invoking(s => s.ForTenant("x")).Should().Throw<NotSupportedException>();
        t.Engine.ForTenant(Tenants.Default).Should().BeSameAs(t.Engine, "the default tenant is the only one such a store serves");
        ((IDealStore)plain).TenantId.Should().Be(Tenants.Default);
        deal.TenantId.Should().Be(Tenants.Default);
    }

    [Fact]
    public async Task FireAsync_SameIdempotencyKeyInTwoTenants_EachTenantGetsItsOwnFirstOutcome()
    {
        var t = new TestEngine();
        var a = t.Engine.ForTenant("a");
        var b = t.Engine.ForTenant("b");
        await a.StartAsync(RenewalPipeline.Id, "d", new RenewalData(), new StartRequest("alice") { IdempotencyKey = "start" });
        await b.StartAsync(RenewalPipeline.Id, "d", new RenewalData(), new StartRequest("bob") { IdempotencyKey = "start" });

        var lostA = await a.FireAsync("d", "lose", new FireRequest("alice") { Reason = "no budget", IdempotencyKey = "move" });
        var pingB = await b.FireAsync("d", "ping", new FireRequest("bob") { Note = "still there?", IdempotencyKey = "move" });
        var repeatedA = await a.FireAsync("d", "lose", new FireRequest("alice") { Reason = "no budget", IdempotencyKey = "move" });

        lostA.Status.Should().Be(FireStatus.Accepted);
        pingB.Status.Should().Be(FireStatus.Accepted, "A's key is not B's: B's request is a new one");
        pingB.Event!.Trigger.Should().Be("ping");
        repeatedA.Event.Should().BeEquivalentTo(lostA.Event, "A's repeated request returns A's first outcome");
        (await a.GetHistoryAsync("d")).Select(e => e.Actor).Should().Equal("alice", "alice");
        (await b.GetHistoryAsync("d")).Select(e => e.Actor).Should().Equal("bob", "bob");
        (await b.GetAsync("d")).StageId.Should().Be("open");
    }

    [Fact]
    public void ForTenant_RandomRequestsOverThreeTenants_EachTenantMatchesAnEngineOfItsOwn()
    {
        string[] tenants = ["a", "b", "c"];
        string[] ids = ["d1", "d2", "d3"];
        string[] triggers = ["ping", "lose", "reopen", "advance"];
        var steps = Gen.Select(Gen.Int[0, tenants.Length - 1], Gen.Int[0, ids.Length - 1], Gen.Int[0, 3], Gen.Int[0, triggers.Length - 1], (tenant, deal, kind, trigger) => (Tenant: tenant, Deal: deal, Kind: kind, Trigger: trigger));

        steps.Array[1, 30].Sample(run =>
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
            var options = new SalesFlowEngineOptions { TimeProvider = time };
            var shared = new SalesFlowEngine(new PipelineRegistry(RenewalPipeline.Build()), new InMemoryDealStore(), options);
            var alone = tenants.Select(_ => new SalesFlowEngine(new PipelineRegistry(RenewalPipeline.Build()), new InMemoryDealStore(), options)).ToArray();
            foreach (var (tenant, deal, kind, trigger) in run)
            {
                var id = ids[deal];
                var engines = new[] { shared.ForTenant(tenants[tenant]), alone[tenant] };
                var outcomes = engines.Select(engine => Outcome(kind switch
                {
                    0 => async () => (await engine.StartAsync(RenewalPipeline.Id, id, new RenewalData { BudgetConfirmed = true, DecisionMakerKnown = true }, "prop")).Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    1 => async () => (await engine.CompleteChecklistItemAsync(id, "call-logged", "prop")).Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _ => async () => (await engine.FireAsync(id, triggers[trigger], new FireRequest("prop") { Reason = "r" })).Status.ToString(),
                })).ToArray();
                outcomes[0].Should().Be(outcomes[1], "tenant {0} answers {1} on {2} as an engine of its own would", tenants[tenant], kind, id);
                time.Advance(TimeSpan.FromSeconds(1));
            }

            for (var i = 0; i < tenants.Length; i++)
            {
                var engine = shared.ForTenant(tenants[i]);
                foreach (var id in ids)
                {
                    var own = Outcome(async () => (await engine.GetAsync(id)).TenantId);
                    var reference = Outcome(async () => (await alone[i].GetAsync(id)).TenantId);
                    own.Should().Be(reference == "default" ? tenants[i] : reference, "deal {0} exists in tenant {1} exactly when it does on its own engine", id, tenants[i]);
                    if (reference == "default")
                    {
                        engine.GetAsync(id).AsTask().GetAwaiter().GetResult().Should().BeEquivalentTo(alone[i].GetAsync(id).AsTask().GetAwaiter().GetResult(), o => o.Excluding(d => d.TenantId));
                        engine.GetHistoryAsync(id).AsTask().GetAwaiter().GetResult().Should().BeEquivalentTo(alone[i].GetHistoryAsync(id).AsTask().GetAwaiter().GetResult(), o => o.WithStrictOrdering());
                    }
                }
            }
        }, iter: 100);
    }

    private static string Outcome(Func<Task<string>> request)
    {
        try
        {
            return request().GetAwaiter().GetResult();
        }
        catch (SalesFlowException ex)
        {
            return ex.GetType().Name;
        }
    }

    private static async Task ToFollowUpAsync(SalesFlowEngine engine, string id)
    {
        async Task AcceptAsync(string trigger) => (await engine.FireAsync(id, trigger, new FireRequest(Seller))).EnsureAccepted();

        await engine.StartAsync(SalesPipelines.SevenStepB2BId, id, new B2BDeal(), Seller);
        await engine.RecordLeadSourceAsync(id, LeadSource.WhitePaper, Seller);
        await AcceptAsync(B2BTriggers.Contact);
        await engine.RecordFirstContactAsync(id, ContactChannel.Email, Seller);
        await engine.UpdateBantAsync(id, b => b with { BudgetConfirmed = true, AuthorityConfirmed = true, NeedConfirmed = true, TimelineConfirmed = true }, Seller);
        await AcceptAsync(B2BTriggers.Qualify);
        foreach (var q in NeedsQuestion.Standard())
        {
            await engine.AnswerNeedsQuestionAsync(id, q.Id, "Answer to " + q.Id, Seller);
        }

        await engine.ConfirmUnderstandingAsync(id, "Confirmed summary.", Seller);
        await AcceptAsync(B2BTriggers.Present);
        await engine.IdentifyDecisionMakerAsync(id, "CFO", Seller);
        await engine.AgreeProposalDateAsync(id, new DateOnly(2026, 3, 20), Seller);
        await AcceptAsync(B2BTriggers.Propose);
        await AcceptAsync(B2BTriggers.Close);
        await engine.FinalizeTermsAsync(id, Seller);
        await engine.FinalizeDeliveryAsync(id, Seller);
        await engine.RecordClosingTechniqueAsync(id, ClosingTechnique.Direct, Seller);
        await AcceptAsync(B2BTriggers.Win);
    }
}
