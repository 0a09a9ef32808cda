namespace SalesFlow;

/// <summary>
/// Pipeline definitions as JSON (format 1, described by <see cref="Schema"/>): export any definition, load one from a
/// file an administrator edited. Loading never throws on bad input: it returns every problem as a
/// <see cref="PipelineDiagnostic"/> with its JSON pointer, line and column.
/// </summary>
public static class PipelineJson
{
    private static readonly Lazy<string> SchemaText = new(() =>
    {
        using var stream = typeof(PipelineJson).Assembly.GetManifestResourceStream("SalesFlow.pipeline.schema.json")
            ?? throw new InvalidOperationException("The pipeline schema is missing from the SalesFlow assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>Gets the JSON Schema (draft 2020-12) of the definition format, as shipped in <c>pipelines/pipeline.schema.json</c>.</summary>
    public static string Schema => SchemaText.Value;

    /// <summary>Writes a definition as JSON. Guards whose condition is code are written by code (<c>"use"</c>), so load it back with <see cref="PipelineComponents"/> that know them (for example <see cref="PipelineComponents.From"/>).</summary>
    /// <param name="definition">The definition.</param>
    /// <param name="schemaReference">The <c>$schema</c> to write, so editors complete and check the file; <see langword="null"/> for none.</param>
    /// <returns>The JSON text, indented.</returns>
    public static string Export(PipelineDefinition definition, string? schemaReference = "pipeline.schema.json")
    {
        ArgumentNullException.ThrowIfNull(definition);
        return PipelineJsonWriter.Write(definition, schemaReference);
    }

    /// <summary>Loads a definition from JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="components">What the definition refers to by name; <see langword="null"/> for <see cref="PipelineComponents.BuiltIn"/>.</param>
    /// <returns>The definition, or every problem found.</returns>
    public static PipelineLoadResult Load(string json, PipelineComponents? components = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return PipelineJsonReader.Read(PipelineJsonReader.ToUtf8(json), components ?? PipelineComponents.BuiltIn);
    }

    /// <summary>Loads a definition from UTF-8 JSON (a file's bytes).</summary>
    /// <param name="utf8Json">The JSON as UTF-8 bytes.</param>
    /// <param name="components">What the definition refers to by name; <see langword="null"/> for <see cref="PipelineComponents.BuiltIn"/>.</param>
    /// <returns>The definition, or every problem found.</returns>
    public static PipelineLoadResult Load(ReadOnlySpan<byte> utf8Json, PipelineComponents? components = null)
    {
        var bytes = utf8Json.ToArray();
        var start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        return PipelineJsonReader.Read(start == 0 ? bytes : bytes[start..], components ?? PipelineComponents.BuiltIn);
    }

    /// <summary>Loads a definition from JSON text and throws when it has errors.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="components">What the definition refers to by name; <see langword="null"/> for <see cref="PipelineComponents.BuiltIn"/>.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="PipelineDefinitionException">The JSON has errors; the exception lists every diagnostic.</exception>
    public static PipelineDefinition Parse(string json, PipelineComponents? components = null) => Load(json, components).EnsureSucceeded();
}

/// <summary>What <see cref="PipelineJson.Load(string, PipelineComponents?)"/> found: the definition, or the errors that stopped it; warnings either way.</summary>
public sealed class PipelineLoadResult
{
    internal PipelineLoadResult(PipelineDefinition? definition, IReadOnlyList<PipelineDiagnostic> diagnostics)
    {
        Definition = definition;
        Diagnostics = diagnostics;
    }

    /// <summary>Gets the definition; <see langword="null"/> when there are errors.</summary>
    public PipelineDefinition? Definition { get; }

    /// <summary>Gets every finding, ordered by line and column.</summary>
    public IReadOnlyList<PipelineDiagnostic> Diagnostics { get; }

    /// <summary>Gets a value indicating whether the definition was built (no errors).</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Definition))]
    public bool Succeeded => Definition is not null;

    /// <summary>Returns the definition, or throws with every diagnostic.</summary>
    /// <returns>The definition.</returns>
    /// <exception cref="PipelineDefinitionException">There are errors.</exception>
    public PipelineDefinition EnsureSucceeded() =>
        Definition ?? throw new PipelineDefinitionException(PipelineId ?? "", Diagnostics);

    internal string? PipelineId { get; init; }
}
