using System.Collections.Immutable;
using CsCheck;
using Xunit.Abstractions;

namespace SalesFlow.Testing.Tests.TestPaths;

/// <summary>Guards written as data conditions (as JSON definitions write them) need no satisfier: the harness derives one.</summary>
public class ConditionSatisfiersTests(ITestOutputHelper output)
{
    public sealed record Item
    {
        public string Name { get; init; } = "";

        public bool Open { get; init; }
    }

    public sealed record TypedData
    {
        public int Score { get; init; }

        public string? Contact { get; init; }

        public DateOnly? Due { get; init; }

        public bool Blocked { get; init; }

        public ImmutableArray<Item> Items { get; init; } = [new Item { Name = "first", Open = true }];

        public ImmutableArray<string> Tags { get; init; } = [];
    }

    [Fact]
    public async Task RunAsync_TypedDataWithEveryKindOfCondition_DerivesEverySatisfier()
    {
        var pipeline = PipelineBuilder.Create<TypedData>("typed")
            .Stage("a", s => s.Guidance("g"))
            .Stage("b", s => s.Guidance("g"))
            .Stage("won", s => s.Won())
            .Stage("lost", s => s.Lost())
            .Transition("next", "a", "b")
                .When("score", GuardCondition.AtLeast("Score", 70), "Score below 70")
                .When("contact", GuardCondition.Present("Contact"), "No contact")
                .When("items", GuardCondition.None("Items", GuardCondition.Equal("Open", true)), "An item is open")
            .Transition("win", "b", "won")
                .When("due", GuardCondition.AtMost("Due", new DateOnly(2026, 6, 30)), "Due too late")
                .When("not-blocked", GuardCondition.Not(GuardCondition.Equal("Blocked", true)), "Blocked")
                .When("tagged", GuardCondition.Any(GuardCondition.Present("Tags"), GuardCondition.Equal("Score", 99)), "Not tagged")
            .Transition("escalate", "b", "lost")
                .When("blocked", GuardCondition.Equal("Blocked", true), "Not blocked")
            .Transition("escalate", "b", "won")
                .When("vip", GuardCondition.All(GuardCondition.AtLeast("Score", 90), GuardCondition.Absent("Contact")), "Not a VIP")
            .Transition("lose", ["a", "b"], "lost")
            .ReturnTransition("reopen", "lost")
            .Build();

        var report = await new TestPathHarness<TypedData>(pipeline, new TypedData { Blocked = true }, new GuardSatisfiers()).RunAsync();

        report.Plan.IsComplete.Should().BeTrue();
        report.StepsFired.Should().Be(report.Plan.StepCount);
        var fired = new List<DealEvent>();
        foreach (var id in report.DealIds)
        {
            fired.AddRange((await report.Engine.GetHistoryAsync(id)).Where(e => e.Kind == DealEventKind.Transition));
        }

        fired.Select(e => (e.Trigger, e.ToStage)).Should().Contain([("escalate", "lost"), ("escalate", "won"), ("win", "won"), ("reopen", "b")]);
    }

    [Fact]
    public async Task RunAsync_ConditionThatNoDataCanMeet_FailsWithAClearMessage()
    {
        var pipeline = PipelineBuilder.Create<TypedData>("impossible")
            .Stage("a", s => s.Guidance("g")).Stage("won", s => s.Won()).Stage("lost", s => s.Lost())
            .Transition("win", "a", "won").When("never", GuardCondition.All(GuardCondition.Equal("Score", 1), GuardCondition.Equal("Score", 2)), "Never")
            .Transition("lose", "a", "lost")
            .Build();

        var act = async () => await new TestPathHarness<TypedData>(pipeline, new TypedData(), new GuardSatisfiers()).RunAsync();

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*'never'*register a satisfier for it by code*");
    }

    [Fact]
    public async Task GenerateAndRun_RandomJsonPipelinesWithConditionGuards_RunGreenWithoutAnySatisfier()
    {
        long graphs = 0, steps = 0, guards = 0;
        await Gen.Int[0, int.MaxValue].SampleAsync(async seed =>
        {
            var (pipeline, guardCount) = RandomConditionPipeline(seed);

            var plan = TestPathGenerator.Generate(pipeline);
            var report = await new TestPathHarness<JsonDealData>(pipeline, JsonDealData.Empty, new GuardSatisfiers()).RunAsync(plan);

            plan.IsComplete.Should().BeTrue();
            report.StepsFired.Should().Be(plan.StepCount);
            Interlocked.Increment(ref graphs);
            Interlocked.Add(ref steps, plan.StepCount);
            Interlocked.Add(ref guards, guardCount);
        }, iter: 150);

        output.WriteLine($"{graphs} random JSON pipelines, {guards} condition guards, {steps} steps, all accepted with derived satisfiers");
        graphs.Should().Be(150);
    }

    // A JSON pipeline on schemaless data: a chain of open stages, random jumps, alternatives told apart by conditions,
    // Lose from every open stage and Reopen; every guard a random condition over paths of its own.
    private static (PipelineDefinition<JsonDealData> Pipeline, int Guards) RandomConditionPipeline(int seed)
    {
        var random = new Random(seed);
        var leaf = 0;
        var guards = 0;
        var count = random.Next(2, 6);
        var open = Enumerable.Range(0, count).Select(i => $"s{i}").ToList();
        var builder = PipelineBuilder.Create<JsonDealData>("random-json");
        foreach (var stage in open)
        {
            builder.Stage(stage, s => s.Guidance("g"));
        }

        builder.Stage("won", s => s.Won()).Stage("lost", s => s.Lost());
        for (var i = 0; i < count; i++)
        {
            builder.Transition($"next{i}", open[i], i + 1 < count ? open[i + 1] : "won");
            Guard();
            if (random.Next(3) == 0)
            {
                // An alternative for the same trigger, told apart by a guard of its own on each side.
                builder.When($"alt{i}.first", Condition(0), "first alternative");
                builder.Transition($"next{i}", open[i], open[random.Next(count)]).When($"alt{i}.second", Condition(0), "second alternative");
                guards += 2;
            }
        }

        for (var j = random.Next(3); j > 0; j--)
        {
            builder.Transition($"jump{j}", open[random.Next(count)], open[random.Next(count)]);
            Guard();
        }

        builder.Transition("lose", open, "lost").ReturnTransition("reopen", "lost");
        builder.InternalAction("note", open[random.Next(count)]);
        Guard();
        return (builder.Build(), guards);

        void Guard()
        {
            for (var g = random.Next(3); g > 0; g--)
            {
                builder.When($"g{leaf}", Condition(0), "r");
                guards++;
            }
        }

        GuardCondition Condition(int depth)
        {
            var path = $"p{leaf++}.v";
            return (depth > 1 ? random.Next(6) : random.Next(10)) switch
            {
                0 => GuardCondition.Present(path),
                1 => GuardCondition.Absent(path),
                2 => GuardCondition.Equal(path, random.Next(2) == 0 ? true : "yes"),
                3 => GuardCondition.AtLeast(path, random.Next(100)),
                4 => GuardCondition.AtMost(path, "2026-0" + random.Next(1, 9) + "-15"),
                5 => GuardCondition.None(path, GuardCondition.Equal("open", true)),
                6 => GuardCondition.All(Condition(depth + 1), Condition(depth + 1)),
                7 => GuardCondition.Any(Condition(depth + 1), Condition(depth + 1)),
                8 => GuardCondition.Not(Condition(depth + 1)),
                _ => GuardCondition.Equal(path, random.Next(10)),
            };
        }
    }
}
