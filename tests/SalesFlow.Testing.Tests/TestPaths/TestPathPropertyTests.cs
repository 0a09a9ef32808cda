using CsCheck;
using SalesFlow.Testing.Tests.Support;
using Xunit.Abstractions;

namespace SalesFlow.Testing.Tests.TestPaths;

/// <summary>Test paths of random valid pipelines cover every transition, and run green on a real engine.</summary>
public class TestPathPropertyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task GenerateAndRun_RandomPipelines_CoverEveryTransitionAndEveryStepIsAccepted()
    {
        long graphs = 0, transitions = 0, paths = 0, steps = 0, returns = 0, internals = 0, reentries = 0, refusals = 0;

        await RandomPipelines.Specs.SampleAsync(async spec =>
        {
            var pipeline = RandomPipelines.Build(spec);

            var plan = TestPathGenerator.Generate(pipeline);
            var report = await new TestPathHarness<FlagData>(pipeline, new FlagData(), RandomPipelines.Satisfiers()).RunAsync(plan);

            plan.Unreachable.Should().BeEmpty();
            var planned = plan.Paths.SelectMany(p => p.Steps).Select(s => s.Transition).ToHashSet();
            pipeline.Transitions.Should().OnlyContain(t => planned.Contains(t), "every transition is on a path");
            report.StepsFired.Should().Be(plan.StepCount);
            var fired = new List<DealEvent>();
            foreach (var id in report.DealIds)
            {
                fired.AddRange((await report.Engine.GetHistoryAsync(id)).Where(e => e.Kind == DealEventKind.Transition));
            }

            fired.Should().HaveCount(plan.StepCount, "every step is one accepted move");
            foreach (var t in pipeline.Transitions)
            {
                fired.Should().Contain(e => e.Trigger == t.Trigger && e.FromStage == t.From && (t.To == null || e.ToStage == t.To), $"{t} is fired");
            }

            Interlocked.Increment(ref graphs);
            Interlocked.Add(ref transitions, pipeline.Transitions.Count);
            Interlocked.Add(ref paths, plan.Paths.Count);
            Interlocked.Add(ref steps, plan.StepCount);
            var all = plan.Paths.SelectMany(p => p.Steps).ToList();
            Interlocked.Add(ref returns, all.Count(s => s.Kind == TransitionKind.Return));
            Interlocked.Add(ref internals, all.Count(s => s.Kind == TransitionKind.Internal));
            Interlocked.Add(ref reentries, all.Count(s => s.Kind == TransitionKind.Transition && s.From == s.To));
            Interlocked.Add(ref refusals, all.Sum(s => s.PrecedingAlternatives.Count));
        }, iter: 300);

        output.WriteLine($"{graphs} random pipelines: {transitions} transitions, all covered, by {paths} paths and {steps} steps "
            + $"({returns} returns, {internals} internal actions, {reentries} re-entries, {refusals} alternatives refused)");
        graphs.Should().Be(300);
        new[] { returns, internals, reentries, refusals }.Should().OnlyContain(n => n > 0, "the random pipelines exercise every kind of move");
    }
}
