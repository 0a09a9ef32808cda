namespace SalesFlow;

/// <summary>How an <see cref="EventFeedProcessor"/> reads the feed and holds its handler's lease.</summary>
public sealed class EventFeedProcessorOptions
{
    /// <summary>The largest accepted <see cref="BatchSize"/> (the most events a feed read returns).</summary>
    public const int MaxBatchSize = 10_000;

    /// <summary>The shortest accepted <see cref="LeaseDuration"/>.</summary>
    public static readonly TimeSpan MinLeaseDuration = TimeSpan.FromSeconds(1);

    /// <summary>The longest accepted <see cref="LeaseDuration"/>.</summary>
    public static readonly TimeSpan MaxLeaseDuration = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how many events are read, handled and checkpointed together.</summary>
    /// <value>The default value is 100. Valid values are 1 to <see cref="MaxBatchSize"/>.</value>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// Gets or sets how long the handler's lease lasts unless renewed. The processor renews it before every batch, so a
    /// batch should take less than this; when the holder's process dies, another owner takes over after it.
    /// </summary>
    /// <value>The default value is 30 seconds. Valid values are <see cref="MinLeaseDuration"/> to <see cref="MaxLeaseDuration"/>.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets who holds the lease: one id per process (or per dispatcher), at most 200 characters. Two processors
    /// with the same owner share the lease, so give each process its own.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: the machine name, the process id and a random part
    /// (see <see cref="CreateOwnerId"/>).
    /// </value>
    public string? Owner { get; set; }

    /// <summary>Creates an owner id unique to this process and call: machine name, process id and a random part.</summary>
    /// <returns>The owner id, at most 200 characters.</returns>
    public static string CreateOwnerId()
    {
        var machine = Environment.MachineName;
        if (machine.Length > 100)
        {
            machine = machine[..100];
        }

        return $"{machine}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    }

    /// <summary>Lists every problem with the options (empty when they are valid).</summary>
    /// <returns>One message per problem.</returns>
    internal List<string> Problems()
    {
        var problems = new List<string>();
        if (BatchSize is < 1 or > MaxBatchSize)
        {
            problems.Add($"BatchSize is {BatchSize}; use a value from 1 to {MaxBatchSize}.");
        }

        if (LeaseDuration < MinLeaseDuration || LeaseDuration > MaxLeaseDuration)
        {
            problems.Add($"LeaseDuration is {LeaseDuration}; use a duration from {MinLeaseDuration} to {MaxLeaseDuration}.");
        }

        if (Owner is not null && (string.IsNullOrWhiteSpace(Owner) || Owner.Length > 200))
        {
            problems.Add("Owner is blank or longer than 200 characters; use a short id unique to the process, or leave it null for a generated one.");
        }

        return problems;
    }
}
