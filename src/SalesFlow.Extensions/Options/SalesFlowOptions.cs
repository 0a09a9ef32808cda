namespace SalesFlow;

/// <summary>
/// How SalesFlow behaves in a host: bound from configuration (for example the <c>SalesFlow</c> section) and
/// validated when the host starts; every problem is listed at once.
/// </summary>
/// <example>
/// <code language="json">
/// "SalesFlow": {
///   "ConflictRetryCount": 5,
///   "OverrideActors": [ "sales-manager" ],
///   "ShowroomFollowUp": { "GradeA": "1.00:00:00", "GradeB": "3.00:00:00", "GradeC": "7.00:00:00" }
/// }
/// </code>
/// </example>
public sealed class SalesFlowOptions
{
    /// <summary>The largest accepted <see cref="ConflictRetryCount"/>.</summary>
    public const int MaxConflictRetryCount = 100;

    /// <summary>Gets or sets how many times a change is retried on fresh state after a concurrency conflict.</summary>
    /// <value>The default value is 3. Valid values are 0 to <see cref="MaxConflictRetryCount"/>.</value>
    public int ConflictRetryCount { get; set; } = 3;

    /// <summary>
    /// Gets the actors (user or system ids, compared ordinally) who may force a refused move with a
    /// justification. Ignored when <see cref="OverridePolicy"/> is set; setting both is a validation error.
    /// </summary>
    /// <value>The default value is empty: nobody may override.</value>
    public IList<string> OverrideActors { get; } = [];

    /// <summary>
    /// Gets or sets a policy, set in code, that decides who may force a refused move; for rules that a list of
    /// actors cannot express. Not bound from configuration.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: <see cref="OverrideActors"/> decides.</value>
    public OverridePolicy? OverridePolicy { get; set; }

    /// <summary>Gets the follow-up cadence of the built-in showroom pipeline, by customer grade.</summary>
    public ShowroomFollowUpOptions ShowroomFollowUp { get; } = new();
}
