namespace SalesFlow;

/// <summary>
/// A pipeline before it is validated, as the builder or the JSON loader collected it; every part knows where it is
/// in the definition's JSON form, so each diagnostic can point at it.
/// </summary>
internal sealed class PipelineParts
{
    public required string Id { get; init; }

    public required int Version { get; init; }

    public string? Name { get; init; }

    public string? DataTypeName { get; init; }

    public string? InitialStage { get; init; }

    public required IReadOnlyList<StageBuilder> Stages { get; init; }

    public required IReadOnlyList<TransitionDraft> Transitions { get; init; }

    public required IReadOnlyList<HookRegistration> Hooks { get; init; }

    /// <summary>Gets the permissions declared, or <see langword="null"/> when none are.</summary>
    public PermissionsBuilder? Permissions { get; init; }

    /// <summary>Gets the data paths declared personal, each with the JSON pointer of its declaration.</summary>
    public IReadOnlyList<(string Path, string Pointer)> PersonalData { get; init; } = [];

    /// <summary>Gets what was found while collecting the parts (unknown names, schema violations …).</summary>
    public List<PipelineDiagnostic> Diagnostics { get; init; } = [];
}

/// <summary>A built definition, or the errors that stopped it; warnings either way.</summary>
internal sealed record PipelineBuildResult(PipelineDefinition? Definition, IReadOnlyList<PipelineDiagnostic> Diagnostics);

/// <summary>Validates parts and builds the typed definition: the one way every definition comes to be.</summary>
internal static class PipelineFactory
{
    public static PipelineBuildResult Create<TData>(PipelineParts parts, System.Text.Json.JsonSerializerOptions options)
        where TData : class
    {
        var diagnostics = new List<PipelineDiagnostic>(parts.Diagnostics);
        var (stages, transitions, initial) = PipelineValidator.Validate(parts, diagnostics);
        foreach (var problem in DealDataShape.FindMutability(typeof(TData)))
        {
            diagnostics.Add(DiagnosticCodes.Error(DiagnosticCodes.MutableData, problem, "/dataType"));
        }

        foreach (var draft in parts.Transitions)
        {
            for (var i = 0; i < draft.Guards.Count; i++)
            {
                draft.Guards[i].Bind(options);
            }
        }

        DataPaths.Check(typeof(TData), options, parts.Transitions, diagnostics);
        var permissions = parts.Permissions?.Build(
            [.. parts.Stages.Select(s => s.Id)], [.. parts.Transitions.Select(t => t.Trigger)], diagnostics) ?? PipelinePermissions.None;
        var personal = PersonalDataMap.Find(typeof(TData), options);
        var declared = new List<string>();
        foreach (var (path, pointer) in parts.PersonalData)
        {
            if (typeof(TData) != typeof(JsonDealData) && DataPaths.Find(typeof(TData), PersonalDataMap.Readable(options), path) is { } missing)
            {
                diagnostics.Add(DiagnosticCodes.Error(
                    DiagnosticCodes.UnknownDataPath,
                    $"Personal data path '{path}' names no member of {typeof(TData).Name} ('{missing}' is not there). Paths name members as the data is written to JSON, separated by dots.",
                    pointer));
            }
            else if (!personal.Contains(path, StringComparer.Ordinal))
            {
                personal.Add(path);
                declared.Add(path);
            }
        }

        if (diagnostics.Any(d => d.IsError))
        {
            return new PipelineBuildResult(null, diagnostics);
        }

        var definition = new PipelineDefinition<TData>(
            parts.Id, parts.Version, parts.Name ?? parts.Id, initial!, stages, transitions, [.. parts.Hooks], options,
            typeof(TData) == typeof(JsonDealData) ? null : parts.DataTypeName ?? typeof(TData).Name, [.. diagnostics], permissions)
        {
            PersonalDataPaths = personal,
            DeclaredPersonalDataPaths = declared,
        };
        return new PipelineBuildResult(definition, diagnostics);
    }
}
