using System.Collections.Immutable;

namespace SalesFlow;

/// <summary>What <see cref="CrmImporter.ImportAsync(TextReader, CancellationToken)"/> did.</summary>
public sealed record CrmImportResult
{
    /// <summary>Gets the number of data rows read (the header not counted).</summary>
    public required long RowsRead { get; init; }

    /// <summary>Gets the number of deals written to the store.</summary>
    public required int DealsImported { get; init; }

    /// <summary>Gets the number of events written with them.</summary>
    public required long EventsImported { get; init; }

    /// <summary>Gets the number of deals left alone because a deal with the same id was in the store already.</summary>
    public required int DealsSkipped { get; init; }

    /// <summary>Gets the rows that were not imported, in line order, each with its reason.</summary>
    public required IReadOnlyList<RejectedRow> Rejected { get; init; }
}

/// <summary>A CSV row that was not imported.</summary>
/// <param name="Line">The CSV line the row starts on, from 1 (the header is line 1; a quoted field with line breaks spans several lines).</param>
/// <param name="DealId">The row's deal id, when it has one.</param>
/// <param name="Reason">Why the row was not imported.</param>
public sealed record RejectedRow(long Line, string? DealId, string Reason);

/// <summary>A deal read from an export, as <see cref="CrmImportOptions.DataFactory"/> sees it to make the deal's data.</summary>
/// <param name="DealId">The deal id.</param>
/// <param name="StageId">The pipeline stage the deal ends in.</param>
/// <param name="CreatedAt">When the deal started.</param>
/// <param name="Owner">The owner, if the export has one.</param>
/// <param name="Amount">The amount, if the export has one.</param>
/// <param name="Attributes">The mapped attribute columns (empty values left out).</param>
public sealed record ImportedDeal(
    string DealId,
    string StageId,
    DateTimeOffset CreatedAt,
    string? Owner,
    decimal? Amount,
    ImmutableDictionary<string, string> Attributes);

/// <summary>Options of a <see cref="CrmImporter"/>.</summary>
public sealed class CrmImportOptions
{
    /// <summary>Gets how many deals go to the store in one <see cref="IDealStore.ImportAsync"/> call (one transaction). Default 500.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>
    /// Gets the function that makes a deal's data. Required for pipelines with a typed data type; for pipelines with
    /// schemaless <see cref="JsonDealData"/> it may be left out, and the data is a JSON object of the deal's attributes.
    /// </summary>
    public Func<ImportedDeal, object>? DataFactory { get; init; }

    /// <summary>
    /// Gets the identity of whoever runs the import, with their roles and claims, for the pipeline's permissions
    /// (<see cref="PipelinePermissions.Manage"/>) and <see cref="Authorizer"/>.
    /// </summary>
    public System.Security.Claims.ClaimsPrincipal? User { get; init; }

    /// <summary>
    /// Gets who decides, deal by deal, whether it may be imported (<see cref="DealAction.Import"/>), after the pipeline's
    /// permissions. A denied deal is reported as a rejected row with the reason and not written.
    /// </summary>
    /// <value>The default value is <c>null</c>: the pipeline's permissions alone decide.</value>
    public DealAuthorizer? Authorizer { get; init; }

    /// <summary>
    /// Gets the limits every imported row keeps, as every other write does: the deal id and owner follow the id rules, the
    /// CRM's stage name and the attributes the property value rules. A row that breaks one is rejected with the reason.
    /// </summary>
    /// <value>The default value is <see cref="InputLimits.Default"/>.</value>
    public InputLimits InputLimits { get; init; } = InputLimits.Default;
}
