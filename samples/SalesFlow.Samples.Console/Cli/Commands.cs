using System.ComponentModel;
using System.Globalization;
using SalesFlow.Pipelines;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesFlow.Samples.Console.Cli;

/// <summary>The walkthrough of the three built-in processes, on the chosen store.</summary>
internal sealed class DemoCommand : AsyncCommand<StoreSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, StoreSettings settings, CancellationToken cancellationToken)
    {
        await using var store = await DemoStore.OpenAsync(settings.ToChoice());
        await ShowStoredAsync(store, "before this run");
        await Demo.RunAsync(store.Store, TimeProvider.System);
        await ShowStoredAsync(store, "after this run");
        return 0;
    }

    private static async Task ShowStoredAsync(DemoStore store, string when)
    {
        var counts = await store.CountByPipelineAsync();
        Output.Console.MarkupLine($"[grey]Store: {Markup.Escape(store.Description)}; {when} it holds {counts.Values.Sum()} deal(s): "
            + Markup.Escape(string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))) + "[/]");
    }
}

internal sealed class PipelinesCommand : Command<PipelinesCommand.Settings>
{
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var pipelines = new PipelineRegistry(SalesPipelines.All);
        foreach (var file in settings.PipelineFiles)
        {
            pipelines.Add(DemoStore.LoadPipeline(file));
        }

        var table = new Table().AddColumns("Pipeline", "Version", "Name", "Deal data", "Stages", "Transitions", "Initial stage");
        foreach (var p in pipelines.All.OrderBy(p => p.Id, StringComparer.Ordinal).ThenBy(p => p.Version))
        {
            table.AddRow(
                Markup.Escape(p.Id), p.Version.ToString(CultureInfo.InvariantCulture), Markup.Escape(p.Name), Markup.Escape(p.DataTypeName ?? "JSON (schemaless)"),
                p.Stages.Count.ToString(CultureInfo.InvariantCulture), p.Transitions.Count.ToString(CultureInfo.InvariantCulture), Markup.Escape(p.InitialStage));
        }

        Output.Console.Write(table);
        return 0;
    }

    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--pipeline <FILE>")]
        [Description("A pipeline definition (JSON) to list next to the built-in ones; repeat for several.")]
        public string[] PipelineFiles { get; init; } = [];
    }
}

internal sealed class DealsCommand : AsyncCommand<StoreSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, StoreSettings settings, CancellationToken cancellationToken)
    {
        await using var store = await DemoStore.OpenAsync(settings.ToChoice());
        await Deals.ListAsync(store);
        return 0;
    }
}

internal sealed class HistoryCommand : AsyncCommand<HistoryCommand.Settings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var store = await DemoStore.OpenAsync(settings.ToChoice());
        var deal = await store.Store.GetAsync(settings.DealId, cancellationToken) ?? throw new CliException($"There is no deal '{settings.DealId}' in {store.Description}. List the deals with: salesflow deals");
        var table = new Table().Title($"{Markup.Escape(deal.Id)} ({Markup.Escape(deal.PipelineId)} v{deal.PipelineVersion}), now in {Markup.Escape(deal.StageId)}")
            .AddColumns("#", "When (UTC)", "What", "From", "To", "Actor", "Note");
        long after = 0;
        while (true)
        {
            var events = await store.Store.GetEventsAsync(deal.Id, after, 500, cancellationToken);
            foreach (var e in events)
            {
                table.AddRow(
                    e.Sequence.ToString(CultureInfo.InvariantCulture),
                    e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    Markup.Escape(e.Kind switch
                    {
                        DealEventKind.Transition => e.Trigger!,
                        DealEventKind.Activity => e.Activity ?? "activity",
                        _ => e.Kind.ToString().ToLowerInvariant(),
                    } + (e.IsOverride ? " (override)" : "")),
                    Markup.Escape(e.FromStage ?? ""),
                    Markup.Escape(e.ToStage),
                    Markup.Escape(e.Actor),
                    Markup.Escape(e.Note ?? e.Reason ?? ""));
            }

            if (events.Count < 500)
            {
                break;
            }

            after = events[^1].Sequence;
        }

        Output.Console.Write(table);
        return 0;
    }

    internal sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "<DEAL>")]
        [Description("The deal's id.")]
        public string DealId { get; init; } = "";
    }
}

