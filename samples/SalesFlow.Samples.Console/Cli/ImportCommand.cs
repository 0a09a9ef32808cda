using System.ComponentModel;
using System.Globalization;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Pipelines.Showroom;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesFlow.Samples.Console.Cli;

/// <summary>Imports a CRM export (CSV) through a mapping file into the store, replaying each deal's history.</summary>
internal sealed class ImportCommand : AsyncCommand<ImportCommand.Settings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.File))
        {
            throw new CliException($"The export '{settings.File}' does not exist.");
        }

        if (!File.Exists(settings.Mapping))
        {
            throw new CliException($"The mapping file '{settings.Mapping}' does not exist.");
        }

        var mappingResult = ImportMapping.Load(File.ReadAllBytes(settings.Mapping));
        if (mappingResult.Mapping is not { } mapping)
        {
            throw new CliException($"The mapping file '{settings.Mapping}' has errors:" + Environment.NewLine
                + string.Join(Environment.NewLine, mappingResult.Diagnostics.Where(d => d.IsError).Select(d => "  " + d)));
        }

        await using var store = await DemoStore.OpenAsync(settings.ToChoice());
        var pipelineId = mapping.PipelineId ?? throw new CliException($"The mapping file '{settings.Mapping}' names no pipeline: add \"pipeline\".");
        var pipeline = store.Pipelines.Get(pipelineId);
        var importer = new CrmImporter(store.Store, pipeline, mapping, new CrmImportOptions { DataFactory = DataFactory(pipeline) });

        CrmImportResult? result = null;
        await Output.Console.Status().StartAsync($"Importing {Markup.Escape(Path.GetFileName(settings.File))} into {Markup.Escape(pipeline.Id)}…", async _ =>
            result = await importer.ImportFileAsync(settings.File, cancellationToken));

        var console = Output.Console;
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Read {result!.RowsRead} row(s): imported {result.DealsImported} deal(s) with {result.EventsImported} event(s); {result.DealsSkipped} already there (skipped); {result.Rejected.Count} row(s) rejected."));
        if (result.Rejected.Count > 0)
        {
            var table = new Table().Title("Rejected rows").AddColumns("Line", "Deal", "Reason");
            foreach (var row in result.Rejected.OrderBy(r => r.Line).Take(settings.ShowRejected))
            {
                table.AddRow(row.Line.ToString(CultureInfo.InvariantCulture), Markup.Escape(row.DealId ?? ""), Markup.Escape(row.Reason));
            }

            console.Write(table);
            if (result.Rejected.Count > settings.ShowRejected)
            {
                console.MarkupLine($"… and {result.Rejected.Count - settings.ShowRejected} more.");
            }
        }

        return 0;
    }

    // The built-in processes carry typed data: an imported deal starts with empty data of its type.
    private static Func<ImportedDeal, object>? DataFactory(PipelineDefinition pipeline) => pipeline.DataType switch
    {
        var t when t == typeof(JsonDealData) => null,
        var t when t == typeof(B2BDeal) => _ => new B2BDeal(),
        var t when t == typeof(ShowroomDeal) => _ => new ShowroomDeal(),
        var t when t == typeof(RetailDeal) => _ => new RetailDeal(),
        _ => throw new CliException($"Pipeline '{pipeline.Id}' carries {pipeline.DataType.Name} data, which this command cannot make: import into a JSON pipeline or a built-in one."),
    };

    internal sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("The CRM export (CSV).")]
        public string File { get; init; } = "";

        [CommandOption("--map <FILE>")]
        [Description("The mapping file (JSON, see docs/import.md): columns, stage names, date formats, time zone, the pipeline.")]
        public string Mapping { get; init; } = "";

        [CommandOption("--show-rejected <N>")]
        [Description("How many rejected rows to list (default 50).")]
        [DefaultValue(50)]
        public int ShowRejected { get; init; } = 50;

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Mapping) ? ValidationResult.Error("--map is required: the mapping file that says which column holds what.")
            : ShowRejected < 0 ? ValidationResult.Error("--show-rejected must not be negative.")
            : base.Validate();
    }
}
