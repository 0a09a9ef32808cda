namespace SalesFlow;

/// <summary>What a guard sees: the deal (with its data) and the arguments of the move being tried.</summary>
public readonly struct GuardContext
{
    internal GuardContext(Deal deal, FireRequest? options)
    {
        Deal = deal;
        Options = options;
    }

    /// <summary>Gets the deal as it is before the move.</summary>
    public Deal Deal { get; }

    /// <summary>Gets the options of the move being tried; <see langword="null"/> when listing available moves.</summary>
    public FireRequest? Options { get; }

    /// <summary>Gets the reason given with the move (for example a lost reason), if any.</summary>
    public string? Reason => Options?.Reason;

    /// <summary>Gets an argument of the move by name, or <see langword="null"/> when it was not given.</summary>
    /// <param name="name">The argument's name.</param>
    /// <returns>The argument's value, or <see langword="null"/>.</returns>
    public object? Argument(string name) =>
        Options?.Arguments is { } args && args.TryGetValue(name, out var value) ? value : null;
}
