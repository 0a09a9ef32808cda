using Microsoft.Extensions.Compliance.Classification;

namespace SalesFlow;

/// <summary>
/// Marks a member of deal data as personal data (<see cref="SalesFlowTaxonomy.PersonalData"/>): a name, contact
/// details, an address or free text about the person. The member appears in
/// <see cref="PipelineDefinition.PersonalDataPaths"/>; <see cref="SalesFlowEngine.ErasePersonalDataAsync"/> erases it and
/// <see cref="SalesFlowEngine.ExportPersonalDataAsync"/> exports it.
/// </summary>
/// <remarks>
/// Any other <see cref="DataClassificationAttribute"/> (a host's own taxonomy) marks a member as personal too, unless its
/// classification is <see cref="DataClassification.None"/> or <see cref="DataClassification.Unknown"/>. On a positional
/// record, put the attribute on the property (<c>[property: PersonalData]</c>) or on the parameter; both are read.
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class PersonalDataAttribute : DataClassificationAttribute
{
    /// <summary>Initializes a new instance of the <see cref="PersonalDataAttribute"/> class.</summary>
    public PersonalDataAttribute()
        : base(SalesFlowTaxonomy.PersonalData)
    {
    }
}
