using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Serialization;

/// <summary>Every valid definition exports to JSON and loads back to an equivalent one: generated definitions, run through the builder.</summary>
public sealed class PipelineJsonRoundTripTests
{
    private static readonly string[] CodeGuards = ["code.a", "code.b", "code.c"];
    private static readonly string[] Hooks = ["hook.audit", "hook.notify"];
    private static readonly string[] RenewalPaths = ["Signed", "BudgetConfirmed", "DecisionMakerKnown", "Contact", "Counter"];

    // Names and texts with characters that JSON must escape or that editors mangle.
    private const string TextChars = "abcXYZ019 ;{}:\"'\\/é中ß-\t";
    private static readonly string[] Texts = ["Qualification (first contact)", "Proposal & objections", "Ünïcödé « quotes »", "line\nbreak", "emoji 🎉"];

    [Fact]
    public void ExportThenLoad_GeneratedDefinitions_AreEquivalent()
    {
        Gen.Select(Gen.Int[2, 6], Gen.Int[0, int.MaxValue], Gen.Bool).Sample((openStages, seed, schemaless) =>
        {
            var original = schemaless ? Generate<JsonDealData>(openStages, seed) : Generate<RenewalData>(openStages, seed);
            var json = PipelineJson.Export(original);

            var result = PipelineJson.Load(json, PipelineComponents.From(original));

            result.Diagnostics.Where(d => d.IsError).Should().BeEmpty(json);
            var loaded = result.Definition!;
            PipelineJson.Export(loaded).Should().Be(json);
            Describe(loaded).Should().Be(Describe(original));
            SameGuardBehaviour(original, loaded, seed);
        }, iter: 150);
    }

    private static PipelineDefinition Generate<TData>(int openStages, int seed)
        where TData : class
    {
        var random = new Random(seed);
        var builder = PipelineBuilder.Create<TData>("gen-" + seed.ToString(CultureInfo.InvariantCulture), random.Next(1, 5))
            .Name(Text(random));
        var open = Enumerable.Range(0, openStages).Select(i => $"s{i}-{Id(random)}").ToList();
        var checklist = 0;
        foreach (var id in open)
        {
            builder.Stage(id, s =>
            {
                s.Name(Text(random)).Probability(Math.Round(random.NextDouble(), 3)).Guidance(Text(random));
                if (random.Next(3) == 0)
                {
                    s.IdleAfter(TimeSpan.FromMinutes(random.Next(1, 100_000)));
                }

                for (var i = random.Next(3); i > 0; i--)
                {
                    s.Checklist($"item-{checklist++}", Text(random), required: random.Next(2) == 0);
                }

                for (var i = random.Next(3); i > 0; i--)
                {
                    s.Metadata(Id(random), Text(random));
                }
            });
        }

        builder.Stage("won", s => s.Name("Won").Won()).Stage("lost", s => s.Name("Lost").Lost());
        if (random.Next(2) == 0)
        {
            builder.Stage("cancelled", s => s.Closed()).Transition("cancel", open[^1], "cancelled");
        }

        for (var i = 0; i < open.Count; i++)
        {
            builder.Transition($"next-{i}", open[i], i + 1 < open.Count ? open[i + 1] : "won");
            AddGuards(builder, random);
        }

        for (var i = random.Next(4); i > 0; i--)
        {
            builder.Transition($"jump-{i}", open[random.Next(open.Count)], open[random.Next(open.Count)]);
            AddGuards(builder, random);
        }

        builder.Transition("lose", open, "lost");
        AddGuards(builder, random);
        builder.ReturnTransition("reopen", "lost");
        for (var i = random.Next(3); i > 0; i--)
        {
            builder.InternalAction($"note-{i}", open.Where(_ => random.Next(2) == 0).DefaultIfEmpty(open[0]));
            AddGuards(builder, random);
            if (random.Next(2) == 0)
            {
                builder.SchedulesFollowUp((_, now) => now.AddDays(3), "rule.in-three-days");
            }
        }

        for (var i = random.Next(3); i > 0; i--)
        {
            var scope = random.Next(4) switch
            {
                0 => HookScope.Global,
                1 => HookScope.Trigger("lose"),
                2 => HookScope.Entering(open[random.Next(open.Count)]),
                _ => HookScope.Exiting(open[0]),
            };
            if (random.Next(2) == 0)
            {
                builder.OnTransitioning(scope, _ => { }, Hooks[i % Hooks.Length] + "." + i);
            }
            else
            {
                builder.OnTransitioned(scope, _ => { }, Hooks[i % Hooks.Length] + "." + i);
            }
        }

        return builder.Build();

        static void AddGuards(PipelineBuilder<TData> builder, Random random)
        {
            for (var g = random.Next(3); g > 0; g--)
            {
                if (random.Next(2) == 0)
                {
                    var code = CodeGuards[random.Next(CodeGuards.Length)] + "." + g;
                    builder.When(code, (_, ctx) => ctx.Reason is not null, Text(random));
                }
                else
                {
                    builder.When($"cond.{g}", Condition(random, depth: 0, typeof(TData) == typeof(RenewalData)), Text(random));
                }
            }
        }
    }

