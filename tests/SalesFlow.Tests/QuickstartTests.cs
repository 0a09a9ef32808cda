namespace SalesFlow.Tests;

/// <summary>The README quickstart, verbatim between the markers; keep both in sync.</summary>
public class QuickstartTests
{
    // README:quickstart:start
    public sealed record RenewalDeal
    {
        public bool Signed { get; init; }
    }

    public static async Task<Deal> RunQuickstartAsync()
    {
        var pipeline = PipelineBuilder.Create<RenewalDeal>("renewals", version: 1)
            .Stage("open", s => s.Name("Open").Probability(0.2).Checklist("call-logged", "Call logged", required: true))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("sign", from: "open", to: "won")
                .When("contract.signed", d => d.Signed, "Contract not signed")
            .Transition("lose", from: "open", to: "lost")
            .Build();

        var engine = new SalesFlowEngine(new PipelineRegistry(pipeline), new InMemoryDealStore());
        await engine.StartAsync("renewals", "deal-42", new RenewalDeal(), actor: "alice");

        var refused = await engine.FireAsync("deal-42", "sign", new FireRequest("alice"));
        foreach (var guard in refused.UnmetGuards)
        {
            Console.WriteLine($"{guard.Code}: {guard.Reason}");   // contract.signed, checklist.call-logged
        }

        await engine.CompleteChecklistItemAsync("deal-42", "call-logged", actor: "alice");
        await engine.UpdateAsync<RenewalDeal>("deal-42", d => d with { Signed = true }, actor: "alice");
        var signed = await engine.FireAsync("deal-42", "sign", new FireRequest("alice") { Note = "Signed on site" });
        return signed.EnsureAccepted().Deal;                      // throws a typed exception if refused
    }
    // README:quickstart:end

    [Fact]
    public async Task Quickstart_RunsAndWinsTheDeal()
    {
        var deal = await RunQuickstartAsync();

        deal.StageId.Should().Be("won");
        deal.Outcome.Should().Be(StageKind.Won);
        deal.LastSequence.Should().Be(4);
    }

    [Fact]
    public void Readme_ContainsTheQuickstartVerbatim()
    {
        var root = FindRepositoryRoot();
        var source = File.ReadAllText(Path.Combine(root, "tests", "SalesFlow.Tests", "QuickstartTests.cs"));
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var start = source.IndexOf("// README:quickstart:start", StringComparison.Ordinal);
        var end = source.IndexOf("    // README:quickstart:end", StringComparison.Ordinal);
        var lines = source[start..end].Split('\n').Skip(1).Select(l => l.Length >= 4 ? l[4..] : l.TrimStart()).Select(l => l.TrimEnd('\r'));

        var position = 0;
        foreach (var line in lines.Where(l => l.Trim().Length > 0))
        {
            var found = readme.IndexOf(line, position, StringComparison.Ordinal);
            found.Should().BeGreaterThanOrEqualTo(0, $"the README quickstart must match the compiled copy in QuickstartTests, in order (line: {line.Trim()})");
            position = found + line.Length;
        }
    }

    internal static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SalesFlow.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("SalesFlow.sln not found above the test output.");
    }
}
