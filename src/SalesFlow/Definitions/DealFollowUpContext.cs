namespace SalesFlow;

/// <summary>What a follow-up rule sees when it schedules a deal's next follow-up.</summary>
public readonly struct DealFollowUpContext
{
    internal DealFollowUpContext(Deal deal, DateTimeOffset now)
    {
        Deal = deal;
        Now = now;
    }

    /// <summary>Gets the deal as it is after the move (stage and data).</summary>
    public Deal Deal { get; }

    /// <summary>Gets the time of the move.</summary>
    public DateTimeOffset Now { get; }
}
