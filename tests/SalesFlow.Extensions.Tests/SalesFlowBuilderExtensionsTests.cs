using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SalesFlow.Extensions.Tests.Support;

namespace SalesFlow.Extensions.Tests;

public class SalesFlowBuilderExtensionsTests
{
    [Fact]
    public void Methods_NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddSalesFlow();
        ISalesFlowBuilder none = null!;

        FluentActions.Invoking(() => none.UseInMemoryStore()).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => none.UseStore<HostDealStore>()).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => builder.UseStore(null!)).Should().Throw<ArgumentNullException>().WithParameterName("factory");
        FluentActions.Invoking(() => builder.AddPipeline((PipelineDefinition)null!)).Should().Throw<ArgumentNullException>().WithParameterName("definition");
        FluentActions.Invoking(() => builder.AddPipeline((Func<IServiceProvider, PipelineDefinition>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("factory");
        FluentActions.Invoking(() => none.AddHook<CountingHook>()).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => builder.AddHook(null!)).Should().Throw<ArgumentNullException>().WithParameterName("hook");
        FluentActions.Invoking(() => builder.Configure(null!)).Should().Throw<ArgumentNullException>().WithParameterName("configure");
        FluentActions.Invoking(() => builder.BindConfiguration(" ")).Should().Throw<ArgumentException>().WithParameterName("sectionPath");
    }

    [Fact]
    public void UseStore_StoreAlreadyChosen_ThrowsNamingBothStores()
    {
        var builder = new ServiceCollection().AddSalesFlow().UseStore<HostDealStore>();

        var act = () => builder.UseInMemoryStore();

        act.Should().Throw<InvalidOperationException>().WithMessage("*HostDealStore*in-memory (UseInMemoryStore)*");
    }

    [Fact]
    public void UseStore_Factory_IsASingletonThatSeesEveryPipeline()
    {
        IReadOnlyCollection<PipelineDefinition>? seen = null;
        var services = new ServiceCollection();
        services.AddSalesFlow()
            .AddPipeline(LeadPipeline.Build())
            .UseStore(sp =>
            {
                seen = sp.GetRequiredService<PipelineRegistry>().All;
                return new InMemoryDealStore();
            });
        using var provider = services.BuildServiceProvider();

        var first = provider.GetRequiredService<IDealStore>();

        provider.GetRequiredService<IDealStore>().Should().BeSameAs(first);
        seen!.Select(p => p.Id).Should().Equal(LeadPipeline.Id);
        services.Single(d => d.ServiceType == typeof(IDealStore)).Lifetime.Should().Be(ServiceLifetime.Singleton);
    }

    [Fact]
    public void AddPipeline_SameInstanceTwice_RegistersItOnce()
    {
        var pipeline = LeadPipeline.Build();
        var services = new ServiceCollection();
        var builder = services.AddSalesFlow().AddPipeline(pipeline).AddPipeline(pipeline);
        builder.AddPipeline(LeadPipeline.Build("other"));
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<PipelineRegistry>().All.Select(p => p.Id).Should().BeEquivalentTo(LeadPipeline.Id, "other");
    }

    [Fact]
    public void AddPipeline_Factory_ResolvesServicesAndRunsOnce()
    {
        var calls = 0;
        var services = new ServiceCollection();
        services.AddSingleton(new PipelineName("from-di"));
        services.AddSalesFlow().AddPipeline(sp =>
        {
            calls++;
            return LeadPipeline.Build(sp.GetRequiredService<PipelineName>().Value);
        }).UseInMemoryStore();
        using var provider = services.BuildServiceProvider();

        _ = provider.GetRequiredService<SalesFlowEngine>();
        var registry = provider.GetRequiredService<PipelineRegistry>();

        registry.Get("from-di").Version.Should().Be(1);
        calls.Should().Be(1);
    }

    [Fact]
    public async Task AddHook_Type_ResolvesOneScopePerMoveSharedByBothPhases()
    {
        var services = new ServiceCollection();
        services.AddSingleton<HookRecorder>();
        services.AddScoped<MoveUnitOfWork>();
        services.AddSalesFlow().AddPipeline(LeadPipeline.Build()).AddHook<UnitOfWorkHook>().UseInMemoryStore();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData { Qualified = true }, "alice");

        (await engine.FireAsync("d1", "qualify", new FireRequest("alice"))).EnsureAccepted();
        (await engine.FireAsync("d1", "win", new FireRequest("alice"))).EnsureAccepted();

        var calls = provider.GetRequiredService<HookRecorder>().Calls;
        calls.Select(c => (c.Phase, c.Trigger)).Should().Equal(
            ("transitioning", "qualify"), ("transitioned", "qualify"), ("transitioning", "win"), ("transitioned", "win"));
        calls[0].UnitOfWork.Should().BeSameAs(calls[1].UnitOfWork, "both phases of one move share its scope");
        calls[2].UnitOfWork.Should().BeSameAs(calls[3].UnitOfWork);
        calls[0].UnitOfWork.Should().NotBeSameAs(calls[2].UnitOfWork, "each move gets a new scope");
        calls.Should().OnlyContain(c => c.UnitOfWork.Disposed, "the scope is disposed when the move ends");
    }

    [Fact]
    public async Task AddHook_TypeTwice_RunsOncePerPhase()
    {
        var services = new ServiceCollection();
        services.AddSingleton<HookRecorder>();
        services.AddScoped<MoveUnitOfWork>();
        services.AddSalesFlow().AddPipeline(LeadPipeline.Build()).AddHook<UnitOfWorkHook>().AddHook<UnitOfWorkHook>().UseInMemoryStore();
        services.AddSalesFlow().AddHook<UnitOfWorkHook>();
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData { Qualified = true }, "alice");

        (await engine.FireAsync("d1", "qualify", new FireRequest("alice"))).EnsureAccepted();

        provider.GetRequiredService<HookRecorder>().Calls.Should().HaveCount(2);
        services.Count(d => d.ServiceType == typeof(UnitOfWorkHook)).Should().Be(1);
    }

    [Fact]
    public async Task AddHook_TypeThrowingBeforeSave_AbortsTheMoveAndDisposesTheScope()
    {
        var services = new ServiceCollection();
        services.AddSingleton<HookRecorder>();
        services.AddScoped<MoveUnitOfWork>();
        services.AddSalesFlow().AddPipeline(LeadPipeline.Build()).AddHook<UnitOfWorkHook>().AddHook<VetoHook>().UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData { Qualified = true }, "alice");

        var result = await engine.FireAsync("d1", "qualify", new FireRequest("alice"));

        result.Status.Should().Be(FireStatus.Aborted);
        result.FailedHook!.HookName.Should().Be(nameof(VetoHook));
        (await engine.GetAsync("d1")).StageId.Should().Be("new");
        provider.GetRequiredService<HookRecorder>().Calls.Should().ContainSingle().Which.UnitOfWork.Disposed.Should().BeTrue();
    }

    [Fact]
    public async Task AddHook_RefusedMove_OpensNoScope()
    {
        var created = 0;
        var services = new ServiceCollection();
        services.AddSingleton<HookRecorder>();
        services.AddScoped(_ =>
        {
            Interlocked.Increment(ref created);
            return new MoveUnitOfWork();
        });
        services.AddSalesFlow().AddPipeline(LeadPipeline.Build()).AddHook<UnitOfWorkHook>().UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData(), "alice");
        created.Should().Be(1, "the start ran its hooks in a scope of its own");
        created = 0;

        var result = await engine.FireAsync("d1", "qualify", new FireRequest("alice"));

        result.Status.Should().Be(FireStatus.Rejected);
        created.Should().Be(0);
    }

    [Fact]
    public async Task AddHook_Instance_RunsAroundEveryMoveOnce()
    {
        var hook = new CountingHook();
        var services = new ServiceCollection();
        services.AddSalesFlow().AddPipeline(LeadPipeline.Build()).AddHook(hook).AddHook(hook).UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData { Qualified = true }, "alice");

        (await engine.FireAsync("d1", "qualify", new FireRequest("alice"))).EnsureAccepted();
        (await engine.FireAsync("d1", "win", new FireRequest("alice"))).EnsureAccepted();

        hook.Transitioned.Should().Be(2);
    }

    [Fact]
    public void Configure_AfterAddSalesFlow_ChangesTheOptions()
    {
        var authorizer = DealAuthorizer.From(_ => AuthorizationDecision.Allow);
        var services = new ServiceCollection();
        services.AddSalesFlow().Configure(o => o.Authorizer = authorizer);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IOptions<SalesFlowEngineOptions>>().Value.Authorizer.Should().BeSameAs(authorizer);
    }

    public sealed record PipelineName(string Value);
}
