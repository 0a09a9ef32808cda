using System.Collections.Immutable;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Testing;
using SalesFlow.Testing.CrmExports;

namespace SalesFlow.Storage.Tests.PersonalData;

/// <summary>
/// The leak scan: plants distinctive personal values through every public path of the engine on one store — starts,
/// moves, activities, data changes, refusals, overrides, conflicts, failing hooks before and after the save, data and
/// input errors, referrals, imports with bad rows, store failures, erasure and export — captures every log record, span,
/// measurement and exception, and asserts that no planted value appears in any of them.
/// </summary>
public abstract class PersonalDataLeakScan : IAsyncLifetime
{
    // Every planted value holds "Qx7", which no id, actor, stage or message of the scan does.
    private const string Name = "Jane Qx7Roe";
    private const string Email = "jane.qx7roe@example.test";
    private const string Phone = "+1 555 0147 9922 Qx7";
    private const string Position = "Qx7 Chief of Falconry";
    private static readonly string[] Planted = [Name, Email, Phone, Position, "Qx7"];

    private static readonly PipelineDefinition ImportPipeline = PipelineJson.Parse(CrmExportGenerator.PipelineJson);

    private const string ImportMappingJson = """
        {
          "shape": "snapshot",
          "source": "scan",
          "pipeline": "crm-import-demo",
          "columns": { "dealId": "Id", "stage": "Stage", "created": "Created", "closed": "Closed", "attributes": { "contact": "Contact" } },
          "stages": { "Lead": "lead", "Won": "won", "Lost": "lost" },
          "won": ["Won"],
          "lost": ["Lost"],
          "dates": { "formats": ["yyyy-MM-dd"], "timeZone": "UTC" }
        }
        """;

    protected PipelineRegistry Pipelines { get; } = new(SalesPipelines.SevenStepB2B(), ImportPipeline);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Creates the store under test on the test's own database.</summary>
    protected abstract Task<IDealStore> CreateStoreAsync();

    /// <summary>Returns a store on the test's database whose writes fail in the database (a read-only file, a failing constraint).</summary>
    protected abstract Task<IDealStore> BreakAsync(IDealStore store);

    /// <summary>Plants the values through every public path and scans what was captured.</summary>
    protected async Task ScanEveryPublicPathAsync()
    {
        using var capture = new LeakCapture();
        var store = await CreateStoreAsync();
        var hook = new ScanHook();
        var engine = Engine(store, capture, hook);
        hook.Other = new SalesFlowEngine(Pipelines, store);

        await PlantThroughEveryPathAsync(engine, store, hook, capture);

        capture.Find(Planted).Should().BeEmpty("no personal value may reach logs, spans, metrics or exception texts");
        capture.LogRecords.Should().BeGreaterThan(20, "the scan saw the engine's logs");
        capture.Activities.Should().BeGreaterThan(20, "the scan saw the engine's spans");
        capture.Measurements.Should().BeGreaterThan(20, "the scan saw the engine's metrics");
        capture.Exceptions.Should().BeGreaterThanOrEqualTo(14, "the scan saw the exceptions of every refused or failed path");
    }

    /// <summary>Plants the values in writes that the database refuses and scans what was captured.</summary>
    protected async Task ScanStoreFailureAsync()
    {
        using var capture = new LeakCapture();
        var store = await CreateStoreAsync();
        var engine = Engine(store, capture, new ScanHook());
        await engine.StartAsync(SalesPipelines.SevenStepB2B().Id, "deal-broken", Data(), Start());
        var broken = await BreakAsync(store);
        var failing = Engine(broken, capture, new ScanHook());

        var moved = await capture.CatchAsync(async () => (await failing.FireAsync("deal-broken", B2BTriggers.Contact, new FireRequest("alice") { Note = "Call " + Name, Properties = Props() })).EnsureAccepted());
        var noted = await capture.CatchAsync(async () => await failing.RecordActivityAsync("deal-broken", new ActivityRequest("alice") { Note = Name + " " + Phone, Properties = Props() }));
        var started = await capture.CatchAsync(async () => await failing.StartAsync(SalesPipelines.SevenStepB2B().Id, "deal-broken-2", Data(), Start()));

        moved.Should().BeOfType<DealStoreException>();
        noted.Should().BeOfType<DealStoreException>();
        started.Should().BeOfType<DealStoreException>();
        capture.Find(Planted).Should().BeEmpty("a store failure's message, its provider exception and the logs hold no personal value");
    }

    private const string Restricted = "restricted";

    private SalesFlowEngine Engine(IDealStore store, LeakCapture capture, ScanHook hook)
    {
        var options = new SalesFlowEngineOptions
        {
            LoggerFactory = capture.LoggerFactory,
            ConflictRetryCount = 0,
            Authorizer = DealAuthorizer.From(c => c.Actor == Restricted ? AuthorizationDecision.Deny("the restricted actor may not write") : AuthorizationDecision.Allow),
        };
        options.Hooks.Add(hook);
        return new SalesFlowEngine(Pipelines, store, options);
    }

