namespace SalesFlow.Testing;

/// <summary>One sequence of triggers fired on one new deal, from the pipeline's initial stage.</summary>
public sealed class TestPath
{
    internal TestPath(int number, string initialStage, IReadOnlyList<TestPathStep> steps)
    {
        Number = number;
        InitialStage = initialStage;
        Steps = steps;
    }

    /// <summary>Gets the path's position in its plan, from 1.</summary>
    public int Number { get; }

    /// <summary>Gets the stage the path's deal starts in.</summary>
    public string InitialStage { get; }

    /// <summary>Gets the steps, in the order they are fired.</summary>
    public IReadOnlyList<TestPathStep> Steps { get; }

    /// <summary>Gets the stage the path ends in.</summary>
    public string FinalStage => Steps.Count == 0 ? InitialStage : Steps[^1].To;

    /// <summary>Returns the path as one line: <c>prospecting -Contact-&gt; qualification -Qualify-&gt; …</c>.</summary>
    /// <returns>The path.</returns>
    public override string ToString() =>
        $"{Number}: {InitialStage}" + string.Concat(Steps.Select(s => $" -{s.Trigger}-> {s.To}"));
}
