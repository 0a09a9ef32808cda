namespace SalesFlow;

/// <summary>An import batch was refused as a whole; nothing of it was stored.</summary>
public sealed class DealImportException : SalesFlowException
{
    /// <summary>Initializes a new instance of the <see cref="DealImportException"/> class.</summary>
    /// <param name="problems">Every problem found in the batch.</param>
    public DealImportException(IReadOnlyList<string> problems)
        : base(FormatMessage(problems)) => Problems = problems ?? [];

    /// <summary>Gets every problem found in the batch.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string FormatMessage(IReadOnlyList<string> problems) =>
        "The import batch was refused; nothing was stored:" + Environment.NewLine + "- " +
        string.Join(Environment.NewLine + "- ", problems ?? []);
}
