using System.Collections.Immutable;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Pipelines.Showroom;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Definitions;

public class DealDataShapeTests
{
    public sealed class MutableDeal
    {
        public string? Name { get; set; }

        public List<string> Tags { get; init; } = [];

        public int[] Scores { get; init; } = [];

        public Nested Inner { get; init; } = new();

        public Dictionary<string, string> Extra { get; init; } = [];

        public object? Anything { get; init; }

#pragma warning disable CA1051 // A public field is what this test needs.
        public int Counter;
#pragma warning restore CA1051
    }

    public sealed class Nested
    {
        public bool Flag { get; set; }

        public ImmutableArray<Leaf> Leaves { get; init; } = [];
    }

    public sealed class Leaf
    {
        public string Text { get; set; } = "";
    }

    public sealed record ImmutableDeal
    {
        public string? Name { get; init; }

        public ImmutableArray<string> Tags { get; init; } = [];

        public IReadOnlyList<int> Scores { get; init; } = [];

        public ImmutableDictionary<string, string> Extra { get; init; } = ImmutableDictionary<string, string>.Empty;

        public ImmutableRecord Inner { get; init; } = new() { Text = "root" };

        public int Count => Tags.Length;
    }

    public sealed record ImmutableRecord
    {
        public string Text { get; init; } = "x";

        public ImmutableList<ImmutableRecord> Children { get; init; } = [];
    }

    [Fact]
    public void Build_MutableDataType_ListsEverySettableMemberAndMutableCollectionByPath()
    {
        var act = () => Minimal<MutableDeal>().Build();

        var problems = act.Should().Throw<PipelineDefinitionException>().Which.Problems;
        problems.Should().ContainMatch("*MutableDeal.Name has a public setter*");
        problems.Should().ContainMatch("*MutableDeal.Tags is a mutable collection (List<String>)*");
        problems.Should().ContainMatch("*MutableDeal.Scores is a mutable collection*");
        problems.Should().ContainMatch("*MutableDeal.Extra is a mutable collection (Dictionary<String, String>)*");
        problems.Should().ContainMatch("*MutableDeal.Anything is typed object*");
        problems.Should().ContainMatch("*MutableDeal.Counter is a writable field*");
        problems.Should().ContainMatch("*MutableDeal.Inner.Flag has a public setter*");
        problems.Should().ContainMatch("*MutableDeal.Inner.Leaves[].Text has a public setter*");
        problems.Should().HaveCount(8);
    }

    [Fact]
    public void Build_ImmutableDataTypeWithCycleAndComputedMember_Succeeds()
    {
        var act = () => Minimal<ImmutableDeal>().Build();

        act.Should().NotThrow();
    }

    [Theory]
    [InlineData(typeof(B2BDeal))]
    [InlineData(typeof(ShowroomDeal))]
    [InlineData(typeof(RetailDeal))]
    [InlineData(typeof(RenewalData))]
    public void FindMutability_BuiltInDataTypes_FindsNothing(Type type)
    {
        DealDataShape.FindMutability(type).Should().BeEmpty();
    }

    [Fact]
    public void BuiltInDataTypes_HaveNoPublicSetterAnywhere()
    {
        // The defect this replaces: load a deal, set DataAs<B2BDeal>().Source, fire. No public member can be set after construction.
        var types = new[] { typeof(B2BDeal), typeof(BantAssessment), typeof(NeedsQuestion), typeof(Objection), typeof(CustomerFile), typeof(RepeatPurchase), typeof(ShowroomDeal), typeof(CheckOutDecision), typeof(RetailDeal) };

        var settable = types.SelectMany(t => t.GetProperties())
            .Where(p => p.SetMethod is { IsPublic: true } setter
                && !setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(System.Runtime.CompilerServices.IsExternalInit)))
            .Select(p => $"{p.DeclaringType!.Name}.{p.Name}");

