using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Json.Schema;

namespace SalesFlow;

/// <summary>
/// Reads an <see cref="ImportMapping"/> from JSON: malformed JSON, schema violations and values that cannot be used
/// (an unknown time zone or culture, a stage listed as won and lost) come back together as diagnostics with their JSON
/// pointer, line and column.
/// </summary>
internal static class ImportMappingReader
{
    // SF6xxx: import mappings (SF0001 and SF0002, malformed JSON and schema violations, are shared with pipeline files).
    public const string UnknownTimeZone = "SF6001";
    public const string UnknownCulture = "SF6002";
    public const string BadDateFormat = "SF6003";
    public const string WonAndLost = "SF6004";
    public const string StageNameTwice = "SF6005";
    public const string SeparatorClash = "SF6006";
    public const string ValuesOfUnknownAttribute = "SF6007";
    public const string SpellingTwice = "SF6008";

    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    // A registry of its own, as PipelineJsonReader does: the global one refuses a second schema with the same $id.
    private static readonly Lazy<JsonSchema> SchemaDocument = new(() =>
        JsonSchema.FromText(ImportMapping.Schema, new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    public static ImportMappingLoadResult Read(byte[] utf8)
    {
        var positions = new JsonPositions(utf8);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException ex)
        {
            var (line, column) = positions.FromException(ex);
            var cut = ex.Message.IndexOf(" Path:", StringComparison.Ordinal);
            var text = (cut > 0 ? ex.Message[..cut] : ex.Message).Trim();
            return new ImportMappingLoadResult(null, [new PipelineDiagnostic(
                DiagnosticSeverity.Error, DiagnosticCodes.MalformedJson, $"The file is not valid JSON: {text} Fix the JSON syntax there.", new DiagnosticLocation("", line, column))]);
        }

        using (document)
        {
            positions.Index(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var problems = new List<(string Code, string Message, string Pointer)>();
            CheckSchema(document.RootElement, problems);
            var mapping = problems.Count == 0 ? Build(document.RootElement, problems) : null;
            var diagnostics = problems
                .Select(p => new PipelineDiagnostic(DiagnosticSeverity.Error, p.Code, p.Message, positions.Locate(p.Pointer)))
                .OrderBy(d => d.Location!.Line).ThenBy(d => d.Location!.Column)
                .ToList();
            return new ImportMappingLoadResult(diagnostics.Count == 0 ? mapping : null, diagnostics);
        }
    }

    private static void CheckSchema(JsonElement root, List<(string Code, string Message, string Pointer)> problems)
    {
        var results = SchemaDocument.Value.Evaluate(root, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return;
        }

        var failures = (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 } && !d.EvaluationPath.ToString().Contains("/if", StringComparison.Ordinal))
            .SelectMany(d => d.Errors!.Select(e => (Pointer: d.InstanceLocation.ToString().TrimStart('#'), Message: e.Value.TrimEnd('.'))))
            .DistinctBy(f => (f.Pointer, f.Message))
            .ToList();
        foreach (var (pointer, message) in failures.Count > 0 ? failures : [(Pointer: "", Message: "The file does not match the import mapping schema")])
        {
            problems.Add((DiagnosticCodes.SchemaViolation, $"{message}. See import-mapping.schema.json for what is allowed here.", pointer));
        }
    }

    private static ImportMapping Build(JsonElement root, List<(string Code, string Message, string Pointer)> problems)
    {
        var columns = root.GetProperty("columns");
        var attributes = columns.TryGetProperty("attributes", out var attributeElement)
            ? attributeElement.EnumerateObject().ToImmutableDictionary(p => p.Name, p => p.Value.GetString()!.Trim(), StringComparer.Ordinal)
            : ImmutableDictionary<string, string>.Empty;

        var stages = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var stage in root.GetProperty("stages").EnumerateObject())
        {
            if (!stages.TryAdd(stage.Name.Trim(), stage.Value.GetString()!))
            {
                problems.Add((StageNameTwice, $"The CRM stage \"{stage.Name}\" is mapped twice (names are compared ignoring case and spaces around them): keep one.", "/stages/" + Escape(stage.Name)));
            }
        }

        var values = ReadValues(root, attributes, problems);
        var won = Names(root, "won");
        var lost = Names(root, "lost");
        for (var i = 0; i < lost.Length; i++)
        {
            if (won.Contains(lost[i], StringComparer.OrdinalIgnoreCase))
            {
                problems.Add((WonAndLost, $"The CRM stage \"{lost[i]}\" is listed as won and as lost: a stage means one outcome.", "/lost/" + i));
            }
        }

        var formats = ImmutableArray<string>.Empty;
        var timeZone = TimeZoneInfo.Utc;
        if (root.TryGetProperty("dates", out var dates))
        {
            if (dates.TryGetProperty("formats", out var formatArray))
            {
                formats = [.. formatArray.EnumerateArray().Select(f => f.GetString()!)];
                for (var i = 0; i < formats.Length; i++)
                {
                    if (!FormatRoundTrips(formats[i]))
                    {
                        problems.Add((BadDateFormat, $"The date format \"{formats[i]}\" cannot read back a date it writes: check it against .NET's custom date and time formats (for example M/d/yyyy).", "/dates/formats/" + i));
                    }
                }
            }

            if (dates.TryGetProperty("timeZone", out var zone))
            {
                try
                {
                    timeZone = TimeZoneInfo.FindSystemTimeZoneById(zone.GetString()!);
                }
                catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
                {
                    problems.Add((UnknownTimeZone, $"The time zone \"{zone.GetString()}\" is not known on this machine: use an IANA id (Europe/Berlin) or a Windows id (W. Europe Standard Time).", "/dates/timeZone"));
                }
            }
        }

        var numbers = ReadNumbers(root, problems);
        var delimiter = root.TryGetProperty("csv", out var csv) && csv.TryGetProperty("delimiter", out var d) ? d.GetString()![0] : ',';
        if (numbers.NumberDecimalSeparator == delimiter.ToString())
        {
            problems.Add((SeparatorClash, "The decimal separator is the CSV delimiter: amounts written so must be quoted by the CRM, and a mapping cannot tell them apart here. Use another delimiter (csv.delimiter).", "/numbers"));
        }

        return new ImportMapping
        {
            Shape = root.GetProperty("shape").GetString() == "history" ? ExportShape.History : ExportShape.Snapshot,
            Source = Text(root, "source") ?? "csv",
            PipelineId = Text(root, "pipeline"),
            DealIdColumn = Text(columns, "dealId")!,
            StageColumn = Text(columns, "stage")!,
            CreatedColumn = Text(columns, "created"),
            ClosedColumn = Text(columns, "closed"),
            StageEnteredColumn = Text(columns, "stageEntered"),
            ChangedAtColumn = Text(columns, "changedAt"),
            AmountColumn = Text(columns, "amount"),
            OwnerColumn = Text(columns, "owner"),
            Attributes = attributes,
            AttributeValues = values,
            Stages = stages.ToImmutable(),
            WonStages = won,
            LostStages = lost,
            DateFormats = formats,
            TimeZone = timeZone,
            NumberFormat = numbers,
            Delimiter = delimiter,
        };
    }

