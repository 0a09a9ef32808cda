using Microsoft.Extensions.Options;

namespace SalesFlow;

/// <summary>Validates the engine options and the showroom follow-up options when the host starts, listing every problem.</summary>
internal sealed class SalesFlowOptionsValidator : IValidateOptions<SalesFlowEngineOptions>, IValidateOptions<ShowroomFollowUpOptions>
{
    public ValidateOptionsResult Validate(string? name, SalesFlowEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public ValidateOptionsResult Validate(string? name, ShowroomFollowUpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        CheckInterval(problems, "GradeA", options.GradeA);
        CheckInterval(problems, "GradeB", options.GradeB);
        CheckInterval(problems, "GradeC", options.GradeC);
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
