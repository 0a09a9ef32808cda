namespace SalesFlow.Pipelines.B2B;

/// <summary>
/// Common reasons for <see cref="B2BTriggers.Lose"/> and <see cref="B2BTriggers.Disqualify"/>, to pass as
/// <see cref="FireRequest.Reason"/>. Free text is accepted too.
/// </summary>
public static class B2BLostReasons
{
    /// <summary>No budget for the purchase.</summary>
    public const string NoBudget = "No budget";

    /// <summary>No access to the person who decides.</summary>
    public const string NoDecisionMaker = "No decision maker";

    /// <summary>The prospect has no real need for the product.</summary>
    public const string NoNeed = "No need";

    /// <summary>The prospect will not buy in a useful time frame.</summary>
    public const string NoTimeline = "No timeline";

    /// <summary>The price was too high.</summary>
    public const string Price = "Price";

    /// <summary>The prospect chose a competitor.</summary>
    public const string Competitor = "Chose a competitor";

    /// <summary>The prospect stopped responding.</summary>
    public const string NoResponse = "No response";

    /// <summary>The prospect decided not to buy at all.</summary>
    public const string NoDecision = "No decision";

    /// <summary>Gets the reasons above, in a list for pickers.</summary>
    public static IReadOnlyList<string> All { get; } = [NoBudget, NoDecisionMaker, NoNeed, NoTimeline, Price, Competitor, NoResponse, NoDecision];
}
