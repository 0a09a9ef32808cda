namespace SalesFlow;

/// <summary>
/// The stages a report knows, by index: first the report version's stages (in declaration order), then any other stage id
/// met in the events (a stage of another version), added as they come. Also the report version's bars and open stages in
/// stage order, and which (trigger, stage) pairs re-enter a stage rather than act inside it.
/// </summary>
internal sealed class ReportStages
{
    private readonly List<string> _ids = [];
    private readonly List<StageKind> _kinds = [];
    private readonly Dictionary<string, int> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StageKind> _otherVersionKinds = new(StringComparer.Ordinal);
    private readonly HashSet<(string Trigger, string Stage)> _reentries = [];
    private readonly string[] _versionIds;
    private readonly StageKind[] _versionKinds;

    public ReportStages(PipelineDefinition version, IEnumerable<PipelineDefinition> allVersions)
    {
        Version = version;
        foreach (var stage in version.Stages)
        {
            Add(stage.Id, stage.Kind);
        }

        VersionCount = _ids.Count;
        _versionIds = [.. _ids];
        _versionKinds = [.. _kinds];
        var ordered = version.Stages.Select((s, i) => (Stage: s, Index: i)).OrderBy(x => x.Stage.Order).ThenBy(x => x.Index).ToList();
        Bars = [.. ordered.Where(x => x.Stage.Kind is StageKind.Open or StageKind.Won).Select(x => x.Index)];
        OpenStages = [.. ordered.Where(x => x.Stage.Kind == StageKind.Open).Select(x => x.Index)];

        // Older versions first, so that the highest version that has a stage id decides its kind.
        foreach (var definition in allVersions.OrderBy(d => d.Version))
        {
            foreach (var stage in definition.Stages)
            {
                _otherVersionKinds[stage.Id] = stage.Kind;
            }

            foreach (var transition in definition.Transitions)
            {
                if (transition.Kind == TransitionKind.Transition && string.Equals(transition.From, transition.To, StringComparison.Ordinal))
                {
                    _reentries.Add((transition.Trigger, transition.From));
                }
            }
        }
    }

    public PipelineDefinition Version { get; }

    /// <summary>Gets how many stages the report's version has (indexes below it are its stages).</summary>
    public int VersionCount { get; }

    /// <summary>Gets the indexes of the version's open and won stages, in stage order: the funnel's bars.</summary>
    public int[] Bars { get; }

    /// <summary>Gets the indexes of the version's open stages, in stage order.</summary>
    public int[] OpenStages { get; }

    public int Count => _ids.Count;

    public string IdAt(int index) => _ids[index];

    public StageKind KindAt(int index) => index < _versionKinds.Length ? _versionKinds[index] : _kinds[index];

    public StageDefinition? DefinitionAt(int index) => index < VersionCount ? Version.Stages[index] : null;

    public int IndexOf(string stageId)
    {
        // Stage ids usually come from a few shared strings: compare references before hashing.
        var ids = _versionIds;
        for (var i = 0; i < ids.Length; i++)
        {
            if (ReferenceEquals(ids[i], stageId))
            {
                return i;
            }
        }

        return _byId.TryGetValue(stageId, out var index) ? index : Add(stageId, _otherVersionKinds.GetValueOrDefault(stageId, StageKind.Open));
    }

    public bool IsReentry(string? trigger, string stageId) => trigger is not null && _reentries.Contains((trigger, stageId));

    private int Add(string id, StageKind kind)
    {
        _byId.Add(id, _ids.Count);
        _ids.Add(id);
        _kinds.Add(kind);
        return _ids.Count - 1;
    }
}
