using System.Text.Json.Serialization;

namespace SalesFlow.Pipelines.Showroom;

/// <summary>
/// The data of a showroom deal (a property sales office), read by the pipeline's guards. Plain settable
/// properties so stores can keep it as JSON; change it through <see cref="ShowroomEngineExtensions"/>
/// (each records an activity event) or <see cref="SalesFlowEngine.UpdateAsync{TData}(string, Action{TData}, ActivityRequest, CancellationToken)"/>.
/// </summary>
public sealed class ShowroomDeal
{
    /// <summary>Gets or sets whether this is the customer's first visit; <see langword="null"/> until asked.</summary>
    public bool? FirstVisit { get; set; }

    /// <summary>Gets or sets whether the customer phoned for information before; <see langword="null"/> until asked.</summary>
    public bool? PhonedBefore { get; set; }

    /// <summary>Gets or sets what the customer needs (size, budget, family, timing), asked during the project introduction.</summary>
    public string? CustomerNeeds { get; set; }

    /// <summary>Gets or sets the unit layouts the customer is interested in.</summary>
    public List<string> UnitsOfInterest { get; set; } = [];

    /// <summary>Gets or sets the seller's estimate of the customer's purchase desire, 0 to 100 percent.</summary>
    public int? PurchaseDesirePercent { get; set; }

    /// <summary>Gets or sets when the next negotiation is appointed.</summary>
    public DateTimeOffset? NextAppointmentAt { get; set; }

    /// <summary>Gets or sets the customer's grade; it sets the return-visit cadence and is adjusted by tracking.</summary>
    public CustomerGrade? Grade { get; set; }

    /// <summary>Gets or sets the deposit paid at subscription, if any.</summary>
    public decimal? DepositAmount { get; set; }

    /// <summary>Gets or sets a value indicating whether the contract's contents are filled in completely.</summary>
    public bool ContractContentsComplete { get; set; }

    /// <summary>Gets or sets a value indicating whether the articles needed for signing were prepared before the customer's visit.</summary>
    public bool SigningArticlesPrepared { get; set; }

    /// <summary>Gets or sets a value indicating whether a dispute with the customer over contract terms is open.</summary>
    public bool ContractTermsDisputed { get; set; }

    /// <summary>Gets or sets the eligibility decision of the current check-out, if made.</summary>
    public CheckOutDecision? CheckOutDecision { get; set; }
}

/// <summary>The grade of a showroom customer, A being the most promising.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CustomerGrade>))]
public enum CustomerGrade
{
    /// <summary>The most promising customers: followed up most often.</summary>
    A = 0,

    /// <summary>Promising customers.</summary>
    B = 1,

    /// <summary>The least promising customers: followed up least often.</summary>
    C = 2,
}

/// <summary>Whether a customer who asked to check out meets the check-out conditions.</summary>
public sealed class CheckOutDecision
{
    /// <summary>Gets or sets a value indicating whether the customer meets the check-out conditions.</summary>
    public bool Eligible { get; set; }

    /// <summary>Gets or sets when the check-out this decision belongs to started (the deal entered Check-out).</summary>
    /// <remarks>A decision from an earlier check-out does not count for a later one.</remarks>
    public DateTimeOffset CheckOutStartedAt { get; set; }
}
