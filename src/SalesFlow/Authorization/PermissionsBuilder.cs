namespace SalesFlow;

/// <summary>Declares a pipeline's <see cref="PipelinePermissions"/>: the roles that may start, fire, change deals in a stage, override and manage.</summary>
public sealed class PermissionsBuilder
{
    internal PermissionsBuilder()
    {
    }

    internal List<string> StartRoles { get; } = [];

    internal List<string> OverrideRoles { get; } = [];

    internal List<string> ManageRoles { get; } = [];

    internal List<(string Key, IReadOnlyList<string> Roles, string Pointer)> TriggerRoles { get; } = [];

    internal List<(string Key, IReadOnlyList<string> Roles, string Pointer)> StageRoles { get; } = [];

    // Where each list sits in the definition's JSON form, for diagnostics; the JSON reader sets its own.
    internal string Pointer { get; init; } = "/permissions";

    /// <summary>Only these roles may start deals on the pipeline.</summary>
    /// <param name="roles">The roles (any one suffices).</param>
    /// <returns>This builder.</returns>
    public PermissionsBuilder Start(params IEnumerable<string> roles) => Add(StartRoles, roles);

    /// <summary>Only these roles may fire the trigger (for example <c>Win</c>).</summary>
    /// <param name="trigger">The trigger.</param>
    /// <param name="roles">The roles (any one suffices).</param>
    /// <returns>This builder.</returns>
    public PermissionsBuilder Trigger(string trigger, params IEnumerable<string> roles)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentNullException.ThrowIfNull(roles);
        TriggerRoles.Add((trigger, roles.ToArray(), $"{Pointer}/triggers/{JsonPointerToken(trigger)}"));
        return this;
    }

    /// <summary>Only these roles may change deals while they are in the stage: move them on, record activities.</summary>
    /// <param name="stageId">The stage.</param>
    /// <param name="roles">The roles (any one suffices).</param>
    /// <returns>This builder.</returns>
    public PermissionsBuilder Stage(string stageId, params IEnumerable<string> roles)
    {
        ArgumentNullException.ThrowIfNull(stageId);
        ArgumentNullException.ThrowIfNull(roles);
        StageRoles.Add((stageId, roles.ToArray(), $"{Pointer}/stages/{JsonPointerToken(stageId)}"));
        return this;
    }

    /// <summary>These roles may force a refused move past its guards, with a justification.</summary>
    /// <param name="roles">The roles (any one suffices).</param>
    /// <returns>This builder.</returns>
    public PermissionsBuilder Override(params IEnumerable<string> roles) => Add(OverrideRoles, roles);

    /// <summary>Only these roles may import deals into the pipeline and migrate its deals to other versions.</summary>
    /// <param name="roles">The roles (any one suffices).</param>
    /// <returns>This builder.</returns>
    public PermissionsBuilder Manage(params IEnumerable<string> roles) => Add(ManageRoles, roles);

    private PermissionsBuilder Add(List<string> list, IEnumerable<string> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        list.AddRange(roles);
        return this;
    }

    private static string JsonPointerToken(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>Checks the declared permissions against the pipeline's stages and triggers, adding every problem, and builds them.</summary>
    internal PipelinePermissions Build(IReadOnlyCollection<string> stageIds, IReadOnlyCollection<string> triggers, List<PipelineDiagnostic> problems)
    {
        CheckRoles(StartRoles, Pointer + "/start", problems);
        CheckRoles(OverrideRoles, Pointer + "/override", problems);
        CheckRoles(ManageRoles, Pointer + "/manage", problems);
        var byTrigger = Keyed(TriggerRoles, triggers, "trigger", DiagnosticCodes.PermissionUnknownTrigger, problems);
        var byStage = Keyed(StageRoles, stageIds, "stage", DiagnosticCodes.PermissionUnknownStage, problems);
        return new PipelinePermissions([.. StartRoles.Distinct(StringComparer.Ordinal)], byTrigger, byStage, [.. OverrideRoles.Distinct(StringComparer.Ordinal)], [.. ManageRoles.Distinct(StringComparer.Ordinal)]);
    }

    private static Dictionary<string, IReadOnlyList<string>> Keyed(
        List<(string Key, IReadOnlyList<string> Roles, string Pointer)> entries, IReadOnlyCollection<string> known, string what, string unknownCode, List<PipelineDiagnostic> problems)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (key, roles, pointer) in entries)
        {
            if (!known.Contains(key))
            {
                problems.Add(DiagnosticCodes.Error(unknownCode, $"Permissions name {what} '{key}', which the pipeline does not declare.", pointer));
            }

            if (roles.Count == 0)
            {
                problems.Add(DiagnosticCodes.Error(DiagnosticCodes.PermissionBadRole, $"The permission for {what} '{key}' lists no role: name at least one, or leave the {what} out to allow anyone.", pointer));
            }

            CheckRoles(roles, pointer, problems);
            result[key] = result.TryGetValue(key, out var earlier) ? [.. earlier.Concat(roles).Distinct(StringComparer.Ordinal)] : [.. roles.Distinct(StringComparer.Ordinal)];
        }

        return result;
    }

    private static void CheckRoles(IReadOnlyList<string> roles, string pointer, List<PipelineDiagnostic> problems)
    {
        for (var i = 0; i < roles.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(roles[i]) || roles[i].Trim().Length != roles[i].Length)
            {
                problems.Add(DiagnosticCodes.Error(DiagnosticCodes.PermissionBadRole, "A role name is blank or has white space at either end.", $"{pointer}/{i}"));
            }
        }
    }
}
