using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesFlow.Samples.Console.Cli;

/// <summary>The options every command that reads or writes deals shares: which store, which tenant in it, and extra pipelines.</summary>
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

    [CommandOption("--tenant <ID>")]
    [Description("The tenant (company) whose deals the command reads and writes; one store holds many, each sees only its own (default: default).")]
    [DefaultValue(Tenants.Default)]
    public string Tenant { get; init; } = Tenants.Default;

    public override ValidationResult Validate()
    {
        if (InMemory && Database is not null)
        {
            return ValidationResult.Error("--db and --in-memory exclude each other: choose one store.");
        }

        try
        {
            DealStoreChecks.ValidateTenant(Tenant);
        }
        catch (ArgumentException)
        {
            // The rule, not the value: a control character echoed back could garble the terminal.
            return ValidationResult.Error($"--tenant must be a tenant id: 1 to {Tenants.MaxIdLength} characters, no control characters, no leading or trailing white space.");
        }

        return ValidationResult.Success();
    }

    public StoreChoice ToChoice() => new(InMemory, Database, PipelineFiles) { Tenant = Tenant };
}