    // values: attribute -> canonical value -> further spellings. Every spelling (canonical ones too) must fold to one
    // canonical value only, and each attribute must be mapped in columns.attributes.
    private static ImmutableDictionary<string, ImmutableDictionary<string, ImmutableArray<string>>> ReadValues(
        JsonElement root, ImmutableDictionary<string, string> attributes, List<(string Code, string Message, string Pointer)> problems)
    {
        var result = ImmutableDictionary.CreateBuilder<string, ImmutableDictionary<string, ImmutableArray<string>>>(StringComparer.Ordinal);
        if (!root.TryGetProperty("values", out var valuesElement))
        {
            return result.ToImmutable();
        }

        foreach (var attribute in valuesElement.EnumerateObject())
        {
            var pointer = "/values/" + Escape(attribute.Name);
            if (!attributes.ContainsKey(attribute.Name))
            {
                problems.Add((ValuesOfUnknownAttribute, $"The attribute \"{attribute.Name}\" has values but is not mapped in columns.attributes: map it to a column or remove its values.", pointer));
                continue;
            }

            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            var canonicals = ImmutableDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.Ordinal);
            foreach (var canonical in attribute.Value.EnumerateObject())
            {
                var name = canonical.Name.Trim();
                ImmutableArray<string> spellings = [.. canonical.Value.EnumerateArray().Select(e => e.GetString()!.Trim())];
                var entryPointer = pointer + "/" + Escape(canonical.Name);
                foreach (var (spelling, at) in spellings.Select((x, i) => (x, entryPointer + "/" + i)).Prepend((name, entryPointer)))
                {
                    var folded = ImportMapping.Fold(spelling);
                    if (folded.Length > 0 && seen.TryGetValue(folded, out var other) && !string.Equals(other, name, StringComparison.Ordinal))
                    {
                        problems.Add((SpellingTwice, $"\"{spelling}\" would mean both \"{other}\" and \"{name}\" (spellings are compared ignoring case and everything but letters and digits): keep it under one value.", at));
                    }
                    else if (folded.Length > 0)
                    {
                        seen[folded] = name;
                    }
                }

                canonicals[name] = spellings;
            }

            result[attribute.Name] = canonicals.ToImmutable();
        }

