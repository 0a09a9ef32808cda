namespace SalesFlow;

/// <summary>
/// Where an event stands in a store's event feed. Positions are ordered: by <see cref="Commit"/>, then by
/// <see cref="Offset"/>; every event committed after a handler's checkpoint has a higher position than it.
/// </summary>
/// <remarks>
/// What the two numbers mean is the store's business: the in-memory and SQLite stores number events in commit
/// order (<see cref="Commit"/>) and leave <see cref="Offset"/> at 0; the PostgreSQL store uses the writing
/// transaction's id and the event's row id, and only hands out events of transactions that have ended.
/// </remarks>
/// <param name="Commit">Orders commits.</param>
/// <param name="Offset">Orders events within a commit.</param>
public readonly record struct FeedPosition(long Commit, long Offset) : IComparable<FeedPosition>
{
    /// <summary>Gets the position before the first event.</summary>
    public static FeedPosition Start => default;

    /// <inheritdoc/>
    public int CompareTo(FeedPosition other) =>
        Commit != other.Commit ? Commit.CompareTo(other.Commit) : Offset.CompareTo(other.Offset);

    /// <summary>Whether one position is before another.</summary>
    /// <param name="left">The first position.</param>
    /// <param name="right">The second position.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> comes first.</returns>
    public static bool operator <(FeedPosition left, FeedPosition right) => left.CompareTo(right) < 0;

    /// <summary>Whether one position is after another.</summary>
    /// <param name="left">The first position.</param>
    /// <param name="right">The second position.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> comes last.</returns>
    public static bool operator >(FeedPosition left, FeedPosition right) => left.CompareTo(right) > 0;

    /// <summary>Whether one position is before or at another.</summary>
    /// <param name="left">The first position.</param>
    /// <param name="right">The second position.</param>
    /// <returns><see langword="true"/> unless <paramref name="left"/> comes last.</returns>
    public static bool operator <=(FeedPosition left, FeedPosition right) => left.CompareTo(right) <= 0;

    /// <summary>Whether one position is after or at another.</summary>
    /// <param name="left">The first position.</param>
    /// <param name="right">The second position.</param>
    /// <returns><see langword="true"/> unless <paramref name="left"/> comes first.</returns>
    public static bool operator >=(FeedPosition left, FeedPosition right) => left.CompareTo(right) >= 0;

    /// <inheritdoc/>
    public override string ToString() => $"{Commit}.{Offset}";
}
