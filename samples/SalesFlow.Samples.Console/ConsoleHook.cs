using Spectre.Console;

namespace SalesFlow.Samples.Console;

/// <summary>An engine-wide hook that prints every stage change a move makes, after it is saved.</summary>
internal sealed class ConsoleHook : IDealHook
{
    /// <summary>Gets or sets a value indicating whether the hook stays silent (while the demo prepares deals in bulk).</summary>
    public bool Muted { get; set; }

    public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken)
    {
        if (context.Trigger is { } trigger && context.ChangesStage && !Muted)
        {
            Output.Console.MarkupLine(
                $"  [grey]hook:[/] deal [blue]{Markup.Escape(context.After.Id)}[/] entered [green]{Markup.Escape(context.ToStage)}[/] via {Markup.Escape(trigger)}");
        }

        return ValueTask.CompletedTask;
    }
}