        return result.ToImmutable();
    }

    private static NumberFormatInfo ReadNumbers(JsonElement root, List<(string Code, string Message, string Pointer)> problems)
    {
        if (!root.TryGetProperty("numbers", out var numbers))
        {
            return NumberFormatInfo.InvariantInfo;
        }

        var format = NumberFormatInfo.InvariantInfo;
        if (numbers.TryGetProperty("culture", out var culture))
        {
            try
            {
                format = CultureInfo.GetCultureInfo(culture.GetString()!, predefinedOnly: true).NumberFormat;
            }
            catch (CultureNotFoundException)
            {
                problems.Add((UnknownCulture, $"The culture \"{culture.GetString()}\" is not known: use a name such as en-US or de-DE, or give decimalSeparator.", "/numbers/culture"));
            }
        }

        var decimalSeparator = Text(numbers, "decimalSeparator");
        var groupSeparator = numbers.TryGetProperty("groupSeparator", out var g) ? g.GetString() : null;
        if (decimalSeparator is null && groupSeparator is null)
        {
            return format;
        }

        var custom = (NumberFormatInfo)format.Clone();
        if (decimalSeparator is not null)
        {
            custom.NumberDecimalSeparator = decimalSeparator;
            custom.CurrencyDecimalSeparator = decimalSeparator;
            // The other separator would clash with the new decimal one unless given.
            if (groupSeparator is null && custom.NumberGroupSeparator == decimalSeparator)
            {
                groupSeparator = decimalSeparator == "," ? "." : ",";
            }
        }

        if (groupSeparator is not null)
        {
            custom.NumberGroupSeparator = groupSeparator;
            custom.CurrencyGroupSeparator = groupSeparator;
        }

        return NumberFormatInfo.ReadOnly(custom);
    }

    // A format that writes something it cannot read back (a typo such as "M/d/yyy" reads, "Q" does not) is refused early.
    private static bool FormatRoundTrips(string format)
    {
        var sample = new DateTime(2024, 11, 23, 17, 45, 30, DateTimeKind.Unspecified);
        try
        {
            var text = sample.ToString(format, CultureInfo.InvariantCulture);
            return DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out _);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static ImmutableArray<string> Names(JsonElement root, string name) =>
        root.TryGetProperty(name, out var array) ? [.. array.EnumerateArray().Select(e => e.GetString()!.Trim())] : [];

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : null;

    private static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
