using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace SalesFlow.Pipelines.B2B;

/// <summary>
/// The data of a seven-step B2B deal, read by the pipeline's guards. Immutable: change it through the domain
/// operations of <see cref="B2BEngineExtensions"/> (each records an activity event) or with
/// <see cref="SalesFlowEngine.UpdateAsync{TData}(string, Func{TData, TData}, ActivityRequest, CancellationToken)"/>
/// and a <c>with</c> expression (<c>d =&gt; d with { Industry = "retail" }</c>).
/// </summary>
public sealed record B2BDeal
{
    /// <summary>Gets where the lead came from.</summary>
    public LeadSource? Source { get; init; }

    /// <summary>Gets the prospect's industry, used to judge fit.</summary>
    public string? Industry { get; init; }

    /// <summary>Gets how the first contact was made.</summary>
    public ContactChannel? FirstContactChannel { get; init; }

    /// <summary>Gets the BANT answers collected during qualification.</summary>
    public BantAssessment Bant { get; init; } = new();

    /// <summary>
    /// Gets the needs-assessment questions: the standard open questions
    /// (<see cref="NeedsQuestion.Standard"/>) plus any the seller adds.
    /// </summary>
    public ImmutableArray<NeedsQuestion> NeedsQuestions { get; init; } = NeedsQuestion.Standard();

    /// <summary>Gets what the seller repeated back to the prospect, once the prospect confirmed it; <see langword="null"/> until then.</summary>
    [PersonalData]
    public string? ConfirmedUnderstanding { get; init; }

    /// <summary>Gets the real decision makers identified (roles or names), for the presentation and the proposal.</summary>
    [PersonalData]
    public ImmutableArray<string> DecisionMakers { get; init; } = [];

    /// <summary>Gets when the presentation starts.</summary>
    public DateTimeOffset? PresentationStartsAt { get; init; }

    /// <summary>Gets when the presentation ends (set in advance so everyone can attend all of it).</summary>
    public DateTimeOffset? PresentationEndsAt { get; init; }

    /// <summary>Gets the presentation's agenda.</summary>
    public string? PresentationAgenda { get; init; }

    /// <summary>Gets a value indicating whether the product needs a separate, tailored proposal.</summary>
    /// <value>The default value is <see langword="true"/>; <see langword="false"/> allows Close straight from Presentation.</value>
    public bool ProposalRequired { get; init; } = true;

    /// <summary>Gets the date agreed with the prospect to submit the proposal.</summary>
    public DateOnly? ProposalDueOn { get; init; }

    /// <summary>Gets the objections raised, answered and resolved.</summary>
    public ImmutableArray<Objection> Objections { get; init; } = [];

    /// <summary>Gets the closing technique used.</summary>
    public ClosingTechnique? ClosingTechnique { get; init; }

    /// <summary>Gets a value indicating whether the terms and price are finalised.</summary>
    public bool TermsFinalized { get; init; }

    /// <summary>Gets a value indicating whether all delivery details are finalised.</summary>
    public bool DeliveryFinalized { get; init; }

    /// <summary>Gets the customer file kept after the sale.</summary>
    [PersonalData]
    public CustomerFile CustomerFile { get; init; } = new();

    /// <summary>Gets the customer's repeat purchases.</summary>
    public ImmutableArray<RepeatPurchase> RepeatPurchases { get; init; } = [];

    /// <summary>Gets the id of the deal whose customer referred this lead, if any.</summary>
    public string? ReferredByDealId { get; init; }

    /// <summary>Gets the ids of the deals this customer referred.</summary>
    public ImmutableArray<string> ReferredDealIds { get; init; } = [];

    /// <summary>Gets the objections not resolved yet (raised, answered but not resolved, or carried over).</summary>
    [JsonIgnore]
    public IEnumerable<Objection> OpenObjections => Objections.Where(o => o.Status != ObjectionStatus.Resolved);

    /// <summary>Gets the required needs-assessment questions without an answer.</summary>
    [JsonIgnore]
    public IEnumerable<NeedsQuestion> UnansweredRequiredQuestions => NeedsQuestions.Where(q => q.Required && !q.IsAnswered);
}

