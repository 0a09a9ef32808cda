using SalesFlow.Samples.Console;
using Spectre.Console;

var command = args.Length == 0 ? "demo" : args[0];
switch (command)
{
    case "demo":
        await Demo.RunAsync(DemoStore.Create(), TimeProvider.System);
        return 0;
    default:
        AnsiConsole.MarkupLine($"[red]Unknown command '{Markup.Escape(command)}'.[/] Usage: dotnet run --project samples/SalesFlow.Samples.Console [[demo]]");
        return 2;
}
