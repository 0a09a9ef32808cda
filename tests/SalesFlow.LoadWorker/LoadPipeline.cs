namespace SalesFlow.LoadWorker;

/// <summary>
/// The pipeline the load worker and its tests share (this file is compiled into both): four open stages in a ring, where
/// both ring triggers are permitted from every open stage, so a worker can move any deal forever and a refusal is never
/// expected. The won and lost stages are there because every pipeline has them; the worker never fires their triggers.
/// </summary>
public static class LoadPipeline
{
    public const string Id = "load-ring";

    /// <summary>One stage forward: s1 → s2 → s3 → s4 → s1.</summary>
    public const string Next = "next";

    /// <summary>Two stages forward: s1 → s3, s2 → s4, s3 → s1, s4 → s2.</summary>
    public const string Jump = "jump";

    /// <summary>The activity type the worker records.</summary>
    public const string Activity = "load.call";

    public static readonly string[] Stages = ["s1", "s2", "s3", "s4"];

    public static readonly string[] Triggers = [Next, Jump];

    public static PipelineDefinition<LoadDeal> Build()
    {
        var builder = PipelineBuilder.Create<LoadDeal>(Id);
        foreach (var stage in Stages)
        {
            builder.Stage(stage);
        }

        builder.Stage("won", s => s.Won()).Stage("lost", s => s.Lost());

        for (var i = 0; i < Stages.Length; i++)
        {
            builder.Transition(Next, Stages[i], Stages[(i + 1) % Stages.Length]);
            builder.Transition(Jump, Stages[i], Stages[(i + 2) % Stages.Length]);
        }

        return builder.Transition("win", Stages[^1], "won").Transition("lose", Stages[0], "lost").Build();
    }

    /// <summary>The id of deal <paramref name="index"/> of the shared set (load-000, load-001, …).</summary>
    public static string DealId(int index) => $"load-{index:D3}";

    /// <summary>The actor of a worker's writes, so the tests can tell each worker's events apart.</summary>
    public static string Actor(string workerId) => "load-worker-" + workerId;
}

/// <summary>The load pipeline's deal data: nothing the moves depend on.</summary>
public sealed record LoadDeal
{
    public int Round { get; init; }
}
