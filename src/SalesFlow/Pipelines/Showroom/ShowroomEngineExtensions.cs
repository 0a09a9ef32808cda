using System.Globalization;
using static SalesFlow.Pipelines.PipelineGuardHelpers;

namespace SalesFlow.Pipelines.Showroom;

/// <summary>
/// The domain operations of the ten-step showroom pipeline. Each changes the deal's <see cref="ShowroomDeal"/>
/// data and records an activity event of a specific type (<see cref="ShowroomActivities"/>), or fires one of
/// the pipeline's triggers with the arguments it needs.
/// </summary>
public static class ShowroomEngineExtensions
{
    /// <summary>Records whether the customer has been here before and whether they phoned for information.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="firstVisit">Whether this is the customer's first visit.</param>
    /// <param name="phonedBefore">Whether the customer phoned before.</param>
    /// <param name="actor">Who records it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> RecordVisitHistoryAsync(this SalesFlowEngine engine, string dealId, bool firstVisit, bool phonedBefore, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var properties = new Dictionary<string, string> { ["firstVisit"] = Bool(firstVisit), ["phonedBefore"] = Bool(phonedBefore) };
        return engine.UpdateAsync<ShowroomDeal>(
            dealId,
            d => d with { FirstVisit = firstVisit, PhonedBefore = phonedBefore },
            Activity(actor, ShowroomActivities.VisitHistoryRecorded, properties: properties),
            cancellationToken);
    }

    /// <summary>Records what the customer needs, asked during the project introduction.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="needs">What the customer needs; kept in the deal data only, not in the event.</param>
    /// <param name="actor">Who records it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> RecordCustomerNeedsAsync(this SalesFlowEngine engine, string dealId, string needs, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrWhiteSpace(needs);
        return engine.UpdateAsync<ShowroomDeal>(dealId, d => d with { CustomerNeeds = needs }, Activity(actor, ShowroomActivities.NeedsRecorded), cancellationToken);
    }

    /// <summary>Records the seller's estimate of the customer's purchase desire; above 70% allows subscription.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="percent">The estimate, 0 to 100.</param>
    /// <param name="actor">Who assesses it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> AssessPurchaseDesireAsync(this SalesFlowEngine engine, string dealId, int percent, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        var properties = new Dictionary<string, string> { ["percent"] = percent.ToString(CultureInfo.InvariantCulture) };
        return engine.UpdateAsync<ShowroomDeal>(dealId, d => d with { PurchaseDesirePercent = percent }, Activity(actor, ShowroomActivities.PurchaseDesireAssessed, properties: properties), cancellationToken);
    }

    /// <summary>Appoints the next negotiation.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="at">When the customer comes back.</param>
    /// <param name="actor">Who appoints it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> SetNextAppointmentAsync(this SalesFlowEngine engine, string dealId, DateTimeOffset at, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var properties = new Dictionary<string, string> { ["at"] = at.ToString("O", CultureInfo.InvariantCulture) };
        return engine.UpdateAsync<ShowroomDeal>(dealId, d => d with { NextAppointmentAt = at }, Activity(actor, ShowroomActivities.AppointmentSet, properties: properties), cancellationToken);
    }

    /// <summary>
    /// Grades the customer, or changes the grade as tracking shows. The new grade sets the cadence from the next
    /// return visit on; pass <paramref name="nextFollowUpAt"/> to reschedule the pending follow-up now.
    /// </summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="grade">The grade.</param>
    /// <param name="actor">Who grades the customer.</param>
    /// <param name="nextFollowUpAt">A new time for the pending follow-up; <see langword="null"/> keeps it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> AssignGradeAsync(this SalesFlowEngine engine, string dealId, CustomerGrade grade, string actor, DateTimeOffset? nextFollowUpAt = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (!Enum.IsDefined(grade))
        {
            throw new ArgumentOutOfRangeException(nameof(grade), grade, "The grade must be A, B or C.");
        }

        var properties = new Dictionary<string, string> { ["grade"] = grade.ToString() };
        var options = Activity(actor, ShowroomActivities.Graded, properties: properties) with { NextFollowUpAt = nextFollowUpAt };
        return engine.UpdateAsync<ShowroomDeal>(dealId, d => d with { Grade = grade }, options, cancellationToken);
    }

    /// <summary>Records a return visit paid to a tracked customer; the next follow-up is scheduled from the grade.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="record">The detailed tracking record of the visit (the event's note).</param>
    /// <param name="actor">Who paid the visit.</param>
    /// <param name="cancellationToken">Cancels the move.</param>
    /// <returns>The result of firing <see cref="ShowroomTriggers.LogReturnVisit"/>.</returns>
    public static ValueTask<FireResult> LogReturnVisitAsync(this SalesFlowEngine engine, string dealId, string record, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return engine.FireAsync(dealId, ShowroomTriggers.LogReturnVisit, new FireRequest(actor) { Note = record }, cancellationToken);
    }

    /// <summary>Records how far the contract is prepared: contents, signing articles, and any dispute over terms.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="contentsComplete">Whether the contract's contents are filled in completely.</param>
    /// <param name="articlesPrepared">Whether the articles needed for signing are prepared.</param>
    /// <param name="termsDisputed">Whether a dispute over contract terms is open.</param>
    /// <param name="actor">Who records it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> UpdateContractAsync(this SalesFlowEngine engine, string dealId, bool contentsComplete, bool articlesPrepared, bool termsDisputed, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var properties = new Dictionary<string, string>
        {
            ["contentsComplete"] = Bool(contentsComplete),
            ["articlesPrepared"] = Bool(articlesPrepared),
            ["termsDisputed"] = Bool(termsDisputed),
        };
        return engine.UpdateAsync<ShowroomDeal>(
            dealId,
            d => d with { ContractContentsComplete = contentsComplete, SigningArticlesPrepared = articlesPrepared, ContractTermsDisputed = termsDisputed },
            Activity(actor, ShowroomActivities.ContractUpdated, properties: properties),
            cancellationToken);
    }

    /// <summary>The customer asks to check out after signing: fires <see cref="ShowroomTriggers.RequestCheckOut"/> with their reason.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="reason">Why the customer wants to check out.</param>
    /// <param name="actor">Who records the request.</param>
    /// <param name="cancellationToken">Cancels the move.</param>
    /// <returns>The result of the move.</returns>
    public static ValueTask<FireResult> RequestCheckOutAsync(this SalesFlowEngine engine, string dealId, string reason, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return engine.FireAsync(dealId, ShowroomTriggers.RequestCheckOut, new FireRequest(actor) { Reason = reason }, cancellationToken);
    }

    /// <summary>
    /// Decides, against the check-out conditions, whether the customer in Check-out may withdraw. Then fire
    /// <see cref="ShowroomTriggers.ApproveCheckOut"/> (eligible) or <see cref="ShowroomTriggers.RejectCheckOut"/> (not eligible).
    /// </summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="eligible">Whether the customer meets the check-out conditions.</param>
    /// <param name="actor">Who decides.</param>
    /// <param name="note">Which conditions were checked.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    /// <exception cref="InvalidOperationException">The deal is not in Check-out.</exception>
    public static ValueTask<Deal> DecideCheckOutAsync(this SalesFlowEngine engine, string dealId, bool eligible, string actor, string? note = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var properties = new Dictionary<string, string> { ["eligible"] = Bool(eligible) };
        // The decision names the check-out it belongs to, read from the same snapshot the change is saved against.
        return engine.UpdateAsync<ShowroomDeal>(
            dealId,
            (deal, d) => string.Equals(deal.StageId, ShowroomStages.CheckOut, StringComparison.Ordinal)
                ? d with { CheckOutDecision = new CheckOutDecision { Eligible = eligible, CheckOutSequence = deal.StageEnteredSequence } }
                : throw new InvalidOperationException($"Deal '{deal.Id}' is in stage '{deal.StageId}', not '{ShowroomStages.CheckOut}': request the check-out first."),
            Activity(actor, ShowroomActivities.CheckOutDecided, note, properties),
            cancellationToken);
    }

    /// <summary>Lists the showroom deals whose follow-up is due at or before a time (every page of the store's query).</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dueAtOrBefore">The time; usually now.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The deals due, ordered by id.</returns>
    public static ValueTask<IReadOnlyList<Deal>> GetShowroomFollowUpsDueAsync(this SalesFlowEngine engine, DateTimeOffset dueAtOrBefore, CancellationToken cancellationToken = default) =>
        engine.GetFollowUpsDueAsync(ShowroomPipeline.Id, dueAtOrBefore, cancellationToken);

    private static string Bool(bool value) => value ? "true" : "false";
}
