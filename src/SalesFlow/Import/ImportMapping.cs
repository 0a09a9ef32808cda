using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace SalesFlow;

/// <summary>The shape of a CRM export.</summary>
public enum ExportShape
{
    /// <summary>One row per deal: its current stage and a few dates (the usual opportunities export).</summary>
    Snapshot = 0,

    /// <summary>One row per stage change (an opportunity history, a property history, a deal flow).</summary>
    History = 1,
}

/// <summary>
/// How a CRM's CSV export maps to a pipeline: which column holds what, how its stage names map to the pipeline's
/// stages, and how its dates and numbers are written. Load one from JSON with <see cref="Load(string)"/> (the format is
/// described by <see cref="Schema"/> and in <c>docs/import.md</c>).
/// </summary>
public sealed class ImportMapping
{
    private static readonly Lazy<string> SchemaText = new(() =>
    {
        using var stream = typeof(ImportMapping).Assembly.GetManifestResourceStream("SalesFlow.import-mapping.schema.json")
            ?? throw new InvalidOperationException("The import mapping schema is missing from the SalesFlow assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private ImmutableDictionary<string, ImmutableDictionary<string, ImmutableArray<string>>> _attributeValues =
        ImmutableDictionary<string, ImmutableDictionary<string, ImmutableArray<string>>>.Empty;

    private FrozenDictionary<string, FrozenDictionary<string, string>> _canonical =
        FrozenDictionary<string, FrozenDictionary<string, string>>.Empty;

    internal ImportMapping()
    {
    }

    /// <summary>Gets the JSON Schema (draft 2020-12) of mapping files, as shipped in <c>pipelines/import-mapping.schema.json</c>.</summary>
    public static string Schema => SchemaText.Value;

    /// <summary>Gets the shape of the export.</summary>
    public ExportShape Shape { get; internal init; }

    /// <summary>Gets the short name of the CRM or export; imported events carry the actor <c>import:&lt;source&gt;</c>.</summary>
    public string Source { get; internal init; } = "csv";

    /// <summary>Gets the id of the pipeline the mapping is written for, if it names one.</summary>
    public string? PipelineId { get; internal init; }

    /// <summary>Gets the column holding the deal id.</summary>
    public string DealIdColumn { get; internal init; } = "";

    /// <summary>Gets the column holding the stage (snapshot: the current one; history: the one entered).</summary>
    public string StageColumn { get; internal init; } = "";

    /// <summary>Gets the column holding the creation date, if mapped (required for snapshot exports).</summary>
    public string? CreatedColumn { get; internal init; }

    /// <summary>Gets the column holding the close date of won and lost deals (snapshot), if mapped.</summary>
    public string? ClosedColumn { get; internal init; }

    /// <summary>Gets the column holding when an open deal entered its current stage (snapshot), if mapped.</summary>
    public string? StageEnteredColumn { get; internal init; }

    /// <summary>Gets the column holding when the stage changed (history; required there).</summary>
    public string? ChangedAtColumn { get; internal init; }

    /// <summary>Gets the column holding the amount, if mapped.</summary>
    public string? AmountColumn { get; internal init; }

    /// <summary>Gets the column holding the owner, if mapped.</summary>
    public string? OwnerColumn { get; internal init; }

    /// <summary>Gets the deal attributes: attribute name to column name.</summary>
    public ImmutableDictionary<string, string> Attributes { get; internal init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>
    /// Gets the canonical values of attributes: attribute name to its canonical values, each with the further spellings
    /// that mean it. An imported value that agrees with a canonical value or one of its spellings, ignoring case and
    /// everything but letters and digits, is stored as the canonical value; any other value is stored as written.
    /// </summary>
    public ImmutableDictionary<string, ImmutableDictionary<string, ImmutableArray<string>>> AttributeValues
    {
        get => _attributeValues;
        internal init
        {
            _attributeValues = value;
            _canonical = value.ToFrozenDictionary(
                a => a.Key,
                a => a.Value
                    .SelectMany(c => c.Value.Prepend(c.Key).Select(spelling => (Folded: Fold(spelling), Canonical: c.Key)))
                    .Where(x => x.Folded.Length > 0)
                    .DistinctBy(x => x.Folded)
                    .ToFrozenDictionary(x => x.Folded, x => x.Canonical, StringComparer.Ordinal),
                StringComparer.Ordinal);
        }
    }

    /// <summary>Gets the CRM stage names (trimmed, compared ignoring case) and the pipeline stage ids they map to.</summary>
    public ImmutableDictionary<string, string> Stages { get; internal init; } = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the CRM stage names that mean won.</summary>
    public ImmutableArray<string> WonStages { get; internal init; } = [];

    /// <summary>Gets the CRM stage names that mean lost.</summary>
    public ImmutableArray<string> LostStages { get; internal init; } = [];

    /// <summary>Gets the date formats tried in order; empty for ISO 8601.</summary>
    public ImmutableArray<string> DateFormats { get; internal init; } = [];

    /// <summary>Gets the time zone of dates written without an offset.</summary>
    public TimeZoneInfo TimeZone { get; internal init; } = TimeZoneInfo.Utc;

    /// <summary>Gets the number format amounts are read with.</summary>
    public NumberFormatInfo NumberFormat { get; internal init; } = NumberFormatInfo.InvariantInfo;

    /// <summary>Gets the CSV field separator.</summary>
    public char Delimiter { get; internal init; } = ',';

    /// <summary>Returns an attribute's value as stored: its canonical value when <see cref="AttributeValues"/> knows the spelling, else as given.</summary>
    /// <param name="attribute">The attribute's name.</param>
    /// <param name="value">The value as the export writes it (trimmed).</param>
    /// <returns>The value to store.</returns>
    public string CanonicalValue(string attribute, string value)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        ArgumentNullException.ThrowIfNull(value);
        return TryGetCanonical(attribute, value, out var canonical) ? canonical : value;
    }

    /// <summary>A spelling's folded form: its letters and digits, lower case.</summary>
    internal static string Fold(string value)
    {
        var folded = value.Length <= MaxStackFold ? stackalloc char[value.Length] : new char[value.Length];
        return new string(folded[..Fold(value, folded)]);
    }

    // Finds the canonical value of a spelling without making a string of it (the importer looks one up per attribute
    // and row): the folded form is written into a buffer and, on .NET 9 and later, looked up as a span.
    internal bool TryGetCanonical(string attribute, ReadOnlySpan<char> value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? canonical)
    {
        canonical = null;
        if (!_canonical.TryGetValue(attribute, out var values))
        {
            return false;
        }

        var folded = value.Length <= MaxStackFold ? stackalloc char[value.Length] : new char[value.Length];
        folded = folded[..Fold(value, folded)];
#if NET9_0_OR_GREATER
        return values.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(folded, out canonical);
#else
        return values.TryGetValue(new string(folded), out canonical);
#endif
    }

    // Spellings up to this long are folded on the stack; longer ones (rare) in an array.
    private const int MaxStackFold = 256;

    private static int Fold(ReadOnlySpan<char> value, Span<char> folded)
    {
        var length = 0;
        foreach (var c in value)
        {
            if (char.IsLetterOrDigit(c))
            {
                folded[length++] = char.ToLowerInvariant(c);
            }
        }

        return length;
    }

    /// <summary>Loads a mapping from JSON text; never throws on bad input.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The mapping, or every problem found with its JSON pointer, line and column.</returns>
    public static ImportMappingLoadResult Load(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return ImportMappingReader.Read(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Loads a mapping from UTF-8 JSON (a file's bytes, with or without a byte order mark); never throws on bad input.</summary>
    /// <param name="utf8Json">The JSON as UTF-8 bytes.</param>
    /// <returns>The mapping, or every problem found with its JSON pointer, line and column.</returns>
    public static ImportMappingLoadResult Load(ReadOnlySpan<byte> utf8Json)
    {
        var start = utf8Json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        return ImportMappingReader.Read(utf8Json[start..].ToArray());
    }

    /// <summary>Loads a mapping from JSON text and throws when it has errors.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The mapping.</returns>
    /// <exception cref="ImportMappingException">The JSON has errors; the exception lists every diagnostic.</exception>
    public static ImportMapping Parse(string json) => Load(json).EnsureSucceeded();
}

/// <summary>What <see cref="ImportMapping.Load(string)"/> found: the mapping, or the errors that stopped it.</summary>
public sealed class ImportMappingLoadResult
{
    internal ImportMappingLoadResult(ImportMapping? mapping, IReadOnlyList<PipelineDiagnostic> diagnostics)
    {
        Mapping = mapping;
        Diagnostics = diagnostics;
    }

    /// <summary>Gets the mapping; <see langword="null"/> when there are errors.</summary>
    public ImportMapping? Mapping { get; }

    /// <summary>Gets every finding, ordered by line and column.</summary>
    public IReadOnlyList<PipelineDiagnostic> Diagnostics { get; }

    /// <summary>Gets a value indicating whether the mapping was read (no errors).</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Mapping))]
    public bool Succeeded => Mapping is not null;

    /// <summary>Returns the mapping, or throws with every diagnostic.</summary>
    /// <returns>The mapping.</returns>
    /// <exception cref="ImportMappingException">There are errors.</exception>
    public ImportMapping EnsureSucceeded() => Mapping ?? throw new ImportMappingException(Diagnostics);
}

/// <summary>An import mapping cannot be used: it is malformed, breaks the schema, or does not fit the pipeline.</summary>
public sealed class ImportMappingException : SalesFlowException
{
    /// <summary>Initializes a new instance of the <see cref="ImportMappingException"/> class.</summary>
    /// <param name="diagnostics">Every problem found.</param>
    public ImportMappingException(IReadOnlyList<PipelineDiagnostic> diagnostics)
        : base("The import mapping has errors:" + Environment.NewLine + string.Join(Environment.NewLine, (diagnostics ?? []).Select(d => "- " + d)))
        => Diagnostics = diagnostics ?? [];

    /// <summary>Gets every problem found.</summary>
    public IReadOnlyList<PipelineDiagnostic> Diagnostics { get; }
}
