using System.Collections.Frozen;
using System.Text.Json;

namespace SalesFlow;

/// <summary>
/// An immutable, validated description of one sales process: its stages, transitions, guards and hooks.
/// Built once (with <see cref="PipelineBuilder"/>) and shared by every deal and every thread.
/// </summary>
public abstract partial class PipelineDefinition
{
    private readonly FrozenDictionary<string, StageDefinition> _stagesById;
    private readonly JsonSerializerOptions _jsonOptions;
    private CompiledPipeline? _compiled;

    private protected PipelineDefinition(
        string id,
        int version,
        string name,
        string initialStage,
        IReadOnlyList<StageDefinition> stages,
        IReadOnlyList<TransitionDefinition> transitions,
        IReadOnlyList<HookRegistration> hooks,
        JsonSerializerOptions jsonOptions,
        string? dataTypeName,
        IReadOnlyList<PipelineDiagnostic> warnings,
        PipelinePermissions permissions)
    {
        Id = id;
        Version = version;
        Name = name;
        DataTypeName = dataTypeName;
        Warnings = warnings;
        Permissions = permissions;
        InitialStage = initialStage;
        Stages = stages;
        Transitions = transitions;
        Hooks = hooks;
        _jsonOptions = jsonOptions;
        _stagesById = stages.ToFrozenDictionary(s => s.Id, StringComparer.Ordinal);
        Triggers = transitions.Select(t => t.Trigger).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Gets the pipeline's id.</summary>
    public string Id { get; }

    /// <summary>Gets who may do what on the pipeline's deals, by role (<see cref="PipelinePermissions.None"/> when it declares nothing).</summary>
    public PipelinePermissions Permissions { get; }

    /// <summary>Gets the pipeline's version; deals stay pinned to the version they were started on.</summary>
    public int Version { get; }

    /// <summary>Gets the pipeline's display name (the id unless one was given).</summary>
    public string Name { get; }

    /// <summary>
    /// Gets the name JSON definitions use for the deal data type (<c>"dataType"</c>), for example <c>b2b-deal</c>;
    /// <see langword="null"/> for <see cref="JsonDealData"/>.
    /// </summary>
    public string? DataTypeName { get; }

    /// <summary>
    /// Gets what static analysis found that does not stop the definition from working, for example a stage without
    /// guidance or a win probability that falls along the main path.
    /// </summary>
    public IReadOnlyList<PipelineDiagnostic> Warnings { get; }

    /// <summary>Gets the id of the stage new deals start in.</summary>
    public string InitialStage { get; }

    /// <summary>Gets the stages, ordered by <see cref="StageDefinition.Order"/>.</summary>
    public IReadOnlyList<StageDefinition> Stages { get; }

    /// <summary>Gets every transition, internal action and return transition, in declaration order.</summary>
    public IReadOnlyList<TransitionDefinition> Transitions { get; }

    /// <summary>Gets the distinct trigger names, in declaration order.</summary>
    public IReadOnlyList<string> Triggers { get; }

    /// <summary>Gets the type of the deal data the pipeline's guards read.</summary>
    public abstract Type DataType { get; }

    /// <summary>
    /// Gets the paths of the deal data members that hold personal data: the members of <see cref="DataType"/> marked with
    /// <see cref="PersonalDataAttribute"/> (or another data classification), then those a JSON definition declares
    /// (<c>"dataMembers": [{ "path": …, "personal": true }]</c>). Paths name members as the data is written to JSON,
    /// separated by dots; <c>[]</c> after a collection means each of its items (<c>Objections[].Text</c>).
    /// </summary>
    public IReadOnlyList<string> PersonalDataPaths { get; internal init; } = [];

    // The personal paths the definition declares itself (not found on the data type): what the JSON writer writes back.
    internal IReadOnlyList<string> DeclaredPersonalDataPaths { get; init; } = [];

    internal IReadOnlyList<HookRegistration> Hooks { get; }

    internal CompiledPipeline Compiled => _compiled!;

    internal JsonSerializerOptions JsonOptions => _jsonOptions;

    internal abstract RegisteredDataType DataTypeRegistration { get; }

    /// <summary>Gets a stage by id.</summary>
    /// <param name="stageId">The stage id.</param>
    /// <returns>The stage.</returns>
    /// <exception cref="KeyNotFoundException">The pipeline has no such stage.</exception>
    public StageDefinition GetStage(string stageId)
    {
        ArgumentNullException.ThrowIfNull(stageId);
        return _stagesById.TryGetValue(stageId, out var stage)
            ? stage
            : throw new KeyNotFoundException($"Pipeline '{Id}' v{Version} has no stage '{stageId}'.");
    }

    /// <summary>Looks a stage up by id.</summary>
    /// <param name="stageId">The stage id.</param>
    /// <param name="stage">The stage, when found.</param>
    /// <returns><see langword="true"/> when the pipeline has the stage.</returns>
    public bool TryGetStage(string stageId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StageDefinition? stage) =>
        _stagesById.TryGetValue(stageId, out stage);

    /// <summary>Serializes deal data of this pipeline to JSON (what the database stores keep).</summary>
    /// <param name="data">The data, a <see cref="DataType"/>.</param>
    /// <returns>The JSON text.</returns>
    public string SerializeData(object data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return JsonSerializer.Serialize(data, DataType, _jsonOptions);
    }

    /// <summary>Reads deal data of this pipeline from JSON written by <see cref="SerializeData"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The data, a <see cref="DataType"/>.</returns>
    public object DeserializeData(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize(json, DataType, _jsonOptions)
            ?? throw new JsonException($"The data of pipeline '{Id}' deserialized to null.");
    }

    /// <summary>
    /// Checks deal data before the engine keeps it: the right type, and no required member (one the type declares
    /// non-nullable) null, nested members and collection items included.
    /// </summary>
    /// <param name="data">The data.</param>
    /// <param name="dealId">The deal the data belongs to, for the error.</param>
    /// <exception cref="DealDataInvalidException">The data is not a <see cref="DataType"/> or a required member is null.</exception>
    internal void CheckData(object data, string dealId)
    {
        if (data.GetType() != DataType)
        {
            throw new DealDataInvalidException(dealId, Id, [$"The data is {data.GetType().Name}; deals of this pipeline carry {DataType.Name}."]);
        }

        if (DealDataShape.Of(DataType).FindMissing(data) is { } missing)
        {
            throw new DealDataInvalidException(dealId, Id, [.. missing.Select(path => $"{path} is required and must not be null.")]);
        }
    }

    // Called once by the sealed subclass when it is fully constructed.
    private protected void Compile() => _compiled = new CompiledPipeline(this);

    /// <inheritdoc/>
    public override string ToString() => $"{Id} v{Version}";
}

/// <summary>A pipeline definition whose deals carry data of type <typeparamref name="TData"/>.</summary>
/// <typeparam name="TData">The deal data type the guards read; immutable (records with init-only members and immutable collections).</typeparam>
public sealed class PipelineDefinition<TData> : PipelineDefinition
    where TData : class
{
    internal PipelineDefinition(
        string id,
        int version,
        string name,
        string initialStage,
        IReadOnlyList<StageDefinition> stages,
        IReadOnlyList<TransitionDefinition> transitions,
        IReadOnlyList<HookRegistration> hooks,
        JsonSerializerOptions jsonOptions,
        string? dataTypeName,
        IReadOnlyList<PipelineDiagnostic> warnings,
        PipelinePermissions permissions)
        : base(id, version, name, initialStage, stages, transitions, hooks, jsonOptions, dataTypeName, warnings, permissions)
    {
        DataTypeRegistration = RegisteredDataType.Of<TData>(dataTypeName ?? typeof(TData).Name, jsonOptions);
        Compile();
    }

    /// <inheritdoc/>
    public override Type DataType => typeof(TData);

    internal override RegisteredDataType DataTypeRegistration { get; }
}
