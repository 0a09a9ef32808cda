using Microsoft.Extensions.Options;

namespace SalesFlow;

/// <summary>Checks <see cref="SalesFlowOptions"/> and reports every problem at once.</summary>
internal sealed class SalesFlowOptionsValidator : IValidateOptions<SalesFlowOptions>
{
    public ValidateOptionsResult Validate(string? name, SalesFlowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.ConflictRetryCount is < 0 or > SalesFlowOptions.MaxConflictRetryCount)
        {
            problems.Add($"SalesFlow:ConflictRetryCount is {options.ConflictRetryCount}; use a value from 0 to {SalesFlowOptions.MaxConflictRetryCount}.");
        }

        for (var i = 0; i < options.OverrideActors.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.OverrideActors[i]))
            {
                problems.Add($"SalesFlow:OverrideActors:{i} is blank; name a user or system id, or remove the entry.");
            }
        }

        if (options.OverridePolicy is not null && options.OverrideActors.Count > 0)
        {
            problems.Add("SalesFlow:OverrideActors and OverridePolicy are both set; use one (the policy can allow the actors itself).");
        }

        CheckInterval(problems, "GradeA", options.ShowroomFollowUp.GradeA);
        CheckInterval(problems, "GradeB", options.ShowroomFollowUp.GradeB);
        CheckInterval(problems, "GradeC", options.ShowroomFollowUp.GradeC);

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void CheckInterval(List<string> problems, string grade, TimeSpan? interval)
    {
        if (interval is { } value && (value <= TimeSpan.Zero || value > ShowroomFollowUpOptions.MaxInterval))
        {
            problems.Add($"SalesFlow:ShowroomFollowUp:{grade} is {value}; use an interval above zero and at most {ShowroomFollowUpOptions.MaxInterval.TotalDays:0} days.");
        }
    }
}
