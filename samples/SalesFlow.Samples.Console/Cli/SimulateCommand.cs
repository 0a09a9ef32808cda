using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesFlow.Samples.Console.Cli;

/// <summary>Runs many deals through a built-in process into the store, with seeded outcomes and timings.</summary>
internal sealed class SimulateCommand : AsyncCommand<SimulateCommand.Settings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var store = await DemoStore.OpenAsync(settings.ToChoice());
        var pipeline = store.Pipelines.Get(settings.PipelineId);
        var random = new Random(settings.Seed);
        var end = DateTimeOffset.UtcNow;
        var clock = new SimulationClock(end);
        var engine = new SalesFlowEngine(store.Pipelines, store.Store, new SalesFlowEngineOptions { TimeProvider = clock });
        var simulation = new Simulation(engine, clock, random);
        var run = end.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var deals = new List<Deal>(settings.Deals);

        await Output.Console.Progress().AutoClear(true).StartAsync(async progress =>
        {
            var task = progress.AddTask($"Simulating {settings.Deals} {pipeline.Id} deals", maxValue: settings.Deals);
            for (var i = 0; i < settings.Deals; i++)
            {
                var start = end - TimeSpan.FromDays(settings.Days) + TimeSpan.FromMinutes(random.NextDouble() * settings.Days * 24 * 60);
                deals.Add(await simulation.RunDealAsync(pipeline, $"sim-{run}-{settings.Seed}-{i + 1:D5}", start, end, cancellationToken));
                task.Increment(1);
            }
        });

        var table = new Table().Title($"{settings.Deals} simulated {Markup.Escape(pipeline.Id)} deals in {Markup.Escape(store.Description)}")
            .AddColumns("Stage", "Kind", "Deals", "Amount");
        foreach (var stage in pipeline.Stages)
        {
            var here = deals.Where(d => d.StageId == stage.Id).ToList();
            table.AddRow(Markup.Escape(stage.Name), stage.Kind.ToString(), here.Count.ToString(CultureInfo.InvariantCulture), here.Sum(d => d.Amount ?? 0).ToString("N0", CultureInfo.InvariantCulture));
        }

        Output.Console.Write(table);
        var won = deals.Count(d => pipeline.GetStage(d.StageId).Kind == StageKind.Won);
        var lost = deals.Count(d => pipeline.GetStage(d.StageId).Kind == StageKind.Lost);
        Output.Console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Won {won}, lost {lost}, still open {deals.Count(d => pipeline.GetStage(d.StageId).IsOpen)}; win rate of closed deals {(won + lost == 0 ? 0 : (double)won / (won + lost)):P1}."));
        return 0;
    }

    internal sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "[PIPELINE]")]
        [Description("The built-in process: b2b-seven-step (default), showroom-ten-step or retail-four-stage.")]
        public string PipelineId { get; init; } = Pipelines.SalesPipelines.SevenStepB2BId;

        [CommandOption("-n|--deals <N>")]
        [Description("How many deals (default 100).")]
        [DefaultValue(100)]
        public int Deals { get; init; } = 100;

        [CommandOption("--seed <N>")]
        [Description("The random seed: the same seed gives the same outcomes (default 1).")]
        [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        [CommandOption("--days <N>")]
        [Description("The deals start over this many days before now (default 180).")]
        [DefaultValue(180)]
        public int Days { get; init; } = 180;

        public override ValidationResult Validate() =>
            Deals is < 1 or > 1_000_000 ? ValidationResult.Error("--deals must be between 1 and 1,000,000.")
            : Days < 1 ? ValidationResult.Error("--days must be at least 1.")
            : !Simulation.SupportedPipelines.Contains(PipelineId) ? ValidationResult.Error($"Only the built-in processes can be simulated ({string.Join(", ", Simulation.SupportedPipelines)}), not '{PipelineId}'.")
            : base.Validate();
    }
}
