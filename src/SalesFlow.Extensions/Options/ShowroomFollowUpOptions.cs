namespace SalesFlow;

/// <summary>
/// How long after a visit the built-in showroom pipeline schedules the next follow-up, by customer grade
/// (A: likely buyers, followed up soonest). A grade left unset keeps the pipeline's default.
/// </summary>
public sealed class ShowroomFollowUpOptions
{
    /// <summary>The longest accepted interval between follow-ups.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(365);

    /// <summary>Gets or sets the interval for grade A customers.</summary>
    /// <value>The default value is <see langword="null"/>: the pipeline's default.</value>
    public TimeSpan? GradeA { get; set; }

    /// <summary>Gets or sets the interval for grade B customers.</summary>
    /// <value>The default value is <see langword="null"/>: the pipeline's default.</value>
    public TimeSpan? GradeB { get; set; }

    /// <summary>Gets or sets the interval for grade C customers.</summary>
    /// <value>The default value is <see langword="null"/>: the pipeline's default.</value>
    public TimeSpan? GradeC { get; set; }
}
