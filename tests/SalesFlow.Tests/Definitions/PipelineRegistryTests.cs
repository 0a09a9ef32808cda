using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Definitions;

public class PipelineRegistryTests
{
    private static PipelineDefinition<RenewalData> Version(int version) =>
        PipelineBuilder.Create<RenewalData>("p", version)
            .Stage("open").Stage("won", s => s.Won()).Stage("lost", s => s.Lost())
            .Transition("win", "open", "won").Transition("lose", "open", "lost").Build();

    [Fact]
    public void Get_WithoutVersion_ReturnsLatest()
    {
        var registry = new PipelineRegistry(Version(2), Version(1));

        registry.Get("p").Version.Should().Be(2);
        registry.Get("p", 1).Version.Should().Be(1);
        registry.All.Should().HaveCount(2);
    }

    [Fact]
    public void Add_SameInstanceTwice_IsIgnored_OtherInstanceSameVersion_Throws()
    {
        var v1 = Version(1);
        var registry = new PipelineRegistry(v1);

        registry.Add(v1).All.Should().HaveCount(1);
        registry.Invoking(r => r.Add(Version(1))).Should().Throw<InvalidOperationException>().WithMessage("*already registered*");
    }

    [Fact]
    public void Get_Unknown_ThrowsTypedException()
    {
        var registry = new PipelineRegistry();

        registry.Invoking(r => r.Get("nope")).Should().Throw<PipelineNotFoundException>().Which.PipelineId.Should().Be("nope");
        registry.Invoking(r => r.Get("nope", 3)).Should().Throw<PipelineNotFoundException>().Which.Version.Should().Be(3);
        registry.TryGet("nope", 1, out _).Should().BeFalse();
        registry.Invoking(r => r.Add(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task StartAsync_DealsStayPinnedToTheirVersion()
    {
        var registry = new PipelineRegistry(Version(1));
        var engine = new SalesFlowEngine(registry, new InMemoryDealStore());
        await engine.StartAsync("p", "old", new RenewalData(), "alice");
        registry.Add(Version(2));
        await engine.StartAsync("p", "new", new RenewalData(), "alice");

        (await engine.GetAsync("old")).PipelineVersion.Should().Be(1);
        (await engine.GetAsync("new")).PipelineVersion.Should().Be(2);
        var pinned = await engine.StartAsync("p", "pinned", new RenewalData(), new StartRequest("alice") { PipelineVersion = 1 });
        pinned.PipelineVersion.Should().Be(1);
        (await engine.FireAsync("old", "win", new FireRequest("alice"))).Accepted.Should().BeTrue();
    }
}