    private static GuardCondition Condition(Random random, int depth, bool typed)
    {
        string PathOf() => typed ? RenewalPaths[random.Next(RenewalPaths.Length)] : string.Join('.', Enumerable.Range(0, random.Next(1, 3)).Select(_ => Id(random)));
        var kind = depth > 2 ? random.Next(5) : random.Next(typed ? 8 : 9);
        return kind switch
        {
            0 => GuardCondition.Present(PathOf()),
            1 => GuardCondition.Absent(PathOf()),
            2 => GuardCondition.Equal(PathOf(), random.Next(3) switch { 0 => (object)true, 1 => random.Next(100), _ => Text(random) }),
            3 => GuardCondition.AtLeast(PathOf(), random.Next(2) == 0 ? random.Next(-5, 100) + 0.25m : "2026-01-0" + random.Next(1, 9)),
            4 => GuardCondition.AtMost(PathOf(), random.Next(1000)),
            5 => GuardCondition.All(Enumerable.Range(0, random.Next(1, 3)).Select(_ => Condition(random, depth + 1, typed)).ToList()),
            6 => GuardCondition.Any(Enumerable.Range(0, random.Next(1, 3)).Select(_ => Condition(random, depth + 1, typed)).ToList()),
            7 => GuardCondition.Not(Condition(random, depth + 1, typed)),
            _ => GuardCondition.None(PathOf(), Condition(random, depth + 1, typed)),
        };
    }

    private static string Text(Random random) =>
        random.Next(3) == 0
            ? Texts[random.Next(Texts.Length)]
            : "t" + new string([.. Enumerable.Range(0, random.Next(1, 20)).Select(_ => TextChars[random.Next(TextChars.Length)])]);

    private static string Id(Random random) => "x" + new string([.. Enumerable.Range(0, random.Next(1, 8)).Select(_ => "abcdefghij0123456789.-"[random.Next(22)])]).Replace("..", ".-", StringComparison.Ordinal).TrimEnd('.');

    // Everything a definition says, as text, so two definitions compare in one assertion with a readable difference.
    internal static string Describe(PipelineDefinition d)
    {
        var b = new StringBuilder();
        b.AppendLine(CultureInfo.InvariantCulture, $"{d.Id} v{d.Version} '{d.Name}' {d.DataType.Name} {d.DataTypeName} initial={d.InitialStage}");
        foreach (var s in d.Stages)
        {
            b.AppendLine(CultureInfo.InvariantCulture, $"stage {s.Id} '{s.Name}' {s.Order} {s.Kind} {s.WinProbability:R} '{s.Guidance}' {s.IdleThreshold}");
            b.AppendLine("  checklist " + string.Join(" | ", s.Checklist.Select(i => $"{i.Id}:{i.Text}:{i.Required}")));
            b.AppendLine("  metadata " + string.Join(" | ", s.Metadata.Select(m => $"{m.Key}={m.Value}")));
        }

        foreach (var t in d.Transitions)
        {
            b.AppendLine(CultureInfo.InvariantCulture, $"transition {t.Trigger} {t.From}->{t.To} {t.Kind} followUp={t.FollowUpRule}");
            foreach (var g in t.Guards)
            {
                b.AppendLine(CultureInfo.InvariantCulture, $"  guard {g.Code} '{g.Reason}' checklist={g.IsChecklistGuard} when={g.Condition}");
            }
        }

        foreach (var h in d.Hooks)
        {
            b.AppendLine(CultureInfo.InvariantCulture, $"hook {h.Name} {h.Phase} {h.Scope.Kind}:{h.Scope.Key}");
        }

        return b.ToString();
    }

    private static void SameGuardBehaviour(PipelineDefinition original, PipelineDefinition loaded, int seed)
    {
        var random = new Random(seed);
        var registered = original.Transitions.SelectMany(t => t.Guards).Where(g => g.Condition is null && !g.IsChecklistGuard)
            .GroupBy(g => g.Code).ToDictionary(g => g.Key, g => g.First().Predicate);
        for (var i = 0; i < original.Transitions.Count; i++)
        {
            for (var g = 0; g < original.Transitions[i].Guards.Count; g++)
            {
                var before = original.Transitions[i].Guards[g];
                var after = loaded.Transitions[i].Guards[g];
                if (before.Condition is null)
                {
                    // Code guards load as the very predicate registered for their code.
                    (before.IsChecklistGuard || ReferenceEquals(registered[before.Code], after.Predicate)).Should().BeTrue(before.Code);
                    continue;
                }

                for (var sample = 0; sample < 5; sample++)
                {
                    var data = SampleData(random);
                    after.Condition!.IsMetBy(data).Should().Be(before.Condition.IsMetBy(data), $"{before.Code} on {data}");
                }
            }
        }
    }

    private static JsonElement SampleData(Random random) => JsonSerializer.SerializeToElement(new RenewalData
    {
        Signed = random.Next(2) == 0,
        BudgetConfirmed = random.Next(2) == 0,
        Contact = random.Next(2) == 0 ? null : "c",
        Counter = random.Next(-3, 200),
    });
}
