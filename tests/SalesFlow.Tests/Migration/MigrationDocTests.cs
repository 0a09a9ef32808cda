namespace SalesFlow.Tests.Migration;

/// <summary>The example of docs/migration.md, verbatim between the markers; keep both in sync.</summary>
public class MigrationDocTests
{
    // docs/migration:start
    public sealed record Renewal
    {
        public bool BudgetConfirmed { get; init; }

        public bool Signed { get; init; }
    }

    public static async Task<MigrationResult> MigrateRenewalsAsync(TextWriter output)
    {
        // Version 1: open -> negotiation -> won, or lost.
        var v1 = PipelineBuilder.Create<Renewal>("renewals", version: 1)
            .Stage("open").Stage("negotiation").Stage("won", s => s.Won()).Stage("lost", s => s.Lost())
            .Transition("advance", from: "open", to: "negotiation")
            .Transition("sign", from: "negotiation", to: "won").When("contract.signed", d => d.Signed, "Contract not signed")
            .Transition("lose", from: ["open", "negotiation"], to: "lost")
            .Build();

        // Version 2: "negotiation" becomes "proposal", and getting there needs a confirmed budget.
        var v2 = PipelineBuilder.Create<Renewal>("renewals", version: 2)
            .Stage("open").Stage("proposal").Stage("won", s => s.Won()).Stage("lost", s => s.Lost())
            .Transition("advance", from: "open", to: "proposal").When("budget.confirmed", d => d.BudgetConfirmed, "Budget not confirmed")
            .Transition("sign", from: "proposal", to: "won").When("contract.signed", d => d.Signed, "Contract not signed")
            .Transition("lose", from: ["open", "proposal"], to: "lost")
            .Build();

        var registry = new PipelineRegistry(v1);
        var engine = new SalesFlowEngine(registry, new InMemoryDealStore());
        await engine.StartAsync("renewals", "r-1", new Renewal(), actor: "alice");
        await engine.FireAsync("r-1", "advance", new FireRequest("alice"));

        // Register v2 next to v1: new deals start on v2; r-1 stays on v1 until it is migrated.
        registry.Add(v2);
        await engine.StartAsync("renewals", "r-2", new Renewal(), actor: "alice");

        output.WriteLine(PipelineDiff.Compare(v1, v2));

        var migration = new PipelineMigration("renewals", fromVersion: 1, toVersion: 2)
            .MapStage("negotiation", "proposal");
        var plan = await engine.PlanMigrationAsync(migration);          // a dry run: writes nothing
        output.WriteLine(plan);

        var result = await engine.ApplyMigrationAsync(migration, actor: "admin");
        output.WriteLine(result);
        return result;
    }
    // docs/migration:end

    [Fact]
    public async Task MigrateRenewalsAsync_MovesTheOldDealToProposal()
    {
        using var output = new StringWriter();

        var result = await MigrateRenewalsAsync(output);

        result.Migrated.Should().Be(1);
        result.Deals.Should().ContainSingle().Which.Deal!.Should().Match<Deal>(d => d.Id == "r-1" && d.PipelineVersion == 2 && d.StageId == "proposal");
        output.ToString().Should().Contain("r-1: negotiation -> proposal (Migrate); unmet: budget.confirmed");
    }

    [Fact]
    public async Task MigrationDoc_ShowsTheExampleOutput()
    {
        using var output = new StringWriter();
        await MigrateRenewalsAsync(output);
        var doc = File.ReadAllText(Path.Combine(QuickstartTests.FindRepositoryRoot(), "docs", "migration.md"));

        foreach (var line in output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0))
        {
            doc.Should().Contain(line, "docs/migration.md shows what the example prints");
        }
    }

    [Fact]
    public void MigrationDoc_ContainsTheExampleVerbatim()
    {
        var root = QuickstartTests.FindRepositoryRoot();
        var source = File.ReadAllText(Path.Combine(root, "tests", "SalesFlow.Tests", "Migration", "MigrationDocTests.cs"));
        var doc = File.ReadAllText(Path.Combine(root, "docs", "migration.md"));
        var start = source.IndexOf("// docs/migration:start", StringComparison.Ordinal);
        var end = source.IndexOf("    // docs/migration:end", StringComparison.Ordinal);
        var lines = source[start..end].Split('\n').Skip(1).Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();

        lines.Should().HaveCountGreaterThan(20);
        var position = 0;
        foreach (var line in lines.Select(l => l.Length >= 4 ? l[4..] : l.TrimStart()))
        {
            var found = doc.IndexOf(line, position, StringComparison.Ordinal);
            found.Should().BeGreaterThanOrEqualTo(0, $"docs/migration.md must match the compiled copy in MigrationDocTests, in order (line: {line.Trim()})");
            position = found + line.Length;
        }
    }
}
