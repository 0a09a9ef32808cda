using System.Text.Json.Nodes;
using SalesFlow.Testing.CrmExports;
using SalesFlow.Tests.Migration;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Authorization;

/// <summary>Authorization on every write path: the pipeline's permissions, then the engine's authorizer; a denial saves nothing.</summary>
public sealed class DealAuthorizationTests
{
    private static readonly System.Security.Claims.ClaimsPrincipal Seller = Users.InRoles("sam", "seller");
    private static readonly System.Security.Claims.ClaimsPrincipal Manager = Users.InRoles("mia", "seller", "manager");

    private static PipelineDefinition<RenewalData> Guarded() =>
        RenewalPipeline.Builder()
            .Permissions(p => p.Start("seller").Trigger("sign", "manager").Stage("negotiation", "manager").Override("manager"))
            .Build();

    [Fact]
    public async Task FireAsync_TriggerOnlyAManagerMayFire_SellerIsForbiddenAndNothingIsSaved()
    {
        var t = new TestEngine(Guarded());
        await t.Engine.StartAsync(RenewalPipeline.Id, "d1", new RenewalData { Signed = true }, new StartRequest("sam") { User = Seller });
        (await t.Engine.FireAsync("d1", "advance", new FireRequest("mia") { User = Manager, OverrideJustification = "director's call" })).Status.Should().Be(FireStatus.Accepted);

        var denied = await t.Engine.FireAsync("d1", "sign", new FireRequest("sam") { User = Seller });

        denied.Status.Should().Be(FireStatus.Forbidden);
        denied.ForbiddenAction.Should().Be(DealAction.Move);
        denied.ForbiddenReason.Should().Be("to fire 'sign' needs the role 'manager'");
        denied.Deal.StageId.Should().Be("negotiation");
        (await t.Engine.GetHistoryAsync("d1")).Should().HaveCount(2);
        var thrown = denied.Invoking(r => r.EnsureAccepted()).Should().Throw<DealForbiddenException>().Which;
        thrown.Message.Should().Be("Move 'sign' on deal 'd1' is forbidden: to fire 'sign' needs the role 'manager'. Nothing was saved.");

        var allowed = await t.Engine.FireAsync("d1", "sign", new FireRequest("mia") { User = Manager });
        allowed.Status.Should().Be(FireStatus.Accepted);
        allowed.Deal.StageId.Should().Be("won");
    }

    [Fact]
    public async Task FireAsync_ForbiddenAndGuardsUnmet_ForbiddenComesFirstAndNamesNoGuard()
    {
        var t = new TestEngine(Guarded());
        await t.Engine.StartAsync(RenewalPipeline.Id, "d1", new RenewalData(), new StartRequest("sam") { User = Seller });
        await t.Engine.FireAsync("d1", "advance", new FireRequest("mia") { User = Manager, OverrideJustification = "director's call" });

        var result = await t.Engine.FireAsync("d1", "sign", new FireRequest("sam") { User = Seller });

        result.Status.Should().Be(FireStatus.Forbidden);
        result.UnmetGuards.Should().BeEmpty("a caller who may not make the move does not learn its guards");
    }

    [Fact]
    public async Task StageRule_SellerOnADealInTheStage_MayNeitherMoveItNorRecordActivities()
    {
        var t = new TestEngine(Guarded());
        await t.Engine.StartAsync(RenewalPipeline.Id, "d1", new RenewalData { BudgetConfirmed = true, DecisionMakerKnown = true }, new StartRequest("sam") { User = Seller });
        await t.Engine.CompleteChecklistItemAsync("d1", "call-logged", new ActivityRequest("sam") { User = Seller });
        (await t.Engine.FireAsync("d1", "advance", new FireRequest("sam") { User = Seller })).Status.Should().Be(FireStatus.Accepted, "open has no stage rule");

        var lose = await t.Engine.FireAsync("d1", "lose", new FireRequest("sam") { User = Seller, Reason = "budget cut" });
        var note = () => t.Engine.RecordActivityAsync("d1", new ActivityRequest("sam") { User = Seller, Note = "called" }).AsTask();
        var update = () => t.Engine.UpdateAsync<RenewalData>("d1", d => d with { Counter = 1 }, new ActivityRequest("sam") { User = Seller }).AsTask();

        lose.Status.Should().Be(FireStatus.Forbidden);
        lose.ForbiddenReason.Should().Be("to move deals out of stage 'negotiation' needs the role 'manager'");
        (await note.Should().ThrowAsync<DealForbiddenException>()).Which.Action.Should().Be(DealAction.Activity);
        (await update.Should().ThrowAsync<DealForbiddenException>()).Which.Reason.Should().Be("to record activities on stage 'negotiation' needs the role 'manager'");
        var history = await t.Engine.GetHistoryAsync("d1");
        history.Should().HaveCount(3);
        (await t.Engine.GetAsync("d1")).Data.Should().BeOfType<RenewalData>().Which.Counter.Should().Be(0);
        (await t.Engine.RecordActivityAsync("d1", new ActivityRequest("mia") { User = Manager, Note = "called" })).LastSequence.Should().Be(4);
    }

