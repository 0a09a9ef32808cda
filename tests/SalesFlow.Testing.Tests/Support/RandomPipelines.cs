using CsCheck;

namespace SalesFlow.Testing.Tests.Support;

/// <summary>
/// Random valid pipelines over <see cref="FlagData"/>: open stages joined by a spanning tree from the initial stage (so
/// every stage, and so every transition, can be reached), won, lost and closed stages, and random extra transitions — back
/// edges, re-entries, internal actions, return transitions, moves out of terminal stages — some guarded by data flags or by
/// the move's arguments, some with required checklist items. Every open stage can be won and lost. Transitions that share a trigger and a stage each get a guard
/// of their own, so the engine can tell them apart and every one of them can be chosen.
/// </summary>
public static class RandomPipelines
{
    private const string ArgumentGuardPrefix = "arg.";

    public static readonly Gen<GraphSpec> Specs = Gen.Select(
        Gen.Select(Gen.Int[1, 5], Gen.Int[1, 2], Gen.Int[1, 2], Gen.Int[0, 1], (open, won, lost, closed) => (open, won, lost, closed)),
        Gen.Select(Gen.Int[0, 99].Array[8], Gen.Int[0, 4].Array[8], Gen.Bool.Array[5], (parents, triggers, checklists) => (parents, triggers, checklists)),
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 99], Gen.Int[0, 99], Gen.Int[0, 4], Gen.Int[0, 3].Array[0, 2], Gen.Bool, (k, f, t, tr, fl, arg) => new EdgeSpec(k, f, t, tr, fl, arg)).Array[0, 10],
        (counts, span, extra) => new GraphSpec(counts.open, counts.won, counts.lost, counts.closed, span.parents, span.triggers, span.checklists, extra));

    /// <summary>Derives satisfiers from the guard codes: a data flag set (and cleared to refuse), or a move argument given (and removed).</summary>
    public static GuardSatisfiers Satisfiers() => new GuardSatisfiers().AddSource(guard =>
        guard.Code.StartsWith(ArgumentGuardPrefix, StringComparison.Ordinal)
            ? GuardSatisfier.Request(r => r with { Arguments = With(r.Arguments, guard.Code, true) }, r => r with { Arguments = With(r.Arguments, guard.Code, false) })
            : GuardSatisfier.Data<FlagData>(d => d.Set(guard.Code), d => d.Clear(guard.Code)));

    public static PipelineDefinition<FlagData> Build(GraphSpec spec)
    {
        var open = Enumerable.Range(0, spec.Open).Select(i => $"o{i}").ToList();
        var won = Enumerable.Range(0, spec.Won).Select(i => $"w{i}").ToList();
        var lost = Enumerable.Range(0, spec.Lost).Select(i => $"l{i}").ToList();
        var closed = Enumerable.Range(0, spec.Closed).Select(i => $"c{i}").ToList();
        var all = open.Concat(won).Concat(lost).Concat(closed).ToList();
        var drafts = new List<Draft>();

        // A spanning tree from o0 reaches every stage; every open stage can be lost.
        for (var i = 1; i < open.Count; i++)
        {
            drafts.Add(new Draft($"t{spec.SpanTriggers[i]}", open[spec.Parents[i] % i], open[i], TransitionKind.Transition, []));
        }

        var terminals = won.Concat(lost).Concat(closed).ToList();
        for (var i = 0; i < terminals.Count; i++)
        {
            drafts.Add(new Draft($"t{spec.SpanTriggers[^(i + 1)]}", open[spec.Parents[^(i + 1)] % open.Count], terminals[i], TransitionKind.Transition, []));
        }

        drafts.AddRange(open.Select(o => new Draft("lose", o, lost[0], TransitionKind.Transition, ["arg.reason"])));

        // Every open stage can still be won too (the definition's static analysis refuses a stage that cannot).
        drafts.AddRange(open.Select(o => new Draft("win", o, won[0], TransitionKind.Transition, [])));

        foreach (var edge in spec.Extra)
        {
            var kind = edge.Kind switch { 1 => TransitionKind.Internal, 2 => TransitionKind.Return, _ => TransitionKind.Transition };
            var from = all[edge.From % all.Count];
            var guards = edge.Flags.Distinct().Select(f => edge.OnArgument ? $"{ArgumentGuardPrefix}f{f}" : $"f{f}").ToList();
            drafts.Add(new Draft($"t{edge.Trigger}", from, kind == TransitionKind.Transition ? all[edge.To % all.Count] : null, kind, guards));
        }

        // The initial stage has a previous stage only once a move leads back into it.
        if (drafts.Any(d => d.Kind == TransitionKind.Return && d.From == open[0]) && !drafts.Any(d => d.Kind == TransitionKind.Transition && d.To == open[0]))
        {
            drafts.Add(new Draft("again", open[0], open[0], TransitionKind.Transition, []));
        }

        // Alternatives (one trigger, one stage) each get a guard of their own, so the engine can tell them apart.
        foreach (var group in drafts.Select((d, i) => (d, i)).GroupBy(x => (x.d.From, x.d.Trigger)).Where(g => g.Count() > 1))
        {
            foreach (var (d, i) in group)
            {
                d.Guards.Add($"alt{i}");
            }
        }

        var builder = PipelineBuilder.Create<FlagData>("random", version: 1);
        foreach (var stage in all)
        {
            var index = open.IndexOf(stage);
            builder.Stage(stage, s =>
            {
                s.Name($"Stage {stage}");
                if (won.Contains(stage))
                {
                    s.Won();
                }
                else if (lost.Contains(stage))
                {
                    s.Lost();
                }
                else if (closed.Contains(stage))
                {
                    s.Closed();
                }
                else if (spec.Checklists[index])
                {
                    s.Checklist($"chk-{stage}", $"Do what {stage} needs", required: true);
                }
            });
        }

        foreach (var d in drafts)
        {
            _ = d.Kind switch
            {
                TransitionKind.Internal => builder.InternalAction(d.Trigger, d.From),
                TransitionKind.Return => builder.ReturnTransition(d.Trigger, d.From),
                _ => builder.Transition(d.Trigger, d.From, d.To!),
            };
            foreach (var code in d.Guards)
            {
                if (code.StartsWith(ArgumentGuardPrefix, StringComparison.Ordinal))
                {
                    builder.When(code, (_, ctx) => ctx.Argument(code) is true, $"Argument {code} not given");
                }
                else
                {
                    builder.When(code, data => data.Has(code), $"Flag {code} not set");
                }
            }
        }

        return builder.Build();
    }

    private static Dictionary<string, object?> With(IReadOnlyDictionary<string, object?>? arguments, string name, bool value) =>
        new(arguments ?? new Dictionary<string, object?>(), StringComparer.Ordinal) { [name] = value };

    public sealed record EdgeSpec(int Kind, int From, int To, int Trigger, int[] Flags, bool OnArgument);

    public sealed record GraphSpec(int Open, int Won, int Lost, int Closed, int[] Parents, int[] SpanTriggers, bool[] Checklists, EdgeSpec[] Extra)
    {
        public override string ToString() => string.Join(Environment.NewLine, Build(this).Transitions.Select(t => $"{t} [{string.Join(", ", t.Guards.Select(g => g.Code))}]"));
    }

    private sealed record Draft(string Trigger, string From, string? To, TransitionKind Kind, List<string> Guards);
}
