using System.Collections.Concurrent;

namespace SalesFlow;

/// <summary>
/// The pipeline definitions an engine knows, by id and version. Thread-safe; deals stay pinned to the
/// version they were started on, so old versions stay registered while deals use them.
/// </summary>
public sealed class PipelineRegistry
{
    private readonly ConcurrentDictionary<(string Id, int Version), PipelineDefinition> _byIdAndVersion = new();
    private readonly ConcurrentDictionary<string, PipelineDefinition> _latest = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private volatile PipelineDefinition? _lastResolved;

    /// <summary>Initializes a new instance of the <see cref="PipelineRegistry"/> class.</summary>
    /// <param name="definitions">Definitions to register at once.</param>
    public PipelineRegistry(params IEnumerable<PipelineDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        foreach (var definition in definitions)
        {
            Add(definition);
        }
    }

    /// <summary>Gets every registered definition.</summary>
    public IReadOnlyCollection<PipelineDefinition> All => [.. _byIdAndVersion.Values];

    /// <summary>Registers a definition. Registering the same instance again does nothing.</summary>
    /// <param name="definition">The definition.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="InvalidOperationException">Another definition with the same id and version is registered.</exception>
    public PipelineRegistry Add(PipelineDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        lock (_gate)
        {
            if (_byIdAndVersion.TryGetValue((definition.Id, definition.Version), out var existing))
            {
                return ReferenceEquals(existing, definition)
                    ? this
                    : throw new InvalidOperationException($"Pipeline '{definition.Id}' version {definition.Version} is already registered with a different definition. Give the new definition a new version.");
            }

            _byIdAndVersion[(definition.Id, definition.Version)] = definition;
            if (!_latest.TryGetValue(definition.Id, out var latest) || latest.Version < definition.Version)
            {
                _latest[definition.Id] = definition;
            }
        }

        return this;
    }

    /// <summary>Gets the latest registered version of a pipeline.</summary>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="PipelineNotFoundException">No version of the pipeline is registered.</exception>
    public PipelineDefinition Get(string pipelineId)
    {
        ArgumentNullException.ThrowIfNull(pipelineId);
        return _latest.TryGetValue(pipelineId, out var definition) ? definition : throw new PipelineNotFoundException(pipelineId, null);
    }

    /// <summary>Gets one version of a pipeline.</summary>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <param name="version">The version.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="PipelineNotFoundException">That version is not registered.</exception>
    public PipelineDefinition Get(string pipelineId, int version)
    {
        ArgumentNullException.ThrowIfNull(pipelineId);

        // Most deals of a process share one definition: remember the last one asked for, to skip the hash lookup.
        var last = _lastResolved;
        if (last is not null && last.Version == version && string.Equals(last.Id, pipelineId, StringComparison.Ordinal))
        {
            return last;
        }

        if (!_byIdAndVersion.TryGetValue((pipelineId, version), out var definition))
        {
            throw new PipelineNotFoundException(pipelineId, version);
        }

        _lastResolved = definition;
        return definition;
    }

    /// <summary>Looks one version of a pipeline up.</summary>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <param name="version">The version.</param>
    /// <param name="definition">The definition, when found.</param>
    /// <returns><see langword="true"/> when registered.</returns>
    public bool TryGet(string pipelineId, int version, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PipelineDefinition? definition) =>
        _byIdAndVersion.TryGetValue((pipelineId, version), out definition);
}
