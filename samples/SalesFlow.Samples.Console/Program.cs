using SalesFlow;
using SalesFlow.Samples.Console;
using Spectre.Console;

var command = args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal) ? "demo" : args[0];
var choice = StoreChoice.Parse(args);
switch (command)
{
    case "demo":
    {
        await using var demoStore = await DemoStore.OpenAsync(choice);
        await ShowStoredAsync(demoStore, "before this run");
        await Demo.RunAsync(demoStore.Store, TimeProvider.System);
        await ShowStoredAsync(demoStore, "after this run");
        return 0;
    }

    case "deals":
    {
        await using var demoStore = await DemoStore.OpenAsync(choice);
        await Deals.ListAsync(demoStore);
        return 0;
    }

    default:
        AnsiConsole.MarkupLine($"[red]Unknown command '{Markup.Escape(command)}'.[/]");
        AnsiConsole.MarkupLine("Usage: dotnet run --project samples/SalesFlow.Samples.Console [[demo|deals]] [[--db PATH | --in-memory]]");
        return 2;
}

static async Task ShowStoredAsync(DemoStore demoStore, string when)
{
    var counts = await demoStore.CountByPipelineAsync();
    var total = counts.Values.Sum();
    AnsiConsole.MarkupLine($"[grey]Store: {Markup.Escape(demoStore.Description)}; {when} it holds {total} deal(s): "
        + Markup.Escape(string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))) + "[/]");
}
