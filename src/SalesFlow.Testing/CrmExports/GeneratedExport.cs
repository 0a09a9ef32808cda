namespace SalesFlow.Testing.CrmExports;

/// <summary>A generated CRM export and its ground truth.</summary>
/// <param name="Shape">The export's shape.</param>
/// <param name="Csv">The CSV text, header first.</param>
/// <param name="Deals">The deals an import must produce, in file order.</param>
/// <param name="BadRows">The bad rows, in file order.</param>
public sealed record GeneratedExport(ExportShape Shape, string Csv, IReadOnlyList<GeneratedDeal> Deals, IReadOnlyList<GeneratedBadRow> BadRows)
{
    /// <summary>Gets every line an import must reject: the bad rows and, in a history export, the other rows of their deals.</summary>
    public IReadOnlyList<long> RejectedLines =>
        [.. BadRows.SelectMany(b => b.DealLines.Count > 0 ? b.DealLines : [b.Line]).Order()];
}

/// <summary>What one generated deal must become once imported.</summary>
/// <param name="Id">The deal id.</param>
/// <param name="StageId">The pipeline stage it ends in (<c>won</c> and <c>lost</c> are the closed ones).</param>
/// <param name="Owner">The owner.</param>
/// <param name="Amount">The amount.</param>
/// <param name="Product">The product's canonical name.</param>
/// <param name="ProductAsWritten">The product as the export spells it (trimmed).</param>
/// <param name="StartedAt">When the deal started: its first date.</param>
/// <param name="LastMovedAt">When it entered its last stage: its last date.</param>
/// <param name="Events">How many events it must have.</param>
/// <param name="Lines">The lines its rows start on.</param>
public sealed record GeneratedDeal(
    string Id,
    string StageId,
    string Owner,
    decimal Amount,
    string Product,
    string ProductAsWritten,
    DateTimeOffset StartedAt,
    DateTimeOffset LastMovedAt,
    int Events,
    IReadOnlyList<long> Lines)
{
    /// <summary>Gets the account (snapshot exports), with the commas and quotes it has.</summary>
    public string? Account { get; init; }

    /// <summary>Gets the region (snapshot exports).</summary>
    public string? Region { get; init; }

    /// <summary>Gets the stages visited in order (history exports).</summary>
    public IReadOnlyList<string> Stages { get; init; } = [];
}

/// <summary>A bad row of a generated export.</summary>
/// <param name="Line">The line it starts on (the header is line 1).</param>
/// <param name="DealId">Its deal id; <see langword="null"/> for a row without one.</param>
/// <param name="Problem">What is wrong: <c>stage</c> (unknown), <c>date</c> (unreadable), <c>id</c> (missing) or <c>amount</c> (unreadable).</param>
public sealed record GeneratedBadRow(long Line, string? DealId, string Problem)
{
    /// <summary>Gets every line of the bad row's deal (history exports: the whole deal is rejected); empty for snapshot exports.</summary>
    public IReadOnlyList<long> DealLines { get; init; } = [];
}