        settable.Should().BeEmpty();
        types.SelectMany(t => t.GetProperties()).Select(p => p.PropertyType)
            .Should().NotContain(t => t.IsArray || (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>)));
    }

    [Fact]
    public async Task StartAsync_RequiredMemberNull_ThrowsTypedErrorNamingEveryPathAndSavesNothing()
    {
        var h = new Pipelines.PipelineHarness();

        var act = async () => await h.Engine.StartAsync(SalesPipelines.SevenStepB2BId, "b1", new B2BDeal { Bant = null!, CustomerFile = null!, DecisionMakers = default }, "alice");

        var error = (await act.Should().ThrowAsync<DealDataInvalidException>()).Which;
        error.DealId.Should().Be("b1");
        error.Problems.Should().HaveCount(3);
        error.Problems.Should().ContainMatch("B2BDeal.Bant is required*");
        error.Problems.Should().ContainMatch("B2BDeal.CustomerFile is required*");
        error.Problems.Should().ContainMatch("B2BDeal.DecisionMakers is required*");
        (await h.Store.GetAsync("b1")).Should().BeNull();
    }

    [Fact]
    public async Task UpdateAsync_ChangeLeavesRequiredMemberOrItemNull_ThrowsAndKeepsTheDeal()
    {
        var h = new Pipelines.PipelineHarness();
        await h.Engine.StartAsync(SalesPipelines.SevenStepB2BId, "b1", new B2BDeal(), "alice");

        var nullBant = async () => await h.Engine.UpdateAsync<B2BDeal>("b1", d => d with { Bant = null! }, "alice");
        var nullItem = async () => await h.Engine.UpdateAsync<B2BDeal>("b1", d => d with { Objections = d.Objections.Add(null!) }, "alice");
        var nullResult = async () => await h.Engine.UpdateAsync<B2BDeal>("b1", _ => null!, "alice");

        (await nullBant.Should().ThrowAsync<DealDataInvalidException>()).Which.Problems.Should().ContainSingle().Which.Should().StartWith("B2BDeal.Bant");
        (await nullItem.Should().ThrowAsync<DealDataInvalidException>()).Which.Problems.Should().ContainSingle().Which.Should().StartWith("B2BDeal.Objections[0]");
        await nullResult.Should().ThrowAsync<DealDataInvalidException>();
        (await h.Engine.GetHistoryAsync("b1")).Should().ContainSingle("nothing was saved");
        var moves = await h.Engine.GetAvailableMovesAsync("b1");
        moves.Should().NotBeEmpty("guards read complete data");
    }

    [Fact]
    public async Task StartAsync_KeepsTheCallersInstance_NothingIsCloned()
    {
        var t = new TestEngine();
        var data = new RenewalData { Counter = 1 };

        var started = await t.StartAsync(data: data);

        started.Data.Should().BeSameAs(data);
        (await t.Engine.GetAsync("deal-1")).Data.Should().BeSameAs(data, "immutable data is shared, never copied");
        (await t.FireAsync("ping")).Deal.Data.Should().BeSameAs(data, "a move does not copy the data either");
    }

    [Fact]
    public async Task FireAsync_GuardThrows_ThrowsGuardFailedNamingTheGuardAndSavesNothing()
    {
        var pipeline = PipelineBuilder.Create<RenewalData>("throwing")
            .Stage("open", s => s.Name("Open"))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("win", from: "open", to: "won")
                .When("contact.known", d => d.Contact!.Length > 0, "Contact unknown")
            .Transition("lose", from: "open", to: "lost")
            .Build();
        var engine = new SalesFlowEngine(new PipelineRegistry(pipeline), new InMemoryDealStore());
        await engine.StartAsync("throwing", "d1", new RenewalData { Contact = null }, "alice");

        var fire = async () => await engine.FireAsync("d1", "win", new FireRequest("alice"));
        var moves = async () => await engine.GetAvailableMovesAsync("d1");

        var error = (await fire.Should().ThrowAsync<GuardFailedException>()).Which;
        error.GuardCode.Should().Be("contact.known");
        error.DealId.Should().Be("d1");
        error.InnerException.Should().BeOfType<NullReferenceException>();
        await moves.Should().ThrowAsync<GuardFailedException>();
        (await engine.GetAsync("d1")).StageId.Should().Be("open");
        (await engine.FireAsync("d1", "lose", new FireRequest("alice"))).Accepted.Should().BeTrue("the pooled machine is still usable");
    }

    private static PipelineBuilder<TData> Minimal<TData>()
        where TData : class =>
        PipelineBuilder.Create<TData>("shape")
            .Stage("open", s => s.Name("Open"))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("win", from: "open", to: "won")
            .Transition("lose", from: "open", to: "lost");
}
