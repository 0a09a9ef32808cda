using System.Collections.Immutable;

namespace SalesFlow.Storage.Tests.Support;

/// <summary>The deal data of <see cref="StorePipeline"/>: a bit of everything JSON has to carry.</summary>
public sealed record StoreDealData
{
    public string? Customer { get; init; }

    public int Counter { get; init; }

    public decimal Budget { get; init; }

    public ImmutableArray<string> Tags { get; init; } = [];

    public bool Signed { get; init; }
}

/// <summary>A small pipeline for the store tests: a cycle (toggle), an internal action (ping), won and lost.</summary>
public static class StorePipeline
{
    public const string Id = "store-tests";

    public static PipelineDefinition<StoreDealData> Build() =>
        PipelineBuilder.Create<StoreDealData>(Id, version: 1)
            .Stage("open", s => s.Name("Open").Probability(0.2).Checklist("call-logged", "Call logged"))
            .Stage("working", s => s.Name("Working").Probability(0.5))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("toggle", from: "open", to: "working")
            .Transition("toggle", from: "working", to: "open")
            .Transition("sign", from: "working", to: "won")
                .When("contract.signed", d => d.Signed, "Contract not signed")
            .Transition("lose", from: ["open", "working"], to: "lost")
            .InternalAction("ping", "open", "working")
            .Build();

    public static PipelineRegistry Registry() => new(Build());
}
