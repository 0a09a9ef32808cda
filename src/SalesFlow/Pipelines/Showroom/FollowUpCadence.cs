namespace SalesFlow.Pipelines.Showroom;

/// <summary>
/// How long after a return visit (or after tracking starts) the next follow-up of a showroom customer is due,
/// by the customer's grade. Pass one to <see cref="SalesPipelines.Showroom(FollowUpCadence?)"/>.
/// </summary>
/// <param name="GradeA">The interval for grade A customers (the most promising); positive.</param>
/// <param name="GradeB">The interval for grade B customers; positive.</param>
/// <param name="GradeC">The interval for grade C customers; positive.</param>
public sealed record FollowUpCadence(TimeSpan GradeA, TimeSpan GradeB, TimeSpan GradeC)
{
    /// <summary>Gets the default cadence: grade A every 2 days, B every 7 days, C every 14 days.</summary>
    public static FollowUpCadence Default { get; } = new(TimeSpan.FromDays(2), TimeSpan.FromDays(7), TimeSpan.FromDays(14));

    /// <summary>Gets the interval for a grade.</summary>
    /// <param name="grade">The customer's grade.</param>
    /// <returns>The time from one follow-up to the next.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="grade"/> is not A, B or C.</exception>
    public TimeSpan For(CustomerGrade grade) => grade switch
    {
        CustomerGrade.A => GradeA,
        CustomerGrade.B => GradeB,
        CustomerGrade.C => GradeC,
        _ => throw new ArgumentOutOfRangeException(nameof(grade), grade, "The grade must be A, B or C."),
    };

    /// <summary>Gets when the next follow-up is due for a grade, counted from a time.</summary>
    /// <param name="grade">The customer's grade.</param>
    /// <param name="from">The time of the last follow-up (or of the start of tracking).</param>
    /// <returns>When the next follow-up is due.</returns>
    public DateTimeOffset NextFollowUp(CustomerGrade grade, DateTimeOffset from) => from + For(grade);

    /// <summary>Lists what is wrong with the cadence: every interval must be positive.</summary>
    /// <returns>The problems; empty when the cadence is valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Check(GradeA, nameof(GradeA));
        Check(GradeB, nameof(GradeB));
        Check(GradeC, nameof(GradeC));
        return problems;

        void Check(TimeSpan interval, string name)
        {
            if (interval <= TimeSpan.Zero)
            {
                problems.Add($"{name} is {interval}; a follow-up interval must be positive.");
            }
        }
    }
}
