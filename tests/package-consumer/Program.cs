using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using SalesFlow;
using SalesFlow.PackageConsumer;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Sqlite;

// Runs the README's code against the packed packages; any mismatch is printed and the exit code is 1.
// Usage: SalesFlow.PackageConsumer [REPOSITORY_ROOT]  (with the root, the README regions are also checked verbatim)
var failures = new List<string>();
void Check(bool condition, string what)
{
    Console.WriteLine($"{(condition ? "ok  " : "FAIL")} {what}");
    if (!condition)
    {
        failures.Add(what);
    }
}

// 1. The quickstart: a custom pipeline, a refused move (it prints the unmet guards), then the accepted move.
var printed = new StringWriter();
var console = Console.Out;
Console.SetOut(printed);
Deal won;
try
{
    won = await ReadmeSnippets.RunQuickstartAsync();
}
finally
{
    Console.SetOut(console);
}

var refusals = printed.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
Check(refusals.Select(l => l.Split(':')[0]).Order(StringComparer.Ordinal).SequenceEqual(["checklist.call-logged", "contract.signed"]),
    "quickstart: the refused move names both unmet guards: " + string.Join(" | ", refusals));
Check(won.StageId == "won" && won.Outcome == StageKind.Won, $"quickstart: then the deal is won (stage {won.StageId})");
Check(won.LastSequence == 4, $"quickstart: four events (start, checklist, update, move), got {won.LastSequence}");

Check(ReadmeSnippets.BuiltIn().All.Count == 3, "built-in processes: three registered");

// 2. The SQLite store by hand (no dependency injection), on a temporary file, then reopened.
var folder = Directory.CreateTempSubdirectory("salesflow-consumer-");
try
{
    var file = Path.Combine(folder.FullName, "deals.db");
    var walkIn = await ReadmeSnippets.MeetWalkInAsync(file);
    Check(walkIn.StageId == RetailStages.Curious, $"SQLite by hand: the walk-in moved to {RetailStages.Curious} (got {walkIn.StageId})");

    var registry = new PipelineRegistry(SalesPipelines.All);
    await using (var reopened = new SqliteDealStore(registry, new SqliteDealStoreOptions { DataSource = file }))
    {
        var found = await reopened.GetAsync("walk-in-1");
        Check(found is not null && found.StageId == RetailStages.Curious && found.LastSequence == walkIn.LastSequence,
            $"SQLite by hand: a new store on the same file finds the deal (stage {found?.StageId}, sequence {found?.LastSequence})");
    }

    // 3. Dependency injection: AddSalesFlow + UseSqliteStore in a real ServiceProvider, on another file.
    var diFile = Path.Combine(folder.FullName, "di.db");
    await using (var provider = ReadmeSnippets.BuildServices(diFile))
    {
        Check(provider.GetRequiredService<IDealStore>() is SqliteDealStore, "DI: the container's store is the SQLite store");
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(SalesPipelines.SevenStepB2BId, "acme-1", new SalesFlow.Pipelines.B2B.B2BDeal(), actor: "alice");
        var started = await engine.GetAsync("acme-1");
        Check(started.PipelineId == SalesPipelines.SevenStepB2BId, $"DI: the engine started a B2B deal in {started.StageId}");
    }

    await using (var provider = ReadmeSnippets.BuildServices(diFile))
    {
        var again = await provider.GetRequiredService<SalesFlowEngine>().GetAsync("acme-1");
        Check(again.LastSequence >= 1, "DI: a second container on the same file finds the deal");
    }

    // The store package stands without dependency injection (its DI registration is SalesFlow.Extensions.Sqlite).
    var storeReferences = typeof(SqliteDealStore).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
    Check(!storeReferences.Any(n => n.StartsWith("Microsoft.Extensions.DependencyInjection", StringComparison.Ordinal)
                                 || n.StartsWith("Microsoft.Extensions.Hosting", StringComparison.Ordinal)
                                 || n == "SalesFlow.Extensions"),
        "SalesFlow.Sqlite references no DI or hosting assembly: " + string.Join(", ", storeReferences.Order(StringComparer.Ordinal)));
    Check(typeof(SqliteDealStore).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>() is not null, "the packed assembly carries its version");
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    folder.Delete(recursive: true);
}

// 4. With the repository root: each README region of ReadmeSnippets.cs appears in README.md, in order.
if (args.Length > 0)
{
    var readme = File.ReadAllText(Path.Combine(args[0], "README.md"));
    var source = File.ReadAllText(Path.Combine(args[0], "tests", "package-consumer", "ReadmeSnippets.cs"));
    foreach (var region in new[] { "quickstart", "built-in", "sqlite-by-hand", "sqlite-di" })
    {
        var startMarker = $"// README:{region}:start";
        var start = source.IndexOf(startMarker, StringComparison.Ordinal);
        var end = source.IndexOf($"// README:{region}:end", StringComparison.Ordinal);
        var lines = source[(start + startMarker.Length)..end].Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        var indent = lines.Min(l => l.Length - l.TrimStart().Length);
        var position = 0;
        var missing = lines.Select(l => l[indent..]).FirstOrDefault(line =>
        {
            var found = readme.IndexOf(line, position, StringComparison.Ordinal);
            position = found < 0 ? position : found + line.Length;
            return found < 0;
        });
        Check(start >= 0 && end > start && lines.Count > 0 && missing is null,
            $"README shows the region '{region}' verbatim, in order" + (missing is null ? "" : $" (missing: {missing.Trim()})"));
    }
}

Console.WriteLine(failures.Count == 0 ? "package consumer: every check passed" : $"package consumer: {failures.Count} check(s) failed");
return failures.Count == 0 ? 0 : 1;
