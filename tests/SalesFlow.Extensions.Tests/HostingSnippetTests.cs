using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Retail;

namespace SalesFlow.Extensions.Tests;

/// <summary>The host wiring of docs/hosting.md, verbatim between the markers; keep both in sync.</summary>
public class HostingSnippetTests
{
    // docs/hosting:start
    public static IHost BuildHost(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddScoped<CrmUnitOfWork>();
        builder.Services.AddSalesFlow(builder.Configuration.GetSection("SalesFlow"))
            .AddBuiltInPipelines()              // or one by one: AddSevenStepB2B(), AddShowroom(), AddRetailFloor()
            .AddPipeline(_ => Renewals())       // your own definitions: instances or factories
            .AddHook<CrmSyncHook>()             // resolved from a new DI scope for every move
            .UseInMemoryStore();                // or UseSqliteStore(...) / UsePostgreSqlStore(...)
        return builder.Build();
    }

    public static async Task<FireResult> RunAsync(IHost host)
    {
        await host.StartAsync();                // invalid SalesFlow options fail here, every problem listed
        var engine = host.Services.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(SalesPipelines.RetailFloorId, "walk-in-1", new RetailDeal(), "seller-7");
        return await engine.FireAsync("walk-in-1", RetailTriggers.ShowsCuriosity, new FireRequest("seller-7"));
    }

    public static PipelineDefinition Renewals() =>
        PipelineBuilder.Create<RenewalTerms>("renewals", version: 1)
            .Stage("open", s => s.Name("Open"))
            .Stage("won", s => s.Won())
            .Stage("lost", s => s.Lost())
            .Transition("sign", from: "open", to: "won").When("contract.signed", d => d.Signed, "Contract not signed")
            .Transition("lose", from: "open", to: "lost")
            .Build();

    public sealed record RenewalTerms
    {
        public bool Signed { get; init; }
    }

    public sealed class CrmUnitOfWork
    {
        public List<string> Changes { get; } = [];
    }

    public sealed class CrmSyncHook(CrmUnitOfWork crm) : IDealHook
    {
        public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken) =>
            ValueTask.CompletedTask;

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken)
        {
            crm.Changes.Add($"{context.Event.DealId}: {context.FromStage} -> {context.ToStage}");
            return ValueTask.CompletedTask;
        }
    }
    // docs/hosting:end

    [Fact]
    public async Task RunAsync_TheDocumentedHost_MovesAWalkInCustomer()
    {
        using var host = BuildHost(["--environment", "Test", "--SalesFlow:ConflictRetryCount", "2"]);

        var result = await RunAsync(host);
        await host.StopAsync();

        result.Status.Should().Be(FireStatus.Accepted);
        result.Deal.StageId.Should().Be(RetailStages.Curious);
        host.Services.GetRequiredService<PipelineRegistry>().All.Select(p => p.Id).Should().Contain(["renewals", SalesPipelines.SevenStepB2BId]);
    }

    [Fact]
    public async Task BuildHost_InvalidOptionsOnTheCommandLine_FailsAtStart()
    {
        using var host = BuildHost(["--SalesFlow:ConflictRetryCount", "1000"]);

        var act = () => RunAsync(host);

        await act.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*ConflictRetryCount is 1000*");
    }

    [Fact]
    public void HostingDoc_ContainsTheSnippetVerbatim()
    {
        var root = FindRepositoryRoot();
        var source = File.ReadAllText(Path.Combine(root, "tests", "SalesFlow.Extensions.Tests", "HostingSnippetTests.cs"));
        var doc = File.ReadAllText(Path.Combine(root, "docs", "hosting.md"));
        var start = source.IndexOf("// docs/hosting:start", StringComparison.Ordinal);
        var end = source.IndexOf("    // docs/hosting:end", StringComparison.Ordinal);
        var lines = source[start..end].Split('\n').Skip(1).Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();

        lines.Should().HaveCountGreaterThan(20);
        foreach (var line in lines)
        {
            doc.Should().Contain(line.Length >= 4 ? line[4..] : line.TrimStart(), "docs/hosting.md must match the compiled copy in HostingSnippetTests");
        }
    }

    [Fact]
    public void Readme_ContainsTheHostWiringVerbatim()
    {
        var root = FindRepositoryRoot();
        var source = File.ReadAllText(Path.Combine(root, "tests", "SalesFlow.Extensions.Tests", "HostingSnippetTests.cs"));
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var start = source.IndexOf("    public static IHost BuildHost(string[] args)", StringComparison.Ordinal);
        var end = source.IndexOf("    public static async Task<FireResult> RunAsync(IHost host)", StringComparison.Ordinal);
        var lines = source[start..end].Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();

        lines.Should().HaveCountGreaterThan(8);
        foreach (var line in lines)
        {
            readme.Should().Contain(line.Length >= 4 ? line[4..] : line.TrimStart(), "README.md must show the host wiring compiled in HostingSnippetTests");
        }
    }

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SalesFlow.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("SalesFlow.sln not found above the test output folder.");
    }
}