internal sealed class GraphCommand : AsyncCommand<GraphCommand.Settings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var store = await DemoStore.OpenAsync(settings.ToChoice());
        string text;
        if (settings.DealId is { } dealId)
        {
            var deal = await store.Store.GetAsync(dealId, cancellationToken) ?? throw new CliException($"There is no deal '{dealId}' in {store.Description}.");
            if (deal.PipelineId != settings.PipelineId)
            {
                throw new CliException($"Deal '{dealId}' is on pipeline '{deal.PipelineId}', not '{settings.PipelineId}'.");
            }

            var pipeline = store.Pipelines.Get(deal.PipelineId, deal.PipelineVersion);
            var history = await store.Store.GetEventsAsync(dealId, cancellationToken: cancellationToken);
            text = settings.Format == "dot" ? pipeline.ToDot(deal, history) : pipeline.ToMermaid(deal, history);
        }
        else
        {
            var pipeline = settings.Version is { } version ? store.Pipelines.Get(settings.PipelineId, version) : store.Pipelines.Get(settings.PipelineId);
            text = settings.Format == "dot" ? pipeline.ToDot() : pipeline.ToMermaid();
        }

        // The graph is data for another program: written as it is, never wrapped or marked up.
        Output.Console.Profile.Out.Writer.Write(text);
        Output.Console.Profile.Out.Writer.Flush();
        return 0;
    }

    internal sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "<PIPELINE>")]
        [Description("The pipeline id, for example b2b-seven-step.")]
        public string PipelineId { get; init; } = "";

        [CommandOption("--version <N>")]
        [Description("The pipeline version (default: the latest).")]
        public int? Version { get; init; }

        [CommandOption("--deal <ID>")]
        [Description("Draw this deal's path: its current stage and the moves it took, counted.")]
        public string? DealId { get; init; }

        [CommandOption("--format <FORMAT>")]
        [Description("mermaid (default) or dot.")]
        [DefaultValue("mermaid")]
        public string Format { get; init; } = "mermaid";

        public override ValidationResult Validate() =>
            Format is not ("mermaid" or "dot")
                ? ValidationResult.Error($"--format must be mermaid or dot, not '{Format}'.")
                : base.Validate();
    }
}

internal sealed class ValidateCommand : Command<ValidateCommand.Settings>
{
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.File))
        {
            throw new CliException($"The file '{settings.File}' does not exist.");
        }

        var result = PipelineJson.Load(File.ReadAllBytes(settings.File));
        var console = Output.Console;
        foreach (var d in result.Diagnostics)
        {
            var where = d.Location is { Line: > 0 } l ? $"{settings.File}:{l.Line}:{l.Column}" : settings.File;
            var colour = d.IsError ? "red" : "yellow";
            console.MarkupLine($"{Markup.Escape(where)}: [{colour}]{d.Severity.ToString().ToLowerInvariant()} {d.Code}[/]: {Markup.Escape(d.Message)}"
                + (d.Location is { JsonPointer.Length: > 0 } p ? $" [grey]({Markup.Escape(p.JsonPointer)})[/]" : ""));
        }

        var errors = result.Diagnostics.Count(d => d.IsError);
        var warnings = result.Diagnostics.Count - errors;
        console.MarkupLine(result.Succeeded
            ? $"[green]{Markup.Escape(result.Definition.Id)} v{result.Definition.Version} is valid[/] ({result.Definition.Stages.Count} stages, {result.Definition.Transitions.Count} transitions, {warnings} warning(s))."
            : $"[red]{errors} error(s)[/], {warnings} warning(s).");
        return result.Succeeded ? 0 : 1;
    }

    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("The pipeline definition file (JSON).")]
        public string File { get; init; } = "";
    }
}
