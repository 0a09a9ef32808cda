using System.Collections.Immutable;
using static SalesFlow.Pipelines.PipelineGuardHelpers;

namespace SalesFlow.Pipelines.B2B;

/// <summary>
/// The domain operations of the seven-step B2B pipeline. Each changes the deal's <see cref="B2BDeal"/> data
/// and records an activity event of a specific type (<see cref="B2BActivities"/>); <see cref="ReferAsync"/>
/// fires <see cref="B2BTriggers.Refer"/> and starts the referred deal.
/// </summary>
public static class B2BEngineExtensions
{
    /// <summary>The event property that links a referrer's <see cref="B2BTriggers.Refer"/> event to the referred deal.</summary>
    public const string ReferredDealIdProperty = "referredDealId";

    /// <summary>The event property that links a referred deal's first event to the referrer's deal.</summary>
    public const string ReferredByDealIdProperty = "referredByDealId";

    /// <summary>Records where the lead came from.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="source">The lead source.</param>
    /// <param name="actor">Who records it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> RecordLeadSourceAsync(this SalesFlowEngine engine, string dealId, LeadSource source, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var properties = new Dictionary<string, string> { ["source"] = source.ToString(), ["kind"] = LeadSources.KindOf(source).ToString() };
        return engine.UpdateAsync<B2BDeal>(dealId, d => d with { Source = source }, Activity(actor, B2BActivities.LeadSourceRecorded, properties: properties), cancellationToken);
    }

    /// <summary>Records the first contact with the lead.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="channel">How the contact was made.</param>
    /// <param name="actor">Who made it.</param>
    /// <param name="note">What was said, if worth keeping.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> RecordFirstContactAsync(this SalesFlowEngine engine, string dealId, ContactChannel channel, string actor, string? note = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var properties = new Dictionary<string, string> { ["channel"] = channel.ToString() };
        return engine.UpdateAsync<B2BDeal>(dealId, d => d with { FirstContactChannel = channel }, Activity(actor, B2BActivities.FirstContactRecorded, note, properties), cancellationToken);
    }

    /// <summary>Updates the BANT answers (budget, authority, need, timeline).</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="update">Returns the new answers from the current ones (<c>b =&gt; b with { BudgetConfirmed = true }</c>).</param>
    /// <param name="actor">Who records them.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> UpdateBantAsync(this SalesFlowEngine engine, string dealId, Func<BantAssessment, BantAssessment> update, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(update);
        return engine.UpdateAsync<B2BDeal>(dealId, d => d with { Bant = update(d.Bant) }, Activity(actor, B2BActivities.BantUpdated), cancellationToken);
    }

    /// <summary>Adds a needs-assessment question to the standard ones.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="questionId">The question's id, unique within the deal.</param>
    /// <param name="text">The question.</param>
    /// <param name="required">Whether it must be answered before the presentation.</param>
    /// <param name="actor">Who adds it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    /// <exception cref="ArgumentException">The deal already has a question with that id.</exception>
    public static ValueTask<Deal> AddNeedsQuestionAsync(this SalesFlowEngine engine, string dealId, string questionId, string text, bool required, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrWhiteSpace(questionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        return engine.UpdateAsync<B2BDeal>(
            dealId,
            d => d.NeedsQuestions.Any(q => string.Equals(q.Id, questionId, StringComparison.Ordinal))
                ? throw new ArgumentException($"The deal already has a needs-assessment question '{questionId}'; pick another id.", nameof(questionId))
                : d with { NeedsQuestions = d.NeedsQuestions.Add(new NeedsQuestion { Id = questionId, Text = text, Required = required }) },
            Activity(actor, B2BActivities.QuestionAdded, properties: new Dictionary<string, string> { ["question"] = questionId, ["required"] = required ? "true" : "false" }),
            cancellationToken);
    }

    /// <summary>Records the prospect's answer to a needs-assessment question.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="questionId">The question's id (see <see cref="NeedsQuestion.Standard"/> for the standard ones).</param>
    /// <param name="answer">The answer.</param>
    /// <param name="actor">Who records it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    /// <exception cref="ArgumentException">The deal has no such question.</exception>
    public static ValueTask<Deal> AnswerNeedsQuestionAsync(this SalesFlowEngine engine, string dealId, string questionId, string answer, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrWhiteSpace(questionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(answer);
        return engine.UpdateAsync<B2BDeal>(
            dealId,
            d =>
            {
                var index = IndexOf(d.NeedsQuestions, q => string.Equals(q.Id, questionId, StringComparison.Ordinal))
                    ?? throw new ArgumentException($"The deal has no needs-assessment question '{questionId}'. Add it with AddNeedsQuestionAsync first.", nameof(questionId));
                return d with { NeedsQuestions = d.NeedsQuestions.SetItem(index, d.NeedsQuestions[index] with { Answer = answer }) };
            },
            Activity(actor, B2BActivities.QuestionAnswered, properties: new Dictionary<string, string> { ["question"] = questionId }),
            cancellationToken);
    }

    /// <summary>Records that the seller repeated back what was heard and the prospect confirmed it.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="summary">What the seller repeated back.</param>
    /// <param name="actor">Who confirms it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> ConfirmUnderstandingAsync(this SalesFlowEngine engine, string dealId, string summary, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrWhiteSpace(summary);
        return engine.UpdateAsync<B2BDeal>(dealId, d => d with { ConfirmedUnderstanding = summary }, Activity(actor, B2BActivities.UnderstandingConfirmed), cancellationToken);
    }

    /// <summary>Records a real decision maker (a role or a name) for the presentation and the proposal.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="decisionMaker">The decision maker's role or name; kept in the deal data only, not in the event.</param>
    /// <param name="actor">Who records it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> IdentifyDecisionMakerAsync(this SalesFlowEngine engine, string dealId, string decisionMaker, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrWhiteSpace(decisionMaker);
        return engine.UpdateAsync<B2BDeal>(dealId, d => d with { DecisionMakers = d.DecisionMakers.Add(decisionMaker) }, Activity(actor, B2BActivities.DecisionMakerIdentified), cancellationToken);
    }

    /// <summary>Sets the presentation's time, end time and agenda in advance.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="startsAt">When it starts.</param>
    /// <param name="endsAt">When it ends; after <paramref name="startsAt"/>.</param>
    /// <param name="agenda">The agenda.</param>
    /// <param name="actor">Who schedules it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> SchedulePresentationAsync(this SalesFlowEngine engine, string dealId, DateTimeOffset startsAt, DateTimeOffset endsAt, string agenda, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrWhiteSpace(agenda);
        if (endsAt <= startsAt)
        {
            throw new ArgumentException("The presentation must end after it starts: set an end time later than the start time.", nameof(endsAt));
        }

        return engine.UpdateAsync<B2BDeal>(
            dealId,
            d => d with { PresentationStartsAt = startsAt, PresentationEndsAt = endsAt, PresentationAgenda = agenda },
            Activity(actor, B2BActivities.PresentationScheduled),
            cancellationToken);
    }

    /// <summary>Records the date agreed with the prospect to submit the proposal.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="dueOn">The agreed date.</param>
    /// <param name="actor">Who records it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> AgreeProposalDateAsync(this SalesFlowEngine engine, string dealId, DateOnly dueOn, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var properties = new Dictionary<string, string> { ["dueOn"] = dueOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) };
        return engine.UpdateAsync<B2BDeal>(dealId, d => d with { ProposalDueOn = dueOn }, Activity(actor, B2BActivities.ProposalDateAgreed, properties: properties), cancellationToken);
    }

    /// <summary>Records an objection the prospect raised. Its id is <c>objection-N</c> (N counts the deal's objections).</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="text">The objection, written down as the prospect said it.</param>
    /// <param name="actor">Who records it.</param>
    /// <param name="category">A category (for example <c>price</c>) to collect recurring objections.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change; the new objection is last in <see cref="B2BDeal.Objections"/>.</returns>
    public static ValueTask<Deal> RaiseObjectionAsync(this SalesFlowEngine engine, string dealId, string text, string actor, string? category = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        // Filled by the update (which knows how many objections exist); the engine reads it after the update runs.
        var properties = new Dictionary<string, string>();
        return engine.UpdateAsync<B2BDeal>(
            dealId,
            d =>
            {
                var id = $"objection-{d.Objections.Length + 1}";
                properties["objection"] = id;
                if (category is not null)
                {
                    properties["category"] = category;
                }

                return d with { Objections = d.Objections.Add(new Objection { Id = id, Text = text, Category = category, Status = ObjectionStatus.Open }) };
            },
            Activity(actor, B2BActivities.ObjectionRaised, text, properties),
            cancellationToken);
    }

    /// <summary>Records the answer to an objection; it stays open until resolved.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="objectionId">The objection's id.</param>
    /// <param name="answer">The answer given.</param>
    /// <param name="actor">Who answered.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    /// <exception cref="ArgumentException">The deal has no such objection.</exception>
    public static ValueTask<Deal> AnswerObjectionAsync(this SalesFlowEngine engine, string dealId, string objectionId, string answer, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(answer);
        return ChangeObjectionAsync(engine, dealId, objectionId, B2BActivities.ObjectionAnswered, answer, o => o with { Answer = answer, Status = ObjectionStatus.Answered }, actor, cancellationToken);
    }

    /// <summary>Carries an objection that cannot be answered now to the next meeting; it stays open.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="objectionId">The objection's id.</param>
    /// <param name="actor">Who carries it over.</param>
    /// <param name="note">What will be prepared for the next meeting.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    /// <exception cref="ArgumentException">The deal has no such objection.</exception>
    public static ValueTask<Deal> CarryObjectionOverAsync(this SalesFlowEngine engine, string dealId, string objectionId, string actor, string? note = null, CancellationToken cancellationToken = default) =>
        ChangeObjectionAsync(engine, dealId, objectionId, B2BActivities.ObjectionCarriedOver, note, o => o with { Status = ObjectionStatus.CarriedOver }, actor, cancellationToken);

    /// <summary>Marks an objection as resolved: the prospect is satisfied.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="objectionId">The objection's id.</param>
    /// <param name="actor">Who resolves it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    /// <exception cref="ArgumentException">The deal has no such objection.</exception>
    public static ValueTask<Deal> ResolveObjectionAsync(this SalesFlowEngine engine, string dealId, string objectionId, string actor, CancellationToken cancellationToken = default) =>
        ChangeObjectionAsync(engine, dealId, objectionId, B2BActivities.ObjectionResolved, null, o => o with { Status = ObjectionStatus.Resolved }, actor, cancellationToken);

    /// <summary>Records the closing technique used.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="technique">The technique.</param>
    /// <param name="actor">Who records it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> RecordClosingTechniqueAsync(this SalesFlowEngine engine, string dealId, ClosingTechnique technique, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var properties = new Dictionary<string, string> { ["technique"] = technique.ToString() };
        return engine.UpdateAsync<B2BDeal>(dealId, d => d with { ClosingTechnique = technique }, Activity(actor, B2BActivities.ClosingTechniqueRecorded, properties: properties), cancellationToken);
    }

    /// <summary>Records that the terms and price are finalised.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="actor">Who finalised them.</param>
    /// <param name="note">A summary of the terms.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> FinalizeTermsAsync(this SalesFlowEngine engine, string dealId, string actor, string? note = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return engine.UpdateAsync<B2BDeal>(dealId, d => d with { TermsFinalized = true }, Activity(actor, B2BActivities.TermsFinalized, note), cancellationToken);
    }

    /// <summary>Records that all delivery details are finalised.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="actor">Who finalised them.</param>
    /// <param name="note">A summary of the delivery details.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> FinalizeDeliveryAsync(this SalesFlowEngine engine, string dealId, string actor, string? note = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return engine.UpdateAsync<B2BDeal>(dealId, d => d with { DeliveryFinalized = true }, Activity(actor, B2BActivities.DeliveryFinalized, note), cancellationToken);
    }

    /// <summary>Updates the won customer's file. The event records only that the file changed, never its contents.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="update">Returns the new file from the current one (<c>f =&gt; f with { Position = "CFO" }</c>).</param>
    /// <param name="actor">Who updates it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> UpdateCustomerFileAsync(this SalesFlowEngine engine, string dealId, Func<CustomerFile, CustomerFile> update, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(update);
        return engine.UpdateAsync<B2BDeal>(dealId, d => d with { CustomerFile = update(d.CustomerFile) }, Activity(actor, B2BActivities.CustomerFileUpdated), cancellationToken);
    }

    /// <summary>Records a repeat purchase by the won customer.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="description">What was bought.</param>
    /// <param name="amount">The amount; zero or more.</param>
    /// <param name="actor">Who records it.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The deal after the change.</returns>
    public static ValueTask<Deal> RecordRepeatPurchaseAsync(this SalesFlowEngine engine, string dealId, string description, decimal amount, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var properties = new Dictionary<string, string> { ["amount"] = amount.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        return engine.UpdateAsync<B2BDeal>(
            dealId,
            d => d with { RepeatPurchases = d.RepeatPurchases.Add(new RepeatPurchase { Description = description, Amount = amount }) },
            Activity(actor, B2BActivities.RepeatPurchase, description, properties),
            cancellationToken);
    }

    /// <summary>
    /// A won customer refers a new lead: in one save, starts a new deal in Prospecting whose first event carries
    /// <see cref="ReferredByDealIdProperty"/>, fires <see cref="B2BTriggers.Refer"/> on the referrer's deal (its event
    /// carries <see cref="ReferredDealIdProperty"/>) and adds the new deal to the referrer's
    /// <see cref="B2BDeal.ReferredDealIds"/>. Both deals are saved together or not at all. The new deal's
    /// <see cref="B2BDeal.ReferredByDealId"/> is set and its source is <see cref="LeadSource.Referral"/> unless given.
    /// </summary>
    /// <param name="engine">The engine.</param>
    /// <param name="referrerDealId">The won deal whose customer refers the lead.</param>
    /// <param name="newDealId">The referred deal's id.</param>
    /// <param name="actor">Who records the referral.</param>
    /// <param name="data">The referred deal's first data; <see langword="null"/> for a new <see cref="B2BDeal"/>.</param>
    /// <param name="cancellationToken">Cancels the referral.</param>
    /// <returns>The referred deal, started.</returns>
    /// <exception cref="DealAlreadyExistsException">A deal with <paramref name="newDealId"/> exists; nothing was recorded.</exception>
    /// <exception cref="MoveNotPermittedException">The referrer's deal is not in Follow-up; nothing was recorded.</exception>
    /// <exception cref="MoveRejectedException">The referrer's <see cref="B2BTriggers.Refer"/> was refused; nothing was recorded.</exception>
    /// <exception cref="DealConflictException">The referrer's deal kept changing; nothing was recorded.</exception>
    public static async ValueTask<Deal> ReferAsync(this SalesFlowEngine engine, string referrerDealId, string newDealId, string actor, B2BDeal? data = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrWhiteSpace(referrerDealId);
        ArgumentException.ThrowIfNullOrWhiteSpace(newDealId);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (string.Equals(referrerDealId, newDealId, StringComparison.Ordinal))
        {
            throw new ArgumentException("A deal cannot refer itself: give the referred deal a new id.", nameof(newDealId));
        }

        var referrer = await engine.GetAsync(referrerDealId, cancellationToken).ConfigureAwait(false);
        var referred = (data ?? new B2BDeal()) with { ReferredByDealId = referrerDealId, Source = data?.Source ?? LeadSource.Referral };
        var start = new SalesFlowEngine.LinkedStart(
            engine.Pipelines.Get(B2BPipeline.Id),
            newDealId,
            referred,
            new StartRequest(actor)
            {
                Owner = referrer.Owner,
                Properties = new Dictionary<string, string> { [ReferredByDealIdProperty] = referrerDealId },
            },
            B2BActivities.ReferralLinked,
            new Dictionary<string, string> { [ReferredDealIdProperty] = newDealId },
            d => d is B2BDeal b2b
                ? b2b with { ReferredDealIds = b2b.ReferredDealIds.Add(newDealId) }
                : throw new ArgumentException($"Deal '{referrerDealId}' does not carry B2BDeal data; only seven-step B2B deals refer leads.", nameof(referrerDealId)));
        var (result, started) = await engine.FireAndStartAsync(
            referrerDealId,
            B2BTriggers.Refer,
            new FireRequest(actor) { Properties = new Dictionary<string, string> { [ReferredDealIdProperty] = newDealId } },
            start,
            cancellationToken).ConfigureAwait(false);
        result.EnsureAccepted();
        return started!;
    }

    private static ValueTask<Deal> ChangeObjectionAsync(SalesFlowEngine engine, string dealId, string objectionId, string activity, string? note, Func<Objection, Objection> change, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrWhiteSpace(objectionId);
        return engine.UpdateAsync<B2BDeal>(
            dealId,
            d =>
            {
                var index = IndexOf(d.Objections, o => string.Equals(o.Id, objectionId, StringComparison.Ordinal))
                    ?? throw new ArgumentException($"The deal has no objection '{objectionId}'.", nameof(objectionId));
                return d with { Objections = d.Objections.SetItem(index, change(d.Objections[index])) };
            },
            Activity(actor, activity, note, new Dictionary<string, string> { ["objection"] = objectionId }),
            cancellationToken);
    }

    private static int? IndexOf<T>(ImmutableArray<T> items, Func<T, bool> match)
    {
        for (var i = 0; i < items.Length; i++)
        {
            if (match(items[i]))
            {
                return i;
            }
        }

        return null;
    }
}
