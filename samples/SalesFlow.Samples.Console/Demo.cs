using System.Globalization;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Pipelines.Showroom;
using Spectre.Console;

namespace SalesFlow.Samples.Console;

/// <summary>Runs one deal through each built-in pipeline and prints what the engine enforces.</summary>
internal static class Demo
{
    private const string Seller = "seller-ana";
    private const string Manager = "manager-li";

    public static async Task RunAsync(IDealStore store, TimeProvider time)
    {
        var options = new SalesFlowEngineOptions
        {
            TimeProvider = time,
        };
        options.OverrideActors.Add(Manager);
        var hook = new ConsoleHook();
        options.Hooks.Add(hook);
        var engine = new SalesFlowEngine(new PipelineRegistry(SalesPipelines.All), store, options);
        var run = time.GetUtcNow().ToString("MMddHHmmssfff", CultureInfo.InvariantCulture);

        Output.Console.Write(new FigletText("SalesFlow").Color(Color.Teal));
        Output.Console.MarkupLine("Sales processes as state machines: guards with reasons, hooks, and a complete history.\n");

        await B2BAsync(engine, time, $"acme-{run}");
        await ShowroomAsync(engine, time, hook, run);
        await RetailAsync(engine, $"visit-{run}");
    }

    private static async Task B2BAsync(SalesFlowEngine engine, TimeProvider time, string id)
    {
        Section("1. Seven-step B2B", SalesPipelines.SevenStepB2B());
        await engine.StartAsync(SalesPipelines.SevenStepB2BId, id, new B2BDeal { Industry = "Logistics" }, Seller);
        await engine.RecordLeadSourceAsync(id, LeadSource.WhitePaper, Seller);
        await Fire(engine, id, B2BTriggers.Contact);
        await engine.RecordFirstContactAsync(id, ContactChannel.Phone, Seller);
        await engine.UpdateBantAsync(id, b => b with { BudgetConfirmed = true, NeedConfirmed = true }, Seller);

        Output.Console.MarkupLine("Qualify with only budget and need known:");
        await Fire(engine, id, B2BTriggers.Qualify);
        Output.Console.MarkupLine("[grey]fix:[/] the decision maker and the timeline are confirmed");
        await engine.UpdateBantAsync(id, b => b with { AuthorityConfirmed = true, TimelineConfirmed = true }, Seller);
        await Fire(engine, id, B2BTriggers.Qualify);

        foreach (var question in NeedsQuestion.Standard())
        {
            await engine.AnswerNeedsQuestionAsync(id, question.Id, "(answer noted)", Seller);
        }

        await engine.ConfirmUnderstandingAsync(id, "Late deliveries cost them two customers; they need tracking by Q3.", Seller);
        await Fire(engine, id, B2BTriggers.Present);
        await engine.IdentifyDecisionMakerAsync(id, "Operations director", Seller);
        await engine.AgreeProposalDateAsync(id, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime.AddDays(10)), Seller);
        await Fire(engine, id, B2BTriggers.Propose);

        await engine.RaiseObjectionAsync(id, "Integration with our warehouse system looks risky", Seller, "integration");
        Output.Console.MarkupLine("Close with an objection still open:");
        await Fire(engine, id, B2BTriggers.Close);
        Output.Console.MarkupLine("[grey]fix:[/] the objection is answered and resolved");
        await engine.AnswerObjectionAsync(id, "objection-1", "We ship a tested connector and do a pilot week", Seller);
        await engine.ResolveObjectionAsync(id, "objection-1", Seller);
        await Fire(engine, id, B2BTriggers.Close);

        await engine.FinalizeTermsAsync(id, Seller);
        await engine.FinalizeDeliveryAsync(id, Seller);
        await engine.RecordClosingTechniqueAsync(id, ClosingTechnique.Assumptive, Seller);
        await Fire(engine, id, B2BTriggers.Win);
        var referred = await engine.ReferAsync(id, id + "-referral", Seller);
        Output.Console.MarkupLine($"Referral started: [blue]{Markup.Escape(referred.Id)}[/] in [green]{referred.StageId}[/], linked to {Markup.Escape(id)}");

