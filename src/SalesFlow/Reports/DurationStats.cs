namespace SalesFlow;

/// <summary>
/// Summary figures of a set of durations. Median: the middle value, or halfway between the two middle ones (rounded down
/// to the tick); mean rounded down to the tick; p90: the nearest-rank 90th percentile (the value at rank ⌈0.9·n⌉ of the
/// sorted values). All three are <see langword="null"/> when <see cref="Count"/> is 0.
/// </summary>
/// <param name="Count">How many durations.</param>
/// <param name="Median">The median.</param>
/// <param name="Mean">The arithmetic mean.</param>
/// <param name="P90">The 90th percentile (nearest rank).</param>
public sealed record DurationStats(int Count, TimeSpan? Median, TimeSpan? Mean, TimeSpan? P90)
{
    /// <summary>Gets the figures of no durations.</summary>
    public static DurationStats Empty { get; } = new(0, null, null, null);

    /// <summary>Computes the figures of a set of durations.</summary>
    /// <param name="durations">The durations, in any order.</param>
    /// <returns>The figures.</returns>
    public static DurationStats Of(IEnumerable<TimeSpan> durations)
    {
        ArgumentNullException.ThrowIfNull(durations);
        var ticks = durations.Select(d => d.Ticks).ToArray();
        return OfTicks(ticks);
    }

    internal static DurationStats OfTicks(long[] ticks)
    {
        if (ticks.Length == 0)
        {
            return Empty;
        }

        Array.Sort(ticks);
        var n = ticks.Length;
        var median = n % 2 == 1 ? ticks[n / 2] : Halfway(ticks[(n / 2) - 1], ticks[n / 2]);
        var sum = (Int128)0;
        foreach (var t in ticks)
        {
            sum += t;
        }

        var mean = (long)(sum / n);
        var rank = ((9 * n) + 9) / 10; // ⌈0.9·n⌉ without floating point
        return new(n, TimeSpan.FromTicks(median), TimeSpan.FromTicks(mean), TimeSpan.FromTicks(ticks[rank - 1]));
    }

    private static long Halfway(long a, long b) => a + ((b - a) / 2);
}