    private async Task PlantThroughEveryPathAsync(SalesFlowEngine engine, IDealStore store, ScanHook hook, LeakCapture capture)
    {
        var b2b = SalesPipelines.SevenStepB2B().Id;
        const string id = "deal-1";

        // Starts: the data, the note and the properties hold the values; a second start of the same id is refused.
        await engine.StartAsync(b2b, id, Data(), Start());
        (await capture.CatchAsync(async () => await engine.StartAsync(b2b, id, Data(), Start()))).Should().BeOfType<DealAlreadyExistsException>();

        // Activities and data changes.
        await engine.RecordActivityAsync(id, new ActivityRequest("alice") { Note = "Called " + Name, Properties = Props() });
        await engine.UpdateAsync<B2BDeal>(id, d => d with { ConfirmedUnderstanding = Name + " wants it by May" }, new ActivityRequest("alice") { Note = Email });
        await engine.IdentifyDecisionMakerAsync(id, Name, "alice");
        await engine.UpdateCustomerFileAsync(id, f => f with { Education = Position }, "alice");
        await engine.RecordLeadSourceAsync(id, LeadSource.Exhibition, "alice");

        // An accepted move, a refusal by guards, a denied override, a move not permitted, an unknown trigger.
        (await engine.FireAsync(id, B2BTriggers.Contact, new FireRequest("alice") { Note = "First call with " + Name, Properties = Props() })).EnsureAccepted();
        await RefusedAsync(capture, engine.FireAsync(id, B2BTriggers.Qualify, new FireRequest("alice") { Note = Name, Reason = Email, Properties = Props() }), FireStatus.Rejected);
        await RefusedAsync(capture, engine.FireAsync(id, B2BTriggers.Qualify, new FireRequest("alice") { OverrideJustification = Name + " said so" }), FireStatus.Forbidden);

        // Denied by the authorizer (which refuses the "restricted" actor): a move, an activity and a start, each with the values.
        await RefusedAsync(capture, engine.FireAsync(id, B2BTriggers.Qualify, new FireRequest(Restricted) { Note = Name, Reason = Email, Properties = Props() }), FireStatus.Forbidden);
        (await capture.CatchAsync(async () => await engine.RecordActivityAsync(id, new ActivityRequest(Restricted) { Note = Name + " " + Phone, Properties = Props() })))
            .Should().BeOfType<DealForbiddenException>();
        (await capture.CatchAsync(async () => await engine.StartAsync(b2b, "deal-denied", Data(), Start() with { Actor = Restricted })))
            .Should().BeOfType<DealForbiddenException>();
        await RefusedAsync(capture, engine.FireAsync(id, B2BTriggers.Win, new FireRequest("alice") { Note = Name, Reason = Phone }), FireStatus.NotPermitted);
        await RefusedAsync(capture, engine.FireAsync(id, "Wave at " + "the customer", new FireRequest("alice") { Note = Name }), FireStatus.NotPermitted);

        // A conflict (another writer saves first, no retries left) on a move and on an activity.
        await engine.RecordFirstContactAsync(id, ContactChannel.Phone, "alice", note: "Phoned " + Name + " at " + Phone);
        await engine.UpdateBantAsync(id, b => b with { BudgetConfirmed = true, AuthorityConfirmed = true, NeedConfirmed = true, TimelineConfirmed = true }, "alice");
        hook.Mode = HookMode.Conflict;
        await RefusedAsync(capture, engine.FireAsync(id, B2BTriggers.Qualify, new FireRequest("alice") { Note = Name, Properties = Props() }), FireStatus.Conflict);
        hook.Mode = HookMode.Conflict;
        (await capture.CatchAsync(async () => await engine.RecordActivityAsync(id, new ActivityRequest("alice") { Note = Name, Properties = Props() }))).Should().BeOfType<DealConflictException>();

        // Hooks failing before the save (the write is aborted) and after it (reported and logged).
        hook.Mode = HookMode.FailBefore;
        await RefusedAsync(capture, engine.FireAsync(id, B2BTriggers.Qualify, new FireRequest("alice") { Note = Name, Properties = Props() }), FireStatus.Aborted);
        hook.Mode = HookMode.FailBefore;
        (await capture.CatchAsync(async () => await engine.UpdateAsync<B2BDeal>(id, d => d with { ConfirmedUnderstanding = Name }, "alice"))).Should().BeOfType<HookAbortedException>();
        hook.Mode = HookMode.FailAfter;
        var accepted = await engine.FireAsync(id, B2BTriggers.Qualify, new FireRequest("alice") { Note = Name, Properties = Props() });
        accepted.HookFailures.Should().ContainSingle();
        hook.Mode = HookMode.None;

        // Data that breaks the type's rules, and input over the limits or with control characters.
        (await capture.CatchAsync(async () => await engine.UpdateAsync<B2BDeal>(id, d => d with { NeedsQuestions = [new NeedsQuestion { Id = "q", Text = null!, Answer = Name }] }, "alice")))
            .Should().BeOfType<DealDataInvalidException>();
        (await capture.CatchAsync(async () => await engine.StartAsync(b2b, "deal-invalid", Data() with { CustomerFile = null! }, Start()))).Should().BeOfType<DealDataInvalidException>();
        (await capture.CatchAsync(async () => await engine.RecordActivityAsync(id, new ActivityRequest("alice") { Note = Name + new string('x', 20_000), Properties = ImmutableDictionary<string, string>.Empty.Add("contact", Email + "\0") })))
            .Should().BeOfType<DealInputException>();
        (await capture.CatchAsync(async () => await engine.FireAsync(id, B2BTriggers.Lose, new FireRequest("alice") { Reason = Name + new string('y', 5_000), Note = Phone + "\u0001" })))
            .Should().BeOfType<DealInputException>();
        (await capture.CatchAsync(async () => await engine.StartAsync(b2b, "deal-2", Data(), Start() with { Note = Email + new string('z', 20_000) }))).Should().BeOfType<DealInputException>();

        // A referral, twice (the second is refused: the referred deal exists), and a lost deal with a personal reason.
        (await engine.FireAsync(id, B2BTriggers.Lose, new FireRequest("alice") { Reason = Name + " moved away", Note = Phone })).EnsureAccepted();
        await engine.StartAsync(b2b, "deal-won", Data(), Start());
        (await capture.CatchAsync(async () => await engine.ReferAsync("deal-won", "deal-referred", "alice", Data()))).Should().NotBeNull("only a won deal refers");
        (await capture.CatchAsync(async () => await engine.GetAsync("deal-missing"))).Should().BeOfType<DealNotFoundException>();

        // An import with one good row and one row with a personal value and a bad date.
        var importer = new CrmImporter(store, ImportPipeline, ImportMapping.Parse(ImportMappingJson));
        var csv = $"Id,Stage,Created,Closed,Contact\nimp-1,Lead,2025-01-02,,{Name}\nimp-2,Won,2025-13-45,2025-02-01,{Email}\nimp-3,Nowhere,2025-01-02,,{Phone}\n";
        var imported = await importer.ImportAsync(new StringReader(csv));
        imported.DealsImported.Should().Be(1);
        imported.Rejected.Should().HaveCount(2);
        foreach (var rejected in imported.Rejected)
        {
            capture.Add("import rejection", rejected.Reason);
        }

        // The access export and the erasure log counts only.
        (await engine.ExportPersonalDataAsync(id)).Values.Should().NotBeEmpty();
        await engine.ErasePersonalDataAsync(id, new ErasureRequest("dpo"));
    }

