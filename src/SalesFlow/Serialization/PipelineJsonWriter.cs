using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SalesFlow;

/// <summary>Writes a definition in the JSON format <see cref="PipelineJsonReader"/> reads (format 1).</summary>
internal static class PipelineJsonWriter
{
    public const int Format = 1;

    public static string Write(PipelineDefinition definition, string? schemaReference)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (schemaReference is not null)
            {
                w.WriteString("$schema", schemaReference);
            }

            w.WriteNumber("format", Format);
            w.WriteString("id", definition.Id);
            w.WriteNumber("version", definition.Version);
            w.WriteString("name", definition.Name);
            if (definition.DataTypeName is { } dataType)
            {
                w.WriteString("dataType", dataType);
            }

            w.WriteString("initialStage", definition.InitialStage);
            if (definition.DeclaredPersonalDataPaths.Count > 0)
            {
                w.WriteStartArray("dataMembers");
                foreach (var path in definition.DeclaredPersonalDataPaths)
                {
                    w.WriteStartObject();
                    w.WriteString("path", path);
                    w.WriteBoolean("personal", true);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteStartArray("stages");
            foreach (var stage in definition.Stages)
            {
                WriteStage(w, stage);
            }

            w.WriteEndArray();
            w.WriteStartArray("transitions");
            foreach (var declaration in definition.Transitions.GroupBy(t => t.Declaration))
            {
                WriteTransition(w, [.. declaration]);
            }

            w.WriteEndArray();
            if (definition.Hooks.Count > 0)
            {
                w.WriteStartArray("hooks");
                foreach (var hook in definition.Hooks)
                {
                    WriteHook(w, hook);
                }

                w.WriteEndArray();
            }

            if (!definition.Permissions.IsEmpty)
            {
                WritePermissions(w, definition.Permissions);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WritePermissions(Utf8JsonWriter w, PipelinePermissions permissions)
    {
        w.WriteStartObject("permissions");
        WriteRoles(w, "start", permissions.Start);
        WriteKeyed(w, "triggers", permissions.Triggers);
        WriteKeyed(w, "stages", permissions.Stages);
        WriteRoles(w, "override", permissions.Override);
        WriteRoles(w, "manage", permissions.Manage);
        w.WriteEndObject();

        static void WriteKeyed(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, IReadOnlyList<string>> roles)
        {
            if (roles.Count == 0)
            {
                return;
            }

            w.WriteStartObject(name);
            foreach (var (key, list) in roles.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                WriteRoles(w, key, list);
            }

            w.WriteEndObject();
        }

        static void WriteRoles(Utf8JsonWriter w, string name, IReadOnlyList<string> roles)
        {
            if (roles.Count == 0)
            {
                return;
            }

            w.WriteStartArray(name);
            foreach (var role in roles)
            {
                w.WriteStringValue(role);
            }

            w.WriteEndArray();
        }
    }

    private static void WriteStage(Utf8JsonWriter w, StageDefinition stage)
    {
        w.WriteStartObject();
        w.WriteString("id", stage.Id);
        w.WriteString("name", stage.Name);
        w.WriteNumber("order", stage.Order);
        w.WriteString("kind", stage.Kind.ToString().ToLowerInvariant());
        w.WriteNumber("winProbability", stage.WinProbability);
        if (stage.Guidance.Length > 0)
        {
            w.WriteString("guidance", stage.Guidance);
        }

        if (stage.IdleThreshold is { } idle)
        {
            w.WriteString("idleAfter", idle.ToString("c", CultureInfo.InvariantCulture));
        }

        if (stage.Checklist.Count > 0)
        {
            w.WriteStartArray("checklist");
            foreach (var item in stage.Checklist)
            {
                w.WriteStartObject();
                w.WriteString("id", item.Id);
                w.WriteString("text", item.Text);
                if (item.Required)
                {
                    w.WriteBoolean("required", true);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (stage.Metadata.Count > 0)
        {
            w.WriteStartObject("metadata");
            foreach (var (key, value) in stage.Metadata)
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteTransition(Utf8JsonWriter w, IReadOnlyList<TransitionDefinition> declaration)
    {
        var first = declaration[0];
        w.WriteStartObject();
        w.WriteString("trigger", first.Trigger);
        if (declaration.Count == 1)
        {
            w.WriteString("from", first.From);
        }
        else
        {
            w.WriteStartArray("from");
            foreach (var t in declaration)
            {
                w.WriteStringValue(t.From);
            }

            w.WriteEndArray();
        }

        switch (first.Kind)
        {
            case TransitionKind.Transition:
                w.WriteString("to", first.To);
                break;
            case TransitionKind.Internal:
                w.WriteString("kind", "internal");
                break;
            default:
                w.WriteString("kind", "return");
                break;
        }

        var guards = first.Guards.Where(g => !g.IsChecklistGuard).ToList();
        if (guards.Count > 0)
        {
            w.WriteStartArray("guards");
            foreach (var guard in guards)
            {
                w.WriteStartObject();
                if (guard.Condition is { } condition)
                {
                    w.WriteString("code", guard.Code);
                    w.WriteString("reason", guard.Reason);
                    w.WritePropertyName("when");
                    condition.WriteTo(w);
                }
                else
                {
                    w.WriteString("use", guard.Code);
                    w.WriteString("reason", guard.Reason);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (first.FollowUpRule is { } rule)
        {
            w.WriteString("followUp", rule);
        }

        w.WriteEndObject();
    }

    private static void WriteHook(Utf8JsonWriter w, HookRegistration hook)
    {
        w.WriteStartObject();
        w.WriteString("use", hook.Name);
        w.WriteString("phase", hook.Phase == HookPhase.Transitioning ? "before-save" : "after-save");
        if (hook.Scope.Kind != HookScopeKind.Global)
        {
            w.WriteStartObject("on");
            w.WriteString(ScopeName(hook.Scope.Kind), hook.Scope.Key);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    public static string ScopeName(HookScopeKind kind) => kind switch
    {
        HookScopeKind.Trigger => "trigger",
        HookScopeKind.Enter => "enter",
        HookScopeKind.Exit => "exit",
        _ => "activity",
    };
}
