using Microsoft.Extensions.Compliance.Classification;

namespace SalesFlow;

/// <summary>
/// The data classifications SalesFlow knows: what deal data members hold personal data (a customer's or contact's name,
/// contact details, address, free text about the person). Erasure and access exports act on the members so classified.
/// </summary>
public static class SalesFlowTaxonomy
{
    /// <summary>Gets the name of the taxonomy, <c>SalesFlow</c>.</summary>
    public static string TaxonomyName => "SalesFlow";

    /// <summary>Gets the classification of personal data: data that identifies or describes a person.</summary>
    public static DataClassification PersonalData { get; } = new(TaxonomyName, nameof(PersonalData));
}
