namespace SalesFlow;

/// <summary>
/// The time window of a report: from <see cref="From"/> (included) to <see cref="To"/> (excluded). What a window selects
/// depends on the report (deals started in it for the funnel, deals closed in it for outcomes, moves made in it for the
/// flow); docs/reports.md states each one.
/// </summary>
public sealed record ReportWindow
{
    /// <summary>Creates a window.</summary>
    /// <param name="from">The first instant inside the window.</param>
    /// <param name="to">The first instant after the window; later than <paramref name="from"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="to"/> is not later than <paramref name="from"/>.</exception>
    public ReportWindow(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from)
        {
            throw new ArgumentException($"A report window must end after it starts (from {from:O}, to {to:O}).", nameof(to));
        }

        From = from;
        To = to;
    }

    /// <summary>Gets the first instant inside the window.</summary>
    public DateTimeOffset From { get; }

    /// <summary>Gets the first instant after the window.</summary>
    public DateTimeOffset To { get; }

    /// <summary>Gets a window that holds every instant: for reports over the whole history.</summary>
    public static ReportWindow All { get; } = new(DateTimeOffset.MinValue, DateTimeOffset.MaxValue);

    /// <summary>Whether an instant lies in the window.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns><see langword="true"/> when <see cref="From"/> ≤ <paramref name="instant"/> &lt; <see cref="To"/>.</returns>
    public bool Contains(DateTimeOffset instant) => instant >= From && instant < To;
}
