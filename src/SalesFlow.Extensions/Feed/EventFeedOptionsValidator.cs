using Microsoft.Extensions.Options;

namespace SalesFlow.DependencyInjection;

/// <summary>Checks <see cref="EventFeedOptions"/> and reports every problem at once.</summary>
internal sealed class EventFeedOptionsValidator : IValidateOptions<EventFeedOptions>
{
    private const string Section = EventFeedOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, EventFeedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var pollValid = options.PollInterval > TimeSpan.Zero && options.PollInterval <= EventFeedOptions.MaxInterval;
        if (!pollValid)
        {
            problems.Add($"{Section}:PollInterval is {options.PollInterval}; use an interval above zero and at most {EventFeedOptions.MaxInterval}.");
        }

        if (options.BatchSize is < 1 or > EventFeedProcessorOptions.MaxBatchSize)
        {
            problems.Add($"{Section}:BatchSize is {options.BatchSize}; use a value from 1 to {EventFeedProcessorOptions.MaxBatchSize}.");
        }

        if (options.LeaseDuration < EventFeedProcessorOptions.MinLeaseDuration || options.LeaseDuration > EventFeedProcessorOptions.MaxLeaseDuration)
        {
            problems.Add($"{Section}:LeaseDuration is {options.LeaseDuration}; use a duration from {EventFeedProcessorOptions.MinLeaseDuration} to {EventFeedProcessorOptions.MaxLeaseDuration}.");
        }
        else if (pollValid && options.LeaseDuration <= options.PollInterval)
        {
            problems.Add($"{Section}:LeaseDuration ({options.LeaseDuration}) is not longer than PollInterval ({options.PollInterval}); an idle handler's lease would lapse between polls and hop between processes. Make the lease longer.");
        }

        if (options.MaxFailureBackoff > EventFeedOptions.MaxInterval || (pollValid && options.MaxFailureBackoff < options.PollInterval) || options.MaxFailureBackoff <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:MaxFailureBackoff is {options.MaxFailureBackoff}; use a duration from PollInterval to {EventFeedOptions.MaxInterval}.");
        }

        if (options.Owner is not null && (string.IsNullOrWhiteSpace(options.Owner) || options.Owner.Length > 200))
        {
            problems.Add($"{Section}:Owner is blank or longer than 200 characters; use a short id unique to the process, or leave it unset for a generated one.");
        }

        var tenants = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Tenants.Count; i++)
        {
            var tenant = options.Tenants[i];
            try
            {
                DealStoreChecks.ValidateTenant(tenant);
                if (!tenants.Add(tenant))
                {
                    problems.Add($"{Section}:Tenants:{i} ('{tenant}') is listed twice; list each tenant once.");
                }
            }
            catch (ArgumentException ex)
            {
                problems.Add($"{Section}:Tenants:{i} is not a tenant id: {ex.Message}");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
