using SalesFlow.Samples.Console;
using SalesFlow.Samples.Console.Cli;

return await SalesFlowCli.RunAsync(args, Output.ForProcess(Console.Out, Console.IsOutputRedirected));