    private static async Task RefusedAsync(LeakCapture capture, ValueTask<FireResult> fire, FireStatus expected)
    {
        var result = await fire;
        result.Status.Should().Be(expected);
        var thrown = await capture.CatchAsync(() =>
        {
            result.EnsureAccepted();
            return Task.CompletedTask;
        });
        thrown.Should().NotBeNull();
    }

    private static B2BDeal Data() => new()
    {
        Source = LeadSource.Exhibition,
        DecisionMakers = [Name],
        ConfirmedUnderstanding = "Needs delivery to " + Name,
        CustomerFile = new CustomerFile { Position = Position, Notes = ["Call " + Phone, "Write to " + Email] },
    };

    private static StartRequest Start() => new("alice") { Owner = "alice", Amount = 1200m, Note = "Met " + Name + " at the fair", Properties = Props() };

    private static Dictionary<string, string> Props() => new() { ["contact"] = Email, ["phone"] = Phone };

    private enum HookMode
    {
        None,
        Conflict,
        FailBefore,
        FailAfter,
    }

    // One hook for every failure the scan needs; each mode acts once.
    private sealed class ScanHook : IDealHook
    {
        public HookMode Mode { get; set; }

        public SalesFlowEngine? Other { get; set; }

        public async ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken)
        {
            switch (Mode)
            {
                case HookMode.Conflict:
                    Mode = HookMode.None;
                    await Other!.RecordActivityAsync(context.After.Id, new ActivityRequest("bob"), cancellationToken); // saved first: this write conflicts
                    break;
                case HookMode.FailBefore:
                    Mode = HookMode.None;
                    throw new InvalidOperationException("The scan's hook fails before the save.");
            }
        }

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken)
        {
            if (Mode == HookMode.FailAfter)
            {
                Mode = HookMode.None;
                throw new InvalidOperationException("The scan's hook fails after the save.");
            }

            return ValueTask.CompletedTask;
        }
    }
}
