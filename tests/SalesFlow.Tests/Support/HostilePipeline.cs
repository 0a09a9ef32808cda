namespace SalesFlow.Tests.Support;

/// <summary>Deal data of the hostile pipeline.</summary>
public sealed record HostileData(bool Ready = false);

/// <summary>
/// A pipeline whose stage ids and names, triggers, guard codes and reasons hold every character that breaks a naive
/// graph: <c>; { } " : # &lt; &gt; |</c>, newlines, <c>--&gt;</c>, <c>%%</c>, entity look-alikes, non-ASCII letters and
/// emoji, and ids that are Mermaid or DOT keywords.
/// </summary>
public static class HostilePipeline
{
    public const string Nasty = "a;b {c} \"q\" 'q' x:y #1 #59; &amp; <b>bold</b> a|b `tick` [sq] (p) \\n back\\slash %% 50% --> -.-> ==> end";

    public static readonly string[] StageNames =
    [
        "Start; {here} \"now\": #1 <i>it</i> | pipe",
        "end",
        "state\nwith a new line --> and %% not a comment",
        "Été, café, 中文, 🚀 emoji, Ünïcödé, ﬂ°°¶ß",
        "class: style; direction TB; subgraph x",
        "Won: \"yes\" {{ }} [[ ]] (( )) >] |x| #quot;",
        "Lost <script>alert(1)</script> & %%{init: {}}%%",
    ];

    public static PipelineDefinition<HostileData> Build() => Build("hostile;{pipeline} \"v\": #1 %% 中文", StageNames, Nasty);

    /// <summary>Builds a pipeline with the given stage names (at least seven) and one piece of text in every trigger and reason.</summary>
    public static PipelineDefinition<HostileData> Build(string id, IReadOnlyList<string> names, string text) =>
        PipelineBuilder.Create<HostileData>(id, version: 1)
            .Stage("end", s => s.Name(names[0]).Guidance(text))
            .Stage("state", s => s.Name(names[1]).Checklist("graph", "Item: " + text, required: true))
            .Stage("class", s => s.Name(names[2]))
            .Stage("style", s => s.Name(names[3]))
            .Stage("direction", s => s.Name(names[4]))
            .Stage("subgraph {x}", s => s.Name(names[5]).Won())
            .Stage("node;edge", s => s.Name(names[6]).Lost())
            .Transition("go; {now} \"quoted\": #1 " + text, from: "end", to: "state")
                .When("code;{x} \"q\" " + text, d => d.Ready, "Reason: " + text)
                .When("second:code", d => d.Ready, "Second reason -->\nnext line %% " + text)
            .Transition("end", from: "state", to: "class")
            .Transition("-->", from: "class", to: "style")
            .Transition("%%", from: "style", to: "direction")
            .Transition("class", from: "direction", to: "subgraph {x}")
                .When("a|b", d => d.Ready, "Pipe | and <br> and \"quotes\" and 中文 🚀 " + text)
            .Transition("a|b \"c\" 中文 🚀 " + text, from: ["end", "state", "class", "style", "direction"], to: "node;edge")
            .Transition("direction", from: "style", to: "style")
            .InternalAction("style: {internal}; " + text, "class", "subgraph {x}")
                .When("internal;guard", d => d.Ready, "Internal reason: " + text)
            .ReturnTransition("Reopen; {back} 🔁 " + text, "node;edge")
                .When("reopen#guard", d => d.Ready, "Return reason: " + text)
            .Build();
}