    [Fact]
    public async Task StartAsync_WithoutTheStartRole_IsForbiddenAndTheStoreStaysEmpty()
    {
        var t = new TestEngine(Guarded());

        var anonymous = () => t.Engine.StartAsync(RenewalPipeline.Id, "d1", new RenewalData(), "sam").AsTask();
        var intern = () => t.Engine.StartAsync(RenewalPipeline.Id, "d2", new RenewalData(), new StartRequest("ian") { User = Users.InRoles("ian", "intern") }).AsTask();

        var thrown = (await anonymous.Should().ThrowAsync<DealForbiddenException>()).Which;
        thrown.Action.Should().Be(DealAction.Start);
        thrown.DealId.Should().Be("d1");
        thrown.Reason.Should().Be("to start deals on pipeline 'renewals' needs the role 'seller'");
        await intern.Should().ThrowAsync<DealForbiddenException>();
        (await t.Store.GetAsync("d1")).Should().BeNull();
        (await t.Store.GetAsync("d2")).Should().BeNull();
    }

    [Fact]
    public async Task OverrideRule_OfThePipeline_LetsAManagerForceAndNotASeller()
    {
        var t = new TestEngine(Guarded());
        await t.Engine.StartAsync(RenewalPipeline.Id, "d1", new RenewalData(), new StartRequest("sam") { User = Seller });

        var seller = await t.Engine.FireAsync("d1", "advance", new FireRequest("sam") { User = Seller, OverrideJustification = "trust me" });
        var manager = await t.Engine.FireAsync("d1", "advance", new FireRequest("mia") { User = Manager, OverrideJustification = "director's call" });

        seller.Status.Should().Be(FireStatus.Forbidden);
        seller.ForbiddenAction.Should().Be(DealAction.Override);
        seller.ForbiddenReason.Should().Be("overriding guards needs the role 'manager'");
        seller.UnmetGuards.Select(g => g.Code).Should().Equal("budget.confirmed", "decision-maker.known", "checklist.call-logged");
        manager.Status.Should().Be(FireStatus.Accepted);
        manager.Event!.OverriddenGuards.Should().HaveCount(3);
    }