/// <summary>Where a lead came from: the seed's inbound and outbound marketing channels, or a referral.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LeadSource>))]
public enum LeadSource
{
    /// <summary>Inbound: a blog.</summary>
    Blog = 0,

    /// <summary>Inbound: a broadcast or podcast.</summary>
    Broadcast = 1,

    /// <summary>Inbound: a video.</summary>
    Video = 2,

    /// <summary>Inbound: an e-book.</summary>
    EBook = 3,

    /// <summary>Inbound: a news subscription or newsletter.</summary>
    Newsletter = 4,

    /// <summary>Inbound: a white paper.</summary>
    WhitePaper = 5,

    /// <summary>Inbound: a product page.</summary>
    ProductPage = 6,

    /// <summary>Inbound: search engine optimisation.</summary>
    Seo = 7,

    /// <summary>Inbound: search engine marketing (paid search).</summary>
    Sem = 8,

    /// <summary>Inbound: social media.</summary>
    SocialMedia = 9,

    /// <summary>Outbound: telemarketing.</summary>
    Telemarketing = 20,

    /// <summary>Outbound: email or mail marketing.</summary>
    MailMarketing = 21,

    /// <summary>Outbound: direct mail advertising.</summary>
    DirectMail = 22,

    /// <summary>Outbound: an exhibition or trade show.</summary>
    Exhibition = 23,

    /// <summary>Outbound: traditional advertising (TV, magazines, newspapers, radio).</summary>
    Advertising = 24,

    /// <summary>A happy customer referred the lead (see <see cref="B2BTriggers.Refer"/>).</summary>
    Referral = 40,
}

/// <summary>The two ways of mining leads described in the seed, plus referrals.</summary>
public enum LeadSourceKind
{
    /// <summary>Inbound marketing: content and resources that attract the customer.</summary>
    Inbound = 0,

    /// <summary>Outbound marketing: the company actively reaches out.</summary>
    Outbound = 1,

    /// <summary>Referred by an existing customer.</summary>
    Referral = 2,
}

/// <summary>Classifies <see cref="LeadSource"/> values.</summary>
public static class LeadSources
{
    /// <summary>Gets whether a lead source is inbound, outbound or a referral.</summary>
    /// <param name="source">The lead source.</param>
    /// <returns>The source's kind.</returns>
    public static LeadSourceKind KindOf(LeadSource source) => source switch
    {
        LeadSource.Referral => LeadSourceKind.Referral,
        >= LeadSource.Telemarketing => LeadSourceKind.Outbound,
        _ => LeadSourceKind.Inbound,
    };
}

/// <summary>How the first contact with a lead was made.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ContactChannel>))]
public enum ContactChannel
{
    /// <summary>By phone.</summary>
    Phone = 0,

    /// <summary>By email.</summary>
    Email = 1,

    /// <summary>Through social media.</summary>
    SocialMedia = 2,

    /// <summary>In person.</summary>
    InPerson = 3,
}

/// <summary>The BANT answers that make a lead qualified: budget, authority (decision maker), need and timeline.</summary>
public sealed record BantAssessment
{
    /// <summary>Gets a value indicating whether the prospect has a budget for the purchase.</summary>
    public bool BudgetConfirmed { get; init; }

    /// <summary>Gets the budget's amount, if known.</summary>
    public decimal? BudgetAmount { get; init; }

    /// <summary>Gets a value indicating whether the contact is, or gives access to, the decision maker.</summary>
    public bool AuthorityConfirmed { get; init; }

    /// <summary>Gets a value indicating whether the prospect has a need the product meets.</summary>
    public bool NeedConfirmed { get; init; }

    /// <summary>Gets a value indicating whether the prospect has a time frame for buying.</summary>
    public bool TimelineConfirmed { get; init; }

    /// <summary>Gets the date the prospect expects to decide by, if known.</summary>
    public DateOnly? DecisionExpectedBy { get; init; }
}

/// <summary>One needs-assessment question: a standard open question from the seed, or one the seller added.</summary>
public sealed record NeedsQuestion
{
    /// <summary>Gets the question's id, unique within the deal.</summary>
    public string Id { get; init; } = "";

