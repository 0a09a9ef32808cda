using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace SalesFlow.Pipelines.Showroom;

/// <summary>
/// The data of a showroom deal (a property sales office), read by the pipeline's guards. Immutable: change it
/// through <see cref="ShowroomEngineExtensions"/> (each records an activity event) or with
/// <see cref="SalesFlowEngine.UpdateAsync{TData}(string, Func{TData, TData}, ActivityRequest, CancellationToken)"/>.
/// </summary>
public sealed record ShowroomDeal
{
    /// <summary>Gets whether this is the customer's first visit; <see langword="null"/> until asked.</summary>
    public bool? FirstVisit { get; init; }

    /// <summary>Gets whether the customer phoned for information before; <see langword="null"/> until asked.</summary>
    public bool? PhonedBefore { get; init; }

    /// <summary>Gets what the customer needs (size, budget, family, timing), asked during the project introduction.</summary>
    [PersonalData]
    public string? CustomerNeeds { get; init; }

    /// <summary>Gets the unit layouts the customer is interested in.</summary>
    public ImmutableArray<string> UnitsOfInterest { get; init; } = [];

    /// <summary>Gets the seller's estimate of the customer's purchase desire, 0 to 100 percent.</summary>
    public int? PurchaseDesirePercent { get; init; }

    /// <summary>Gets when the next negotiation is appointed.</summary>
    public DateTimeOffset? NextAppointmentAt { get; init; }

    /// <summary>Gets the customer's grade; it sets the return-visit cadence and is adjusted by tracking.</summary>
    public CustomerGrade? Grade { get; init; }

    /// <summary>Gets the deposit paid at subscription, if any.</summary>
    public decimal? DepositAmount { get; init; }

    /// <summary>Gets a value indicating whether the contract's contents are filled in completely.</summary>
    public bool ContractContentsComplete { get; init; }

    /// <summary>Gets a value indicating whether the articles needed for signing were prepared before the customer's visit.</summary>
    public bool SigningArticlesPrepared { get; init; }

    /// <summary>Gets a value indicating whether a dispute with the customer over contract terms is open.</summary>
    public bool ContractTermsDisputed { get; init; }

    /// <summary>Gets the eligibility decision of the current check-out, if made.</summary>
    public CheckOutDecision? CheckOutDecision { get; init; }
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
public sealed record CheckOutDecision
{
    /// <summary>Gets a value indicating whether the customer meets the check-out conditions.</summary>
    public bool Eligible { get; init; }

    /// <summary>
    /// Gets the check-out this decision belongs to: the <see cref="Deal.StageEnteredSequence"/> of the deal when it
    /// entered Check-out. A decision made in an earlier check-out does not count for a later one, even at the same instant.
    /// </summary>
    public long CheckOutSequence { get; init; }
}
