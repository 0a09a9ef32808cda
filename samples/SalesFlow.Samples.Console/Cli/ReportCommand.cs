using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using nietras.SeparatedValues;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesFlow.Samples.Console.Cli;

/// <summary>The reports, as tables and bar charts for people, or JSON and CSV for programs.</summary>
internal sealed class ReportCommand : AsyncCommand<ReportCommand.Settings>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var store = await DemoStore.OpenAsync(settings.ToChoice());
        var reports = new SalesReports(store.Pipelines, store.Store);
        var pipeline = store.Pipelines.Get(settings.PipelineId);
        var request = new ReportRequest(pipeline.Id, settings.Window());
        (object Report, string[] Header, IEnumerable<string[]> Rows) result = settings.Report switch
        {
            "funnel" => Funnel(await reports.FunnelAsync(request, settings.FunnelMode(), cancellationToken)),
            "stages" => Stages(await reports.TimeInStageAsync(request, cancellationToken)),
            "flow" => Flow(await reports.FlowAsync(request, cancellationToken)),
            "outcomes" => Outcomes(await reports.OutcomesAsync(request, cancellationToken)),
            "owners" => Owners(await reports.BreakdownAsync(request, DealGrouping.ByOwner, settings.Top, cancellationToken)),
            _ => Idle(await reports.IdleAsync(pipeline.Id, cancellationToken)),
        };

        var console = Output.Console;
        switch (settings.Format)
        {
            case "json":
                console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(result.Report, result.Report.GetType(), Json));
                break;
            case "csv":
                using (var writer = Sep.New(',').Writer(o => o with { WriteHeader = false }).To(console.Profile.Out.Writer))
                {
                    foreach (var line in result.Rows.Prepend(result.Header))
                    {
                        using var row = writer.NewRow(cancellationToken);
                        for (var i = 0; i < line.Length; i++)
                        {
                            row[i.ToString(CultureInfo.InvariantCulture)].Set(line[i]);
                        }
                    }
                }

                break;
            default:
                var table = new Table().Title($"{Markup.Escape(settings.Report)}: {Markup.Escape(pipeline.Id)}").AddColumns(result.Header);
                foreach (var row in result.Rows)
                {
                    table.AddRow(row.Select(Markup.Escape).ToArray());
                }

                console.Write(table);
                if (result.Report is FunnelReport funnel && funnel.Bars.Any(b => b.Count > 0))
                {
                    console.Write(new BarChart().Width(60).Label("Deals per stage").AddItems(funnel.Bars, b => new BarChartItem(b.StageName, b.Count, Color.Teal)));
                }

                break;
        }

        return 0;
    }

    private static (object, string[], IEnumerable<string[]>) Funnel(FunnelReport r) =>
        (r, ["Stage", "Deals", "Step conversion", "Cumulative conversion"],
            r.Bars.Select(b => new[] { b.StageName, N(b.Count), P(b.StepConversion), P(b.CumulativeConversion) }));

    private static (object, string[], IEnumerable<string[]>) Stages(TimeInStageReport r) =>
        (r, ["Stage", "Entries", "Latest median (days)", "Latest p90", "Cumulative median", "Cumulative mean", "Open now", "Current median"],
            r.Stages.Select(s => new[] { s.StageName, N(s.Entries), D(s.Latest.Median), D(s.Latest.P90), D(s.Cumulative.Median), D(s.Cumulative.Mean), N(s.Current.Count), D(s.Current.Median) }));

    private static (object, string[], IEnumerable<string[]>) Flow(FlowReport r) =>
        (r, ["From", "To", "Moves", "Direction", "Stages skipped"],
            r.Moves.Select(m => new[] { m.FromStage, m.ToStage, N(m.Count), m.Direction.ToString(), N(m.SkippedStages) }));

    private static (object, string[], IEnumerable<string[]>) Outcomes(OutcomesReport r) =>
        (r, ["Measure", "Value"],
            new[]
            {
                new[] { "Won", N(r.Won) }, ["Lost", N(r.Lost)], ["Closed otherwise", N(r.Closed)], ["Win rate", P(r.WinRate)],
                ["Won cycle median (days)", D(r.WonCycle.Median)], ["Won cycle mean (days)", D(r.WonCycle.Mean)],
                ["All closed cycle median (days)", D(r.ClosedCycle.Median)], ["All closed cycle mean (days)", D(r.ClosedCycle.Mean)],
                ["Won value", M(r.WonValue)], ["Average won size", M(r.AverageWonSize)], ["Open deals", N(r.OpenDeals)], ["Sales velocity (per day)", M(r.SalesVelocity)],
            });

    private static (object, string[], IEnumerable<string[]>) Owners(BreakdownReport r) =>
        (r, ["Owner", "Started", "Won", "Lost", "Win rate", "Won value"],
            r.Rows.Select(row => new[] { row.Key ?? "(none)", N(row.Started), N(row.Outcomes.Won), N(row.Outcomes.Lost), P(row.Outcomes.WinRate), M(row.Outcomes.WonValue) }));

    private static (object, string[], IEnumerable<string[]>) Idle(IdleReport r) =>
        (r, ["Deal", "Stage", "Owner", "Idle (days)", "Threshold (days)", "Follow-up overdue (days)"],
            r.Idle.Select(i => new[] { i.DealId, i.StageId, i.Owner ?? "", D(i.IdleFor), D(i.Threshold), "" })
                .Concat(r.Overdue.Select(o => new[] { o.DealId, o.StageId, o.Owner ?? "", "", "", D(o.OverdueBy) })));

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string P(double? value) => value is { } v ? v.ToString("0.0%", CultureInfo.InvariantCulture) : "";

    private static string D(TimeSpan? value) => value is { } v ? v.TotalDays.ToString("0.0", CultureInfo.InvariantCulture) : "";

    private static string M(decimal? value) => value is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "";

    internal sealed class Settings : StoreSettings
    {
        private static readonly string[] Reports = ["funnel", "stages", "flow", "outcomes", "owners", "idle"];

        [CommandArgument(0, "<REPORT>")]
        [Description("funnel, stages (time in stage), flow, outcomes, owners or idle.")]
        public string Report { get; init; } = "";

        [CommandArgument(1, "[PIPELINE]")]
        [Description("The pipeline id (default b2b-seven-step).")]
        public string PipelineId { get; init; } = Pipelines.SalesPipelines.SevenStepB2BId;

        [CommandOption("--from <DATE>")]
        [Description("The window's start (UTC, for example 2026-01-01); default: the beginning.")]
        public string? From { get; init; }

        [CommandOption("--to <DATE>")]
        [Description("The window's end, exclusive (UTC); default: no end.")]
        public string? To { get; init; }

        [CommandOption("--mode <MODE>")]
        [Description("For the funnel: strict, touched (default) or implied.")]
        [DefaultValue("touched")]
        public string Mode { get; init; } = "touched";

        [CommandOption("--top <N>")]
        [Description("For owners: how many rows (default 10).")]
        [DefaultValue(10)]
        public int Top { get; init; } = 10;

        [CommandOption("--format <FORMAT>")]
        [Description("table (default), json or csv.")]
        [DefaultValue("table")]
        public string Format { get; init; } = "table";

        public ReportWindow Window() => new(Date(From) ?? DateTimeOffset.MinValue, Date(To) ?? DateTimeOffset.MaxValue);

        public FunnelMode FunnelMode() => Enum.Parse<FunnelMode>(Mode, ignoreCase: true);

        public override ValidationResult Validate()
        {
            if (!Reports.Contains(Report))
            {
                return ValidationResult.Error($"There is no report '{Report}': use {string.Join(", ", Reports)}.");
            }

            if (Format is not ("table" or "json" or "csv"))
            {
                return ValidationResult.Error($"--format must be table, json or csv, not '{Format}'.");
            }

            if (Mode is not ("strict" or "touched" or "implied"))
            {
                return ValidationResult.Error($"--mode must be strict, touched or implied, not '{Mode}'.");
            }

            if (Top < 1)
            {
                return ValidationResult.Error("--top must be at least 1.");
            }

            if ((From is not null && Date(From) is null) || (To is not null && Date(To) is null))
            {
                return ValidationResult.Error("--from and --to take a date such as 2026-01-31 (UTC).");
            }

            return Date(From) is { } from && Date(To) is { } to && to <= from
                ? ValidationResult.Error("--to must be after --from.")
                : base.Validate();
        }

        private static DateTimeOffset? Date(string? text) =>
            text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date) ? date : null;
    }
}
