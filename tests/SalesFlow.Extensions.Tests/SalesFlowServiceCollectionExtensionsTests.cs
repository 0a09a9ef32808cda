using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SalesFlow.Extensions.Tests.Support;

namespace SalesFlow.Extensions.Tests;

public class SalesFlowServiceCollectionExtensionsTests
{
    [Fact]
    public void AddSalesFlow_NullServices_Throws()
    {
        var act = () => SalesFlowServiceCollectionExtensions.AddSalesFlow(null!);
        act.Should().Throw<ArgumentNullException>().WithParameterName("services");
    }

    [Fact]
    public void AddSalesFlow_NullConfiguration_Throws()
    {
        var act = () => new ServiceCollection().AddSalesFlow((IConfiguration)null!);
        act.Should().Throw<ArgumentNullException>().WithParameterName("configuration");
    }

    [Fact]
    public async Task AddSalesFlow_WithInMemoryStore_ResolvesEngineThatMovesADeal()
    {
        var services = new ServiceCollection();
        services.AddSalesFlow().AddPipeline(LeadPipeline.Build()).UseInMemoryStore();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        var engine = provider.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData { Qualified = true }, "alice");
        var result = await engine.FireAsync("d1", "qualify", new FireRequest("alice"));

        result.Status.Should().Be(FireStatus.Accepted);
        result.Deal.StageId.Should().Be("qualified");
        engine.Store.Should().BeOfType<InMemoryDealStore>().And.BeSameAs(provider.GetRequiredService<IDealStore>());
        engine.Pipelines.Should().BeSameAs(provider.GetRequiredService<PipelineRegistry>());
        provider.GetRequiredService<SalesFlowEngine>().Should().BeSameAs(engine);
    }

    [Fact]
    public void AddSalesFlow_CalledTwice_RegistersEachServiceOnce()
    {
        var services = new ServiceCollection();
        services.AddSalesFlow().UseInMemoryStore().AddPipeline(LeadPipeline.Build());
        var countAfterFirst = services.Count;

        services.AddSalesFlow();

        services.Count(d => d.ServiceType == typeof(SalesFlowEngine)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(PipelineRegistry)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IDealStore)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(TimeProvider)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IValidateOptions<SalesFlowEngineOptions>)).Should().Be(1);
        services.Count.Should().Be(countAfterFirst, "the second call adds no service");
    }

    [Fact]
    public void AddSalesFlow_CalledTwiceWithConfigure_AppliesBoth()
    {
        var services = new ServiceCollection();
        services.AddSalesFlow(o => o.ConflictRetryCount = 7);
        services.AddSalesFlow(o => o.OverrideActors.Add("manager"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<SalesFlowEngineOptions>>().Value;

        options.ConflictRetryCount.Should().Be(7);
        options.OverrideActors.Should().Equal("manager");
    }

    [Fact]
    public async Task AddSalesFlow_HostRegistrationsBefore_Win()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var store = new HostDealStore();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IDealStore>(store);
        var builder = services.AddSalesFlow().AddPipeline(LeadPipeline.Build());
        builder.Invoking(b => b.UseInMemoryStore()).Should().Throw<InvalidOperationException>()
            .WithMessage("*HostDealStore*UseInMemoryStore*", "a second store is an error naming both, never a silent choice");
        await using var provider = services.BuildServiceProvider();

        var engine = provider.GetRequiredService<SalesFlowEngine>();
        var deal = await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData(), "alice");

        engine.Store.Should().BeSameAs(store);
        deal.CreatedAt.Should().Be(time.GetUtcNow());
        (await store.GetAsync("d1")).Should().NotBeNull();
    }

    [Fact]
    public async Task AddSalesFlow_HostRegistrationsAfter_Win()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSalesFlow().AddPipeline(LeadPipeline.Build()).UseInMemoryStore();
        services.AddSingleton<TimeProvider>(time);
        services.AddLogging(b => b.AddFakeLogging());
        await using var provider = services.BuildServiceProvider();

        var engine = provider.GetRequiredService<SalesFlowEngine>();
        var deal = await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData(), "alice");

        deal.CreatedAt.Should().Be(time.GetUtcNow());
        provider.GetFakeLogCollector().GetSnapshot().Should().Contain(r => r.Id.Id == 1000 && r.Category == "SalesFlow.Engine");
    }

    [Fact]
    public void AddSalesFlow_HostLoggerFactory_IsUsedByTheEngine()
    {
        var provider = new FakeLoggerProvider();
        using var loggerFactory = new LoggerFactory([provider]);
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(loggerFactory);
        services.AddSalesFlow().AddPipeline(LeadPipeline.Build()).UseInMemoryStore();
        using var sp = services.BuildServiceProvider();

        _ = sp.GetRequiredService<SalesFlowEngine>();

        provider.Collector.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 1100);
    }

    [Fact]
    public void AddSalesFlow_WithoutStore_ResolvingEngineSaysWhatToDo()
    {
        var services = new ServiceCollection();
        services.AddSalesFlow().AddPipeline(LeadPipeline.Build());
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<SalesFlowEngine>();

        act.Should().Throw<InvalidOperationException>().WithMessage("*UseInMemoryStore()*UseSqliteStore*");
    }

    [Fact]
    public async Task AddSalesFlow_HostRegistry_WinsAndGetsTheBuilderPipelines()
    {
        var hostPipeline = LeadPipeline.Build("host-leads");
        var registry = new PipelineRegistry(hostPipeline);
        var services = new ServiceCollection();
        services.AddSingleton(registry);
        services.AddSalesFlow().AddPipeline(LeadPipeline.Build()).UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();

        var engine = provider.GetRequiredService<SalesFlowEngine>();

        engine.Pipelines.Should().BeSameAs(registry);
        registry.All.Select(p => p.Id).Should().BeEquivalentTo("host-leads", LeadPipeline.Id);
    }

    [Fact]
    public void AddSalesFlow_Configuration_BindsEveryOption()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SalesFlow:ConflictRetryCount"] = "9",
            ["SalesFlow:OverrideActors:0"] = "sales-manager",
            ["SalesFlow:OverrideActors:1"] = "director",
            ["SalesFlow:OverrideRoles:0"] = "pricing-desk",
            ["SalesFlow:ShowroomFollowUp:GradeA"] = "1.00:00:00",
            ["SalesFlow:ShowroomFollowUp:GradeB"] = "3.00:00:00",
            ["SalesFlow:ShowroomFollowUp:GradeC"] = "10.00:00:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddSalesFlow(configuration.GetSection("SalesFlow"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<SalesFlowEngineOptions>>().Value;

        options.ConflictRetryCount.Should().Be(9);
        options.OverrideActors.Should().Equal("sales-manager", "director");
        options.OverrideRoles.Should().Equal("pricing-desk");
        var cadence = provider.GetRequiredService<IOptions<ShowroomFollowUpOptions>>().Value;
        cadence.GradeA.Should().Be(TimeSpan.FromDays(1));
        cadence.GradeB.Should().Be(TimeSpan.FromDays(3));
        cadence.GradeC.Should().Be(TimeSpan.FromDays(10));
    }

    [Fact]
    public async Task AddSalesFlow_OverrideActorsFromOptions_AllowsThemToForceAMove()
    {
        var services = new ServiceCollection();
        services.AddSalesFlow(o => o.OverrideActors.Add("manager")).AddPipeline(LeadPipeline.Build()).UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData(), "alice");
        await engine.StartAsync(LeadPipeline.Id, "d2", new LeadData(), "alice");

        var denied = await engine.FireAsync("d1", "qualify", new FireRequest("alice") { OverrideJustification = "trust me" });
        var forced = await engine.FireAsync("d2", "qualify", new FireRequest("manager") { OverrideJustification = "CEO's referral" });

        denied.Status.Should().Be(FireStatus.Forbidden);
        denied.ForbiddenAction.Should().Be(DealAction.Override);
        forced.Status.Should().Be(FireStatus.Accepted);
        forced.Event!.OverriddenGuards.Should().Equal("lead.qualified");
    }

    [Fact]
    public async Task AddSalesFlow_ConflictRetryCountFromOptions_IsUsedByTheEngine()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IDealStore, AlwaysConflictingStore>();
        services.AddSalesFlow(o => o.ConflictRetryCount = 2).AddPipeline(LeadPipeline.Build());
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData { Qualified = true }, "alice");

        var result = await engine.FireAsync("d1", "qualify", new FireRequest("alice"));

        result.Status.Should().Be(FireStatus.Conflict);
        result.ConflictRetries.Should().Be(2);
    }
}
