using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesFlow.Samples.Console.Cli;

/// <summary>The options every command that reads or writes deals shares: which store, and extra pipelines.</summary>
internal class StoreSettings : CommandSettings
{
    [CommandOption("--db <PATH>")]
    [Description("The SQLite file to use (default: salesflow.db in the current directory, or the SALESFLOW_DB environment variable).")]
    public string? Database { get; init; }

    [CommandOption("--in-memory")]
    [Description("Keep deals in memory only: nothing is written to disk.")]
    public bool InMemory { get; init; }

    [CommandOption("--pipeline <FILE>")]
    [Description("A pipeline definition (JSON) to register next to the built-in ones; repeat for several.")]
    public string[] PipelineFiles { get; init; } = [];

    public override ValidationResult Validate() =>
        InMemory && Database is not null
            ? ValidationResult.Error("--db and --in-memory exclude each other: choose one store.")
            : ValidationResult.Success();

    public StoreChoice ToChoice() => new(InMemory, Database, PipelineFiles);
}
