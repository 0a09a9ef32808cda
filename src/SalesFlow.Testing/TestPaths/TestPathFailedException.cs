namespace SalesFlow.Testing;

/// <summary>Thrown when a step of a test path is refused, or lands somewhere else than planned.</summary>
public sealed class TestPathFailedException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="TestPathFailedException"/> class.</summary>
    /// <param name="path">The path.</param>
    /// <param name="step">The step that failed.</param>
    /// <param name="dealId">The path's deal.</param>
    /// <param name="status">What the engine answered; <see langword="null"/> when the step was not fired.</param>
    /// <param name="unmetGuards">The guards that refused the step (or that an override bypassed unexpectedly).</param>
    /// <param name="problem">What went wrong, in a sentence.</param>
    public TestPathFailedException(TestPath path, TestPathStep step, string dealId, FireStatus? status, IReadOnlyList<UnmetGuard> unmetGuards, string problem)
        : base(Describe(path, step, dealId, unmetGuards, problem))
    {
        Path = path;
        Step = step;
        DealId = dealId;
        Status = status;
        UnmetGuards = unmetGuards;
    }

    /// <summary>Gets the path.</summary>
    public TestPath Path { get; }

    /// <summary>Gets the step that failed.</summary>
    public TestPathStep Step { get; }

    /// <summary>Gets the id of the path's deal.</summary>
    public string DealId { get; }

    /// <summary>Gets what the engine answered; <see langword="null"/> when the step was not fired.</summary>
    public FireStatus? Status { get; }

    /// <summary>Gets the guards that refused the step (or that an override bypassed without an override satisfier).</summary>
    public IReadOnlyList<UnmetGuard> UnmetGuards { get; }

    private static string Describe(TestPath path, TestPathStep step, string dealId, IReadOnlyList<UnmetGuard> unmetGuards, string problem)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(unmetGuards);
        var text = $"Test path {path.Number}, step {step.Number} ({step.Trigger}: {step.From} -> {step.To}) on deal '{dealId}': {problem}";
        if (unmetGuards.Count > 0)
        {
            text += Environment.NewLine + "Unmet guards:" + Environment.NewLine + "- " + string.Join(Environment.NewLine + "- ", unmetGuards.Select(g => $"{g.Code}: {g.Reason}"));
        }

        return text + Environment.NewLine + $"Path {path}";
    }
}
