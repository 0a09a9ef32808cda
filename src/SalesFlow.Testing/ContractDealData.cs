using System.Collections.Immutable;

namespace SalesFlow.Testing;

/// <summary>
/// The deal data of the contract's pipeline: a bit of everything a store has to carry through JSON (text, whole and
/// decimal numbers, a list, a flag). A store under test reads it back through the pipelines of
/// <see cref="DealStoreContractTests.Pipelines"/>.
/// </summary>
public sealed record ContractDealData
{
    /// <summary>Gets the customer's name.</summary>
    public string? Customer { get; init; }

    /// <summary>Gets a counter the tests increase.</summary>
    public int Counter { get; init; }

    /// <summary>Gets a decimal amount.</summary>
    public decimal Budget { get; init; }

    /// <summary>Gets a list of tags.</summary>
    public ImmutableArray<string> Tags { get; init; } = [];

    /// <summary>Gets a value indicating whether the contract is signed (the guard of the <c>sign</c> move).</summary>
    public bool IsSigned { get; init; }
}