        await HistoryAsync(engine, id);
    }

    private static async Task ShowroomAsync(SalesFlowEngine engine, TimeProvider time, ConsoleHook hook, string run)
    {
        Section("2. Ten-step showroom (property sales office)", SalesPipelines.Showroom());
        var grades = new[] { CustomerGrade.A, CustomerGrade.B, CustomerGrade.C };
        var first = $"flat-{run}-A";
        foreach (var grade in grades)
        {
            var id = $"flat-{run}-{grade}";
            var verbose = id == first;
            hook.Muted = !verbose;
            await engine.StartAsync(SalesPipelines.ShowroomId, id, new ShowroomDeal(), Seller);
            await engine.RecordVisitHistoryAsync(id, firstVisit: true, phonedBefore: true, Seller);
            await Fire(engine, id, ShowroomTriggers.Introduce, verbose);
            await engine.CompleteChecklistItemAsync(id, ShowroomChecklist.SandTable, Seller);
            await engine.RecordCustomerNeedsAsync(id, "Three bedrooms, near a school", Seller);
            await Fire(engine, id, ShowroomTriggers.TourSite, verbose);
            await engine.CompleteChecklistItemAsync(id, ShowroomChecklist.UnitAdvantages, Seller);
            await Fire(engine, id, ShowroomTriggers.Negotiate, verbose);
            await engine.AssessPurchaseDesireAsync(id, 55, Seller);
            if (verbose)
            {
                Output.Console.MarkupLine("Subscribe with purchase desire at 55%:");
                await Fire(engine, id, ShowroomTriggers.Subscribe);
            }

            await Fire(engine, id, ShowroomTriggers.NoDeal, verbose);
            await engine.CompleteChecklistItemAsync(id, ShowroomChecklist.MaterialsHandedOver, Seller);
            await engine.CompleteChecklistItemAsync(id, ShowroomChecklist.ContactsExchanged, Seller);
            await engine.SetNextAppointmentAsync(id, time.GetUtcNow().AddDays(5), Seller);
            await Fire(engine, id, ShowroomTriggers.RecordCustomer, verbose);
            await engine.CompleteChecklistItemAsync(id, ShowroomChecklist.DataSheet, Seller);
            await engine.AssignGradeAsync(id, grade, Seller);
            await Fire(engine, id, ShowroomTriggers.StartTracking, verbose);
        }

        var schedule = new Table().Title("Follow-up schedule by grade (default cadence: A 2 days, B 7, C 14)")
            .AddColumns("Deal", "Grade", "Next follow-up (UTC)");
        foreach (var grade in grades)
        {
            var deal = await engine.GetAsync($"flat-{run}-{grade}");
            schedule.AddRow(deal.Id, grade.ToString(), deal.NextFollowUpAt?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "-");
        }

        hook.Muted = false;
        Output.Console.MarkupLine("[grey](deals for grades B and C prepared the same way)[/]");
        Output.Console.Write(schedule);
        var weekAhead = time.GetUtcNow().AddDays(7);
        var due = await engine.GetShowroomFollowUpsDueAsync(weekAhead);
        Output.Console.MarkupLine($"Follow-ups due within 7 days: [yellow]{Markup.Escape(string.Join(", ", due.Select(d => d.Id)))}[/]");

        Output.Console.MarkupLine("\nThe grade A customer comes back, subscribes, signs, then asks to check out:");
        var a = first;
        var visit = await engine.LogReturnVisitAsync(a, "Called; the customer wants to see the south-facing unit again.", Seller);
        Output.Console.MarkupLine($"  return visit logged; next follow-up {visit.Deal.NextFollowUpAt:yyyy-MM-dd}");
        await Fire(engine, a, ShowroomTriggers.ResumeNegotiation);
        await engine.AssessPurchaseDesireAsync(a, 85, Seller);
        await Fire(engine, a, ShowroomTriggers.Subscribe);
        await engine.CompleteChecklistItemAsync(a, ShowroomChecklist.ProductExplained, Seller);
        await engine.CompleteChecklistItemAsync(a, ShowroomChecklist.TermsExplained, Seller);
        await engine.CompleteChecklistItemAsync(a, ShowroomChecklist.AgreementFilled, Seller);
        await Fire(engine, a, ShowroomTriggers.SignContract);
        await Show(engine.RequestCheckOutAsync(a, "Worried about the mortgage approval", Seller), a, ShowroomTriggers.RequestCheckOut);
        await engine.DecideCheckOutAsync(a, eligible: false, Seller, "Outside the check-out conditions");
        await Fire(engine, a, ShowroomTriggers.RejectCheckOut);
        await engine.UpdateContractAsync(a, contentsComplete: true, articlesPrepared: true, termsDisputed: false, Seller);
        await Fire(engine, a, ShowroomTriggers.Complete);
        Output.Console.WriteLine();
    }

    private static async Task RetailAsync(SalesFlowEngine engine, string id)
    {
        Section("3. Four-stage retail floor (jewelry store)", SalesPipelines.RetailFloor());
        await engine.StartAsync(SalesPipelines.RetailFloorId, id, new RetailDeal(), Seller);
        await Show(engine.NoticesPieceAsync(id, "ring-042", Seller), id, RetailTriggers.NoticesPiece);
        await Fire(engine, id, RetailTriggers.ShowsCuriosity);
        Output.Console.MarkupLine("The curious customer asks \"how much is this?\" and the seller wants to quote:");
        await Show(engine.QuotePriceAsync(id, 1299m, new FireRequest(Seller)), id, RetailTriggers.QuotePrice);
        Output.Console.MarkupLine("A manager may override, with a justification that the history keeps:");
        await Show(engine.QuotePriceAsync(id, 1299m, new FireRequest(Manager) { OverrideJustification = "Returning customer asked for the price list" }), id, RetailTriggers.QuotePrice);
        await engine.RecordTryOnAsync(id, "ring-042", Seller);
        await Fire(engine, id, RetailTriggers.SharesPersonalContext);
        await Fire(engine, id, RetailTriggers.AsksPriceCarefully);
        await Show(engine.QuotePriceAsync(id, 1299m, new FireRequest(Seller)), id, RetailTriggers.QuotePrice);
        await Fire(engine, id, RetailTriggers.Purchase);
        await HistoryAsync(engine, id);
    }

    private static void Section(string title, PipelineDefinition pipeline)
    {
        // A rule as wide as a terminal, not as the (unbounded) width of piped output.
        Output.Console.MarkupLine($"── [bold]{Markup.Escape(title)}[/] " + new string('─', Math.Max(3, Math.Min(Output.Console.Profile.Width, 100) - title.Length - 4)));
        Output.Console.MarkupLine($"[grey]{Markup.Escape(pipeline.ToString())}: {Markup.Escape(string.Join(" → ", pipeline.Stages.Select(s => s.Name)))}[/]");
        var first = pipeline.GetStage(pipeline.InitialStage);
        Output.Console.MarkupLine($"[grey]Guidance for {Markup.Escape(first.Name)}:[/] {Markup.Escape(first.Guidance)}\n");
    }

    private static Task Fire(SalesFlowEngine engine, string id, string trigger, bool verbose = true) =>
        Show(engine.FireAsync(id, trigger, new FireRequest(Seller)), id, trigger, verbose);

    private static async Task Show(ValueTask<FireResult> pending, string id, string trigger, bool verbose = true)
    {
        var result = await pending;
        if (!verbose && result.Accepted)
        {
            return;
        }

        if (result.Accepted)
        {
            var overridden = result.Event!.IsOverride ? $" [yellow](override: {Markup.Escape(string.Join(", ", result.Event.OverriddenGuards))})[/]" : "";
            Output.Console.MarkupLine($"[green]✔[/] {Markup.Escape(trigger)} on {Markup.Escape(id)} → [green]{Markup.Escape(result.Deal.StageId)}[/]{overridden}");
            return;
        }

        Output.Console.MarkupLine($"[red]✘[/] {Markup.Escape(trigger)} on {Markup.Escape(id)} refused ({result.Status}):");
        foreach (var guard in result.UnmetGuards)
        {
            Output.Console.MarkupLine($"    [red]{Markup.Escape(guard.Code)}[/]: {Markup.Escape(guard.Reason)}");
        }
    }

    private static async Task HistoryAsync(SalesFlowEngine engine, string id)
    {
        var table = new Table().Title($"History of {Markup.Escape(id)}").AddColumns("#", "Time", "Event", "Stage", "Actor", "Details");
        foreach (var e in await engine.GetHistoryAsync(id))
        {
            var what = e.Kind switch
            {
                DealEventKind.Started => "started",
                DealEventKind.Transition => "[bold]" + Markup.Escape(e.Trigger!) + "[/]",
                DealEventKind.Migrated => "migrated",
                _ => Markup.Escape(e.Activity ?? "activity"),
            };
            var stage = e.FromStage is null || e.FromStage == e.ToStage ? e.ToStage : $"{e.FromStage} → {e.ToStage}";
            var details = string.Join("; ", new[]
            {
                e.Reason is null ? null : "reason: " + e.Reason,
                e.IsOverride ? $"OVERRIDE of {string.Join(",", e.OverriddenGuards)}: {e.OverrideJustification}" : null,
                e.Properties.Count == 0 ? null : string.Join(", ", e.Properties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")),
            }.Where(s => s is not null));
            table.AddRow(
                e.Sequence.ToString(CultureInfo.InvariantCulture),
                e.Timestamp.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                what,
                Markup.Escape(stage),
                Markup.Escape(e.Actor),
                Markup.Escape(details));
        }

        Output.Console.Write(table);
        Output.Console.WriteLine();
    }
}