    /// <summary>Gets the question.</summary>
    public string Text { get; init; } = "";

    /// <summary>Gets a value indicating whether the question must be answered before the presentation.</summary>
    public bool Required { get; init; }

    /// <summary>Gets the prospect's answer; <see langword="null"/> until answered.</summary>
    [PersonalData]
    public string? Answer { get; init; }

    /// <summary>Gets a value indicating whether the question has an answer.</summary>
    [JsonIgnore]
    public bool IsAnswered => !string.IsNullOrWhiteSpace(Answer);

    /// <summary>Returns the standard open questions of the needs assessment, all required.</summary>
    /// <returns>The questions: previous suppliers, business problem, present situation, outcome when solved.</returns>
    public static ImmutableArray<NeedsQuestion> Standard() =>
    [
        new() { Id = "previous-supplier", Text = "What do you like, and dislike, about your previous suppliers?", Required = true },
        new() { Id = "business-problem", Text = "What business problems do you want us to solve?", Required = true },
        new() { Id = "present-situation", Text = "Describe your present situation.", Required = true },
        new() { Id = "outcome-when-solved", Text = "What will happen when you solve the current business problems?", Required = true },
    ];
}

/// <summary>The state of an <see cref="Objection"/>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ObjectionStatus>))]
public enum ObjectionStatus
{
    /// <summary>Raised and not answered yet.</summary>
    Open = 0,

    /// <summary>Answered; waiting for the prospect to be satisfied.</summary>
    Answered = 1,

    /// <summary>Could not be answered now; carried to the next meeting.</summary>
    CarriedOver = 2,

    /// <summary>Dealt with: the prospect is satisfied.</summary>
    Resolved = 3,
}

/// <summary>A question or doubt the prospect raised about the proposal.</summary>
public sealed record Objection
{
    /// <summary>Gets the objection's id within the deal (<c>objection-1</c>, <c>objection-2</c> …).</summary>
    public string Id { get; init; } = "";

    /// <summary>Gets what the prospect objected.</summary>
    public string Text { get; init; } = "";

    /// <summary>Gets a category (for example <c>price</c>) so recurring objections can be collected for the team.</summary>
    public string? Category { get; init; }

    /// <summary>Gets the objection's state.</summary>
    public ObjectionStatus Status { get; init; }

    /// <summary>Gets the answer given, if any.</summary>
    public string? Answer { get; init; }
}

/// <summary>Closing techniques named in the seed.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClosingTechnique>))]
public enum ClosingTechnique
{
    /// <summary>Direct close: the customer shows a clear buying signal, or there is no doubt left.</summary>
    Direct = 0,

    /// <summary>Assumptive close: doubts are removed; talk as if the decision to buy is made.</summary>
    Assumptive = 1,

    /// <summary>Opportunity close: re-stress the vision, cite similar cases, show why now is the best chance.</summary>
    Opportunity = 2,

    /// <summary>Pressure close: show a hesitant customer the real pressures they face.</summary>
    Pressure = 3,

    /// <summary>Another technique (playing hard to get, life experience, economic accounting …).</summary>
    Other = 4,
}

/// <summary>The customer file kept after the sale: what helps to know the customer and keep the relationship.</summary>
/// <remarks>Personal data: keep it in the deal data, never in event properties or logs.</remarks>
public sealed record CustomerFile
{
    /// <summary>Gets the customer's position.</summary>
    public string? Position { get; init; }

    /// <summary>Gets the customer's education.</summary>
    public string? Education { get; init; }

    /// <summary>Gets the customer's hobbies.</summary>
    public ImmutableArray<string> Hobbies { get; init; } = [];

    /// <summary>Gets free notes: family, places visited, cultural background, likes and dislikes.</summary>
    public ImmutableArray<string> Notes { get; init; } = [];
}

/// <summary>A repeat purchase by a won customer.</summary>
public sealed record RepeatPurchase
{
    /// <summary>Gets what was bought.</summary>
    public string Description { get; init; } = "";

    /// <summary>Gets the amount.</summary>
    public decimal Amount { get; init; }
}
