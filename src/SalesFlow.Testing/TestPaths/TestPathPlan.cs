using System.Globalization;
using System.Text;

namespace SalesFlow.Testing;

/// <summary>
/// Trigger sequences from a pipeline's initial stage that together fire every transition that can be fired at all;
/// made by <see cref="TestPathGenerator.Generate"/>, run by <see cref="TestPathHarness{TData}"/>.
/// </summary>
public sealed class TestPathPlan
{
    internal TestPathPlan(PipelineDefinition pipeline, IReadOnlyList<TestPath> paths, IReadOnlyList<UnreachableTransition> unreachable)
    {
        Pipeline = pipeline;
        Paths = paths;
        Unreachable = unreachable;
        StepCount = paths.Sum(p => p.Steps.Count);
        CoveredTransitionCount = paths.SelectMany(p => p.Steps).Select(s => s.TransitionIndex).Distinct().Count();
    }

    /// <summary>Gets the pipeline the plan is for.</summary>
    public PipelineDefinition Pipeline { get; }

    /// <summary>Gets the paths; each starts a new deal.</summary>
    public IReadOnlyList<TestPath> Paths { get; }

    /// <summary>Gets the transitions no path can fire, each with the reason; empty when every transition is covered.</summary>
    public IReadOnlyList<UnreachableTransition> Unreachable { get; }

    /// <summary>Gets how many steps the paths have in all.</summary>
    public int StepCount { get; }

    /// <summary>Gets how many transitions the pipeline declares (<see cref="PipelineDefinition.Transitions"/>).</summary>
    public int TransitionCount => Pipeline.Transitions.Count;

    /// <summary>Gets how many distinct transitions the paths fire.</summary>
    public int CoveredTransitionCount { get; }

    /// <summary>Gets a value indicating whether the paths fire every transition of the pipeline.</summary>
    public bool IsComplete => CoveredTransitionCount == TransitionCount;

    /// <summary>Returns every path, step by step with the guards to satisfy, and every unreachable transition.</summary>
    /// <returns>Readable text, one line per step.</returns>
    public string Describe()
    {
        var text = new StringBuilder().AppendLine(ToString());
        foreach (var path in Paths)
        {
            text.Append(CultureInfo.InvariantCulture, $"Path {path.Number} (from {path.InitialStage}):").AppendLine();
            foreach (var step in path.Steps)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {step.Number}. {step.Trigger}: {step.From} -> {step.To}");
                if (step.Kind == TransitionKind.Return)
                {
                    text.Append(" (return to the previous stage)");
                }

                text.AppendLine();
                foreach (var guard in step.Guards)
                {
                    text.Append(CultureInfo.InvariantCulture, $"       satisfy {guard.Code}: {guard.Reason}").AppendLine();
                }

                foreach (var alternative in step.PrecedingAlternatives)
                {
                    text.Append(CultureInfo.InvariantCulture, $"       refuse {alternative}").AppendLine();
                }
            }
        }

        foreach (var unreachable in Unreachable)
        {
            text.Append(CultureInfo.InvariantCulture, $"Unreachable {unreachable}").AppendLine();
        }

        return text.ToString();
    }

    /// <summary>Returns the counts: <c>3 paths, 24 steps, 25/25 transitions covered</c>.</summary>
    /// <returns>The counts.</returns>
    public override string ToString() =>
        $"{Pipeline}: {Paths.Count} path(s), {StepCount} step(s), {CoveredTransitionCount}/{TransitionCount} transitions covered"
        + (Unreachable.Count == 0 ? "" : $", {Unreachable.Count} unreachable");
}
