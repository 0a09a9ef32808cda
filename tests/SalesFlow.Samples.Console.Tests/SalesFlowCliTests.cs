using SalesFlow.Samples.Console;
using SalesFlow.Samples.Console.Cli;
using Spectre.Console.Testing;

namespace SalesFlow.Samples.Console.Tests;

/// <summary>The command line as a user meets it: help, bad input, the demo on a real SQLite file, and piped output.</summary>
public sealed class SalesFlowCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salesflow-cli-").FullName;

    private string Db => Path.Combine(_folder, "crm.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(100);
        var exit = await SalesFlowCli.RunAsync(args, console);
        return (exit, console.Output);
    }

    // As a user's shell runs it with the output piped into another program: unbounded width, no colours.
    private static async Task<(int Exit, string Output)> RunPipedAsync(params string[] args)
    {
        var writer = new StringWriter();
        var exit = await SalesFlowCli.RunAsync(args, Output.ForProcess(writer, redirected: true));
        return (exit, writer.ToString());
    }

    [Fact]
    public async Task Help_ListsEveryCommand()
    {
        var (exit, output) = await RunAsync("--help");

        exit.Should().Be(0);
        output.Should().ContainAll("demo", "pipelines", "deals", "history", "graph", "validate");
    }

    [Theory]
    [InlineData("demo")]
    [InlineData("pipelines")]
    [InlineData("deals")]
    [InlineData("history")]
    [InlineData("graph")]
    [InlineData("validate")]
    public async Task CommandHelp_DescribesTheCommandAndTouchesNoStore(string command)
    {
        string[] store = command is "validate" or "pipelines" ? [] : ["--db", Db];
        var (exit, output) = await RunAsync([command, "--help", .. store]);

        exit.Should().Be(0);
        output.Should().Contain("USAGE:").And.Contain(command);
        File.Exists(Db).Should().BeFalse();
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("demo", "--bogus")]
    [InlineData("frobnicate")]
    [InlineData("--db")]
    [InlineData("deals", "--db")]
    [InlineData("graph", "b2b-seven-step", "--format", "svg")]
    [InlineData("--in-memory", "--db", "x.db")]
    [InlineData("history")]
    public async Task BadCommandLine_ExitsWithTwoAndTouchesNoStore(params string[] args)
    {
        var (exit, output) = await RunAsync([.. args, "--db", Db]);

        exit.Should().Be(SalesFlowCli.UsageError, output);
        output.Should().Contain("Error:");
        File.Exists(Db).Should().BeFalse("a bad command line must not create or change the store");
        Directory.GetFiles(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task Demo_TwiceOnOneFile_FindsTheFirstRunsDealsInStableOrder()
    {
        var first = await RunPipedAsync("--db", Db);
        var second = await RunPipedAsync("demo", "--db", Db);

        first.Exit.Should().Be(0);
        second.Exit.Should().Be(0);
        first.Output.Should().Contain("before this run it holds 0 deal(s): b2b-seven-step 0, retail-four-stage 0, showroom-ten-step 0");
        second.Output.Should().Contain("before this run it holds 6 deal(s): b2b-seven-step 2, retail-four-stage 1, showroom-ten-step 3");
    }

    [Fact]
    public async Task PipedOutput_NeverWrapsInTheMiddleOfAWord()
    {
        await RunPipedAsync("--db", Db);
        var deals = await RunPipedAsync("deals", "--db", Db);
        var id = deals.Output.Split('\n').Select(l => l.Split('│', StringSplitOptions.TrimEntries)).First(c => c.Length > 2 && c[1].StartsWith("acme-", StringComparison.Ordinal) && !c[1].EndsWith("referral", StringComparison.Ordinal))[1];

        var history = await RunPipedAsync("history", id, "--db", Db);

        history.Exit.Should().Be(0);
        history.Output.Should().NotContain("\u001b[", "piped output carries no colour codes");
        var rows = history.Output.Split('\n').Where(l => l.StartsWith('│')).ToList();
        rows.Should().HaveCount(27, "a header and one row per event, none broken over two lines");
        rows.Should().Contain(l => l.Contains("│ Qualify ") && l.Contains("│ needs-assessment "));
        rows.Should().Contain(l => l.Contains("presentation.decision-maker-identified"));
        rows.Should().OnlyContain(l => l.TrimEnd().EndsWith('│'));
    }

    [Fact]
    public async Task Pipelines_ListsBuiltInsAndFilesInStableOrder()
    {
        var file = Path.Combine(_folder, "loans.json");
        await File.WriteAllTextAsync(file, """
            { "format": 1, "id": "a-loans", "version": 1, "name": "Loans",
              "stages": [ { "id": "open", "guidance": "g" }, { "id": "won", "kind": "won" }, { "id": "lost", "kind": "lost" } ],
              "transitions": [ { "trigger": "win", "from": "open", "to": "won" }, { "trigger": "lose", "from": "open", "to": "lost" } ] }
            """);

        var (exit, output) = await RunPipedAsync("pipelines", "--pipeline", file);

        exit.Should().Be(0);
        var ids = output.Split('\n').Where(l => l.StartsWith("│ ", StringComparison.Ordinal)).Select(l => l.Split('│', StringSplitOptions.TrimEntries)[1]).Skip(1).ToList();
        ids.Should().Equal("a-loans", "b2b-seven-step", "retail-four-stage", "showroom-ten-step");
        output.Should().Contain("JSON (schemaless)");
    }

    [Fact]
    public async Task Validate_FileWithErrors_ListsThemWithLineAndColumnAndExitsWithOne()
    {
        var file = Path.Combine(_folder, "bad.json");
        await File.WriteAllTextAsync(file, "{\n  \"format\": 1,\n  \"id\": \"x\",\n  \"version\": 0,\n  \"stages\": [],\n  \"transitions\": []\n}\n");

        var (exit, output) = await RunPipedAsync("validate", file);

        exit.Should().Be(1);
        output.Should().Contain($"{file}:4:14: error SF1002");
        output.Should().MatchRegex(@"\d+ error\(s\)");
    }

    [Fact]
    public async Task Validate_ShippedFile_IsValid()
    {
        var (exit, output) = await RunPipedAsync("validate", RepoFile("pipelines", "showroom-ten-step.json"));

        exit.Should().Be(0, output);
        output.Should().Contain("showroom-ten-step v1 is valid");
    }

    [Fact]
    public async Task Validate_MissingFile_ExitsWithOne()
    {
        var (exit, output) = await RunPipedAsync("validate", Path.Combine(_folder, "nope.json"));

        exit.Should().Be(1);
        output.Should().Contain("does not exist");
    }

    [Fact]
    public async Task Graph_WritesMermaidOrDotAsIs()
    {
        var mermaid = await RunPipedAsync("graph", "retail-four-stage", "--in-memory");
        var dot = await RunPipedAsync("graph", "retail-four-stage", "--format", "dot", "--in-memory");

        mermaid.Exit.Should().Be(0);
        mermaid.Output.Should().StartWith("flowchart");
        dot.Output.Should().StartWith("digraph");
    }

    [Fact]
    public async Task Graph_OfADeal_HighlightsItsStage()
    {
        await RunPipedAsync("--db", Db);
        var deals = await RunPipedAsync("deals", "--db", Db);
        var visit = deals.Output.Split('\n').Select(l => l.Split('│', StringSplitOptions.TrimEntries)).First(c => c.Length > 2 && c[1].StartsWith("visit-", StringComparison.Ordinal))[1];

        var (exit, output) = await RunPipedAsync("graph", "retail-four-stage", "--deal", visit, "--db", Db);

        exit.Should().Be(0, output);
        output.Should().Contain("current stage");
    }

    [Theory]
    [InlineData("b2b-seven-step")]
    [InlineData("showroom-ten-step")]
    [InlineData("retail-four-stage")]
    public async Task Simulate_SameSeedTwice_StoresTheDealsWithTheSameOutcomes(string pipeline)
    {
        var first = await RunPipedAsync("simulate", pipeline, "--deals", "120", "--seed", "7", "--db", Db);
        var second = await RunPipedAsync("simulate", pipeline, "--deals", "120", "--seed", "7", "--db", Path.Combine(_folder, "again.db"));
        var stored = await RunPipedAsync("deals", "--db", Db);

        first.Exit.Should().Be(0, first.Output);
        Summary(first.Output).Should().Be(Summary(second.Output)).And.MatchRegex(@"^Won \d+, lost \d+, still open \d+");
        stored.Output.Split('\n').Count(l => l.Contains($"│ {pipeline} ")).Should().Be(120);
        var won = int.Parse(System.Text.RegularExpressions.Regex.Match(Summary(first.Output), @"Won (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        won.Should().BeInRange(1, 60, "the built-in win probabilities make wins a minority, but some deals are won");

        static string Summary(string output) => output.Split('\n').Single(l => l.StartsWith("Won ", StringComparison.Ordinal)).Trim();
    }

    [Theory]
    [InlineData("simulate", "--deals", "0")]
    [InlineData("simulate", "my-own-pipeline")]
    [InlineData("simulate", "--deals")]
    [InlineData("simulate", "--deals", "many")]
    public async Task Simulate_BadArguments_ExitWithTwoAndTouchNoStore(params string[] args)
    {
        var (exit, output) = await RunAsync([.. args, "--db", Db]);

        exit.Should().Be(SalesFlowCli.UsageError, output);
        File.Exists(Db).Should().BeFalse();
    }

    [Fact]
    public async Task History_UnknownDeal_ExitsWithOne()
    {
        var (exit, output) = await RunPipedAsync("history", "nobody", "--db", Db);

        exit.Should().Be(1);
        output.Should().Contain("There is no deal 'nobody'");
    }

    [Theory]
    [InlineData("deals")]
    [InlineData("demo")]
    [InlineData("history", "acme-1127")]
    [InlineData("graph", "b2b-seven-step")]
    [InlineData("simulate", "--deals", "5")]
    [InlineData("report", "funnel")]
    [InlineData("import", "x.csv", "--map", "x.json")]
    public async Task Tenant_InvalidId_ExitsWithTwoAndAClearMessageAndTouchesNoStore(params string[] args)
    {
        foreach (var tenant in new[] { new string('t', Tenants.MaxIdLength + 1), " acme", "acme\t", "acme\u001b[2J" })
        {
            var (exit, output) = await RunPipedAsync([.. args, "--tenant", tenant, "--db", Db]);

            exit.Should().Be(SalesFlowCli.UsageError, output);
            output.Should().Contain("--tenant must be a tenant id: 1 to 64 characters").And.NotContain(" at SalesFlow", "no stack trace").And.NotContain("\u001b");
            File.Exists(Db).Should().BeFalse("a bad tenant must not create or change the store");
        }
    }

    [Fact]
    public async Task Tenant_WithoutAValue_ExitsWithTwo()
    {
        var (exit, output) = await RunAsync("deals", "--db", Db, "--tenant");

        exit.Should().Be(SalesFlowCli.UsageError, output);
        output.Should().Contain("'--tenant' needs a value");
    }

    [Fact]
    public async Task DealsHistoryAndGraph_OfOneTenant_FindOnlyThatTenantsDeals()
    {
        var demo = await RunPipedAsync("demo", "--db", Db, "--tenant", "acme");
        var acme = await RunPipedAsync("deals", "--db", Db, "--tenant", "acme");
        var globex = await RunPipedAsync("deals", "--db", Db, "--tenant", "globex");
        var byDefault = await RunPipedAsync("deals", "--db", Db);
        var id = acme.Output.Split('\n').Select(l => l.Split('│', StringSplitOptions.TrimEntries)).First(c => c.Length > 2 && c[1].StartsWith("visit-", StringComparison.Ordinal))[1];

        demo.Exit.Should().Be(0, demo.Output);
        demo.Output.Should().Contain("tenant acme; after this run it holds 6 deal(s)");
        acme.Output.Split('\n').Count(l => l.StartsWith("│ ", StringComparison.Ordinal)).Should().Be(7, "a header and the demo's six deals");
        globex.Output.Should().Contain("No deals stored yet in SQLite file").And.Contain("tenant globex");
        byDefault.Output.Should().Contain("No deals stored yet");
        (await RunPipedAsync("history", id, "--db", Db, "--tenant", "acme")).Exit.Should().Be(0);
        (await RunPipedAsync("history", id, "--db", Db, "--tenant", "globex")).Output.Should().Contain($"There is no deal '{id}'");
        (await RunPipedAsync("graph", "retail-four-stage", "--deal", id, "--db", Db, "--tenant", "globex")).Exit.Should().Be(1);
    }

    private static string RepoFile(params string[] parts)
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "SalesFlow.sln")))
        {
            dir = Path.GetDirectoryName(dir)!;
        }

        return Path.Combine([dir, .. parts]);
    }
}
