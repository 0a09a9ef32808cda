using CsCheck;
using Stateless;

namespace SalesFlow.Tests.Support;

/// <summary>Deals on the hostile pipeline, generated hostile pipelines, and the hostile pipeline drawn by Stateless alone.</summary>
public static class HostileDeals
{
    private const string Alphabet = ";{}\"':#<>|`[]()%-.=&\\/*_!?@$^~+,\n\r\t  aZ9éÜß中文ﬂ°¶🚀😀\u0301\u200B\u00A0";

    /// <summary>Gets generated hostile pipelines: every stage name, trigger and reason drawn from dangerous characters.</summary>
    public static Gen<PipelineDefinition<HostileData>> Generated { get; } =
        Gen.Select(
            Text(1, 12).Array[7],
            Text(0, 20),
            Gen.Int[0, 1_000_000],
            (names, text, n) => HostilePipeline.Build($"generated-{n}{text}", [.. names.Select(name => "N" + name)], text));

    /// <summary>A deal on the hostile pipeline: the first transition, lost, reopened (a back edge), and an internal action.</summary>
    public static async Task<(Deal Deal, IReadOnlyList<DealEvent> History)> WithBackEdgeAsync(PipelineDefinition<HostileData> pipeline)
    {
        var t = new TestEngine(pipeline);
        var triggers = pipeline.Transitions;
        await t.Engine.StartAsync(pipeline.Id, "h1", new HostileData(Ready: true), "alice");
        (await t.FireAsync(triggers[0].Trigger, "h1")).EnsureAccepted();
        var lose = triggers.First(x => x.From == "state" && x.To == "node;edge");
        (await t.FireAsync(lose.Trigger, "h1")).EnsureAccepted();
        (await t.FireAsync(triggers.Single(x => x.Kind == TransitionKind.Return).Trigger, "h1")).EnsureAccepted();
        return (await t.Engine.GetAsync("h1"), await t.Engine.GetHistoryAsync("h1"));
    }

    /// <summary>
    /// The hostile pipeline configured directly on Stateless with its names (stages by display name, triggers by name,
    /// guards described by their reasons): what a user of Stateless's own graph export would draw.
    /// </summary>
    public static StateMachine<string, string> NamedStatelessMirror(PipelineDefinition pipeline)
    {
        var machine = new StateMachine<string, string>(pipeline.GetStage(pipeline.InitialStage).Name);
        string Name(string stageId) => pipeline.GetStage(stageId).Name;
        foreach (var t in pipeline.Transitions)
        {
            var configuration = machine.Configure(Name(t.From));
            var guards = t.Guards.Select(g => Tuple.Create<Func<bool>, string>(() => true, g.Reason)).ToArray();
            switch (t.Kind)
            {
                case TransitionKind.Internal:
                    configuration.InternalTransitionIf(t.Trigger, _ => true, () => { }, string.Join("; ", t.Guards.Select(g => g.Reason)));
                    break;
                case TransitionKind.Return:
                    configuration.PermitDynamicIf(t.Trigger, () => Name(pipeline.InitialStage), null, guards);
                    break;
                case TransitionKind.Transition when t.To == t.From:
                    configuration.PermitReentryIf(t.Trigger, guards);
                    break;
                default:
                    configuration.PermitIf(t.Trigger, Name(t.To!), guards);
                    break;
            }
        }

        return machine;
    }

    private static Gen<string> Text(int min, int max) =>
        Gen.OneOf(Gen.Char[Alphabet], Gen.Char[Alphabet], Gen.Char).Array[min, max].Select(chars => new string(chars));
}
