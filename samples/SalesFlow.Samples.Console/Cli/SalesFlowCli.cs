using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesFlow.Samples.Console.Cli;

/// <summary>
/// The command line: <c>demo</c> (the default), <c>pipelines</c>, <c>deals</c>, <c>history</c>, <c>graph</c> and
/// <c>validate</c>. An unknown command or option prints what went wrong and exits with 2 before any store is opened. Every
/// command that reads or writes deals takes <c>--tenant ID</c>: one store file holds many tenants, each sees only its own.
/// </summary>
internal static class SalesFlowCli
{
    public const int UsageError = 2;

    private static readonly HashSet<string> ValueOptions = new(StringComparer.Ordinal) { "--db", "--pipeline", "--deal", "--format", "--version", "--deals", "-n", "--seed", "--days", "--map", "--from", "--to", "--mode", "--top", "--show-rejected", "--tenant" };

    public static async Task<int> RunAsync(IEnumerable<string> args, IAnsiConsole console, CancellationToken cancellationToken = default)
    {
        Output.Console = console;

        // The demo is the default command. Spectre's own default-command handling lets `--db` with no path swallow its
        // internal command name as the path, so the default is put in front of the arguments here instead.
        var list = args.ToList();
        if (list.Count == 0 || (list[0].StartsWith('-') && list[0] is not ("-h" or "--help" or "-?" or "--version")))
        {
            list.Insert(0, "demo");
        }

        // Spectre lets an option that needs a value take the next token whatever it is (even its own internal default
        // command name when the option is last): an option with no value is a usage error here, before anything runs.
        for (var i = 0; i < list.Count; i++)
        {
            if (ValueOptions.Contains(list[i]) && (i + 1 == list.Count || list[i + 1].StartsWith("--", StringComparison.Ordinal)))
            {
                return Fail(console, new UsageException($"Option '{list[i]}' needs a value."));
            }
        }

        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("salesflow");
            config.ConfigureConsole(console);
            config.UseStrictParsing();
            config.AddCommand<DemoCommand>("demo")
                .WithDescription("Run one deal through each built-in process and print what the engine enforces (the default).")
                .WithExample("demo", "--db", "crm.db");
            config.AddCommand<SimulateCommand>("simulate")
                .WithDescription("Run many deals through a built-in process into the store, with seeded realistic outcomes and timings.")
                .WithExample("simulate", "showroom-ten-step", "--deals", "500", "--seed", "7");
            config.AddCommand<ImportCommand>("import")
                .WithDescription("Import a CRM export (CSV) through a mapping file: deals replayed with their original dates; bad rows listed with their line numbers.")
                .WithExample("import", "opportunities.csv", "--map", "salesforce-mapping.json", "--pipeline", "crm.json");
            config.AddCommand<ReportCommand>("report")
                .WithDescription("Reports from the history: funnel, stages (time in stage), flow, outcomes, owners, idle; --format json or csv for programs.")
                .WithExample("report", "funnel", "b2b-seven-step", "--mode", "strict")
                .WithExample("report", "outcomes", "showroom-ten-step", "--from", "2026-01-01", "--format", "json");
            config.AddCommand<PipelinesCommand>("pipelines")
                .WithDescription("List the registered pipelines: the built-in ones and any --pipeline files.");
            config.AddCommand<DealsCommand>("deals")
                .WithDescription("List the deals in the store.");
            config.AddCommand<HistoryCommand>("history")
                .WithDescription("Show a deal's history, event by event.")
                .WithExample("history", "acme-1127");
            config.AddCommand<GraphCommand>("graph")
                .WithDescription("Draw a pipeline as Mermaid or DOT, or one deal's path through it.")
                .WithExample("graph", "b2b-seven-step", "--format", "dot")
                .WithExample("graph", "b2b-seven-step", "--deal", "acme-1127");
            config.AddCommand<ValidateCommand>("validate")
                .WithDescription("Check a pipeline definition file: every problem with its line and column; exit code 1 when there are errors.")
                .WithExample("validate", "pipelines/b2b-seven-step.json");
            config.SetExceptionHandler((exception, _) => Fail(console, exception));
        });

        return await app.RunAsync(list, cancellationToken);
    }

    private static int Fail(IAnsiConsole console, Exception exception)
    {
        switch (exception)
        {
            case CommandParseException or CommandRuntimeException or UsageException:
                console.MarkupLine($"[red]Error:[/] {Markup.Escape(exception.Message)}");
                console.MarkupLine("Run [bold]salesflow --help[/] (or [bold]salesflow COMMAND --help[/]) to see the commands and their options. Nothing was read or written.");
                return UsageError;
            case CliException or PipelineNotFoundException or DealNotFoundException:
                console.MarkupLine($"[red]Error:[/] {Markup.Escape(exception.Message)}");
                return 1;
            default:
                console.MarkupLine($"[red]Failed:[/] {Markup.Escape(exception.GetType().Name)}: {Markup.Escape(exception.Message)}");
                return 1;
        }
    }
}

/// <summary>The command line itself is wrong (an option without its value): exit code 2, nothing run.</summary>
internal sealed class UsageException(string message) : Exception(message);