    [Fact]
    public async Task Authorizer_IsAskedOnEveryWritePath_WithTheActorUserDealAndWhat()
    {
        var seen = new List<DealAuthorizationContext>();
        var t = new TestEngine(RenewalVersions.V1(), o =>
        {
            o.OverrideActors.Add("mia");
            o.Authorizer = DealAuthorizer.From(async (c, ct) =>
            {
                await Task.Yield();
                lock (seen)
                {
                    seen.Add(c);
                }

                return AuthorizationDecision.Allow;
            });
        });
        await t.Engine.StartAsync(RenewalPipeline.Id, "d1", new RenewalData(), new StartRequest("sam") { User = Seller });
        await t.Engine.RecordActivityAsync("d1", new ActivityRequest("sam") { User = Seller, Activity = "call" });
        await t.Engine.CompleteChecklistItemAsync("d1", "call-logged", new ActivityRequest("sam") { User = Seller });
        await t.Engine.UpdateAsync<RenewalData>("d1", d => d with { BudgetConfirmed = true }, new ActivityRequest("sam") { User = Seller });
        await t.Engine.FireAsync("d1", "advance", new FireRequest("mia") { User = Manager, OverrideJustification = "director's call" });
        t.Engine.Pipelines.Add(RenewalVersions.V2());
        var migrated = await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), new MigrationRequest("admin") { User = Users.InRoles("ada", "admin") });

        migrated.Migrated.Should().Be(1);
        seen.Select(c => (c.Action, c.Actor, c.Trigger, c.Activity)).Should().Equal(
            (DealAction.Start, "sam", null, null),
            (DealAction.Activity, "sam", null, "call"),
            (DealAction.Activity, "sam", null, "checklist.completed"),
            (DealAction.Activity, "sam", null, "data.updated"),
            (DealAction.Move, "mia", "advance", null),
            (DealAction.Override, "mia", "advance", null),
            (DealAction.Migrate, "admin", null, null));
        seen.Should().OnlyContain(c => c.Deal.Id == "d1" && c.User != null && c.Pipeline.Id == RenewalPipeline.Id);
        seen[0].Deal.StageId.Should().Be("open", "a start is authorized on the deal as it would be saved");
        seen[5].UnmetGuards.Select(g => g.Code).Should().Equal("decision-maker.known");
        seen[6].TargetPipeline!.Version.Should().Be(2);
        seen[6].User!.IsInRole("admin").Should().BeTrue();
    }

    [Fact]
    public async Task Authorizer_DenyingEveryWrite_SavesNothingAnywhere()
    {
        var open = true;
        var t = new TestEngine(RenewalVersions.V1(), o => o.Authorizer = DealAuthorizer.From(c =>
            open ? AuthorizationDecision.Allow : AuthorizationDecision.Deny($"read-only mode for {c.Action}")));
        await t.Engine.StartAsync(RenewalPipeline.Id, "d1", new RenewalData(), "sam");
        open = false;
        t.Engine.Pipelines.Add(RenewalVersions.V2());

        var start = () => t.Engine.StartAsync(RenewalPipeline.Id, "d2", new RenewalData(), "sam").AsTask();
        var activity = () => t.Engine.RecordActivityAsync("d1", new ActivityRequest("sam") { Note = "n" }).AsTask();
        var checklist = () => t.Engine.CompleteChecklistItemAsync("d1", "call-logged", "sam").AsTask();
        var move = await t.Engine.FireAsync("d1", "ping", new FireRequest("sam"));
        var migration = await t.Engine.ApplyMigrationAsync(RenewalVersions.Migration(), "admin");

        (await start.Should().ThrowAsync<DealForbiddenException>()).Which.Reason.Should().Be("read-only mode for Start");
        (await activity.Should().ThrowAsync<DealForbiddenException>()).Which.Reason.Should().Be("read-only mode for Activity");
        await checklist.Should().ThrowAsync<DealForbiddenException>();
        move.Status.Should().Be(FireStatus.Forbidden);
        migration.Failed.Should().Be(1);
        migration.Deals.Single().Error.Should().BeOfType<DealForbiddenException>().Which.Action.Should().Be(DealAction.Migrate);
        (await t.Store.GetAsync("d2")).Should().BeNull();
        var d1 = await t.Engine.GetAsync("d1");
        (d1.Version, d1.PipelineVersion, d1.LastSequence).Should().Be((1, 1, 1));
    }

    [Fact]
    public async Task Authorizer_CanOnlyNarrowThePipelinesPermissions()
    {
        var asked = 0;
        var t = new TestEngine(Guarded(), o => o.Authorizer = DealAuthorizer.From(_ =>
        {
            asked++;
            return AuthorizationDecision.Allow;
        }));

        var start = () => t.Engine.StartAsync(RenewalPipeline.Id, "d1", new RenewalData(), "nobody").AsTask();

        await start.Should().ThrowAsync<DealForbiddenException>();
        asked.Should().Be(0, "the pipeline's rules refused first");
    }

    [Fact]
    public async Task Authorizer_ReadsClaims_OnlyTheOwnerMayMoveTheirDeal()
    {
        var t = new TestEngine(configure: o => o.Authorizer = DealAuthorizer.From(c =>
            c.Action != DealAction.Move || c.Deal.Owner == c.User?.Identity?.Name
                ? AuthorizationDecision.Allow
                : AuthorizationDecision.Deny("only the deal's owner may move it")));
        await t.Engine.StartAsync(RenewalPipeline.Id, "d1", new RenewalData(), new StartRequest("sam") { Owner = "sam" });

        var other = await t.Engine.FireAsync("d1", "ping", new FireRequest("mia") { User = Manager });
        var owner = await t.Engine.FireAsync("d1", "ping", new FireRequest("sam") { User = Seller });

        other.Status.Should().Be(FireStatus.Forbidden);
        other.ForbiddenReason.Should().Be("only the deal's owner may move it");
        owner.Status.Should().Be(FireStatus.Accepted);
    }

    [Fact]
    public async Task ErasePersonalDataAsync_WithoutAManageRole_IsForbiddenAndErasesNothing()
    {
        var pipeline = RenewalPipeline.Builder().PersonalData(nameof(RenewalData.Contact)).Permissions(p => p.Manage("privacy-officer")).Build();
        var t = new TestEngine(pipeline);
        await t.Engine.StartAsync(RenewalPipeline.Id, "d1", new RenewalData { Contact = "Jane Roe" }, "sam");

        var seller = () => t.Engine.ErasePersonalDataAsync("d1", new ErasureRequest("sam") { User = Seller }).AsTask();
        var thrown = (await seller.Should().ThrowAsync<DealForbiddenException>()).Which;
        var kept = await t.Engine.GetAsync("d1");
        var erased = await t.Engine.ErasePersonalDataAsync("d1", new ErasureRequest("olga") { User = Users.InRoles("olga", "privacy-officer") });

        thrown.Action.Should().Be(DealAction.Erase);
        thrown.Reason.Should().Be("to erase personal data of deals of pipeline 'renewals' needs the role 'privacy-officer'");
        thrown.Message.Should().NotContain("Jane Roe");
        kept.Version.Should().Be(1);
        kept.Data.Should().BeOfType<RenewalData>().Which.Contact.Should().Be("Jane Roe");
        erased.Deal.Data.Should().BeOfType<RenewalData>().Which.Contact.Should().BeNull();
    }

    [Fact]
    public async Task Import_ManageRuleAndAuthorizer_DeniedDealsAreRejectedRowsAndNotWritten()
    {
        var json = JsonNode.Parse(CrmExportGenerator.PipelineJson)!.AsObject();
        json["permissions"] = new JsonObject { ["manage"] = new JsonArray("admin") };
        var pipeline = PipelineJson.Parse(json.ToJsonString());
        var export = new CrmExportGenerator(5).Snapshot(40);
        var mapping = ImportMapping.Parse(CrmExportGenerator.SnapshotMapping);

        var asSeller = await new CrmImporter(new InMemoryDealStore(), pipeline, mapping, new CrmImportOptions { User = Seller })
            .ImportAsync(new StringReader(export.Csv));
        var store = new InMemoryDealStore();
        string? firstDenied = null;
        var asAdmin = await new CrmImporter(store, pipeline, mapping, new CrmImportOptions
        {
            User = Users.InRoles("ada", "admin"),
            Authorizer = DealAuthorizer.From(c =>
            {
                if (c.Action == DealAction.Import && c.Deal.Outcome == StageKind.Lost)
                {
                    firstDenied ??= c.Deal.Id;
                    return AuthorizationDecision.Deny("lost deals stay in the old CRM");
                }

                return AuthorizationDecision.Allow;
            }),
        }).ImportAsync(new StringReader(export.Csv));

        asSeller.DealsImported.Should().Be(0);
        asSeller.Rejected.Should().Contain(r => r.Reason.EndsWith("is forbidden: to import deals into pipeline '" + pipeline.Id + "' needs the role 'admin'.", StringComparison.Ordinal));
        var lost = asAdmin.Rejected.Where(r => r.Reason.EndsWith("lost deals stay in the old CRM.", StringComparison.Ordinal)).ToList();
        lost.Should().NotBeEmpty();
        lost.Should().OnlyContain(r => r.Line > 1 && r.DealId != null);
        (await store.GetAsync(firstDenied!)).Should().BeNull();
        var page = await store.QueryAsync(new DealQuery { PipelineId = pipeline.Id, Limit = 1000 });
        page.Deals.Should().HaveCount(asAdmin.DealsImported).And.OnlyContain(d => d.Outcome != StageKind.Lost);
    }
}
