using System.Globalization;
using System.Text;
using System.Text.Json;
using Json.Schema;
using static SalesFlow.DiagnosticCodes;

namespace SalesFlow;

/// <summary>
/// Reads a pipeline definition from JSON: malformed JSON, schema violations, unknown names and every structural
/// problem come back together as diagnostics with their JSON pointer, line and column; never a raw exception.
/// </summary>
internal static class PipelineJsonReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    // A registry of its own: the global one refuses a second schema with the same $id (a host may load this schema too).
    private static readonly Lazy<JsonSchema> SchemaDocument = new(() =>
        JsonSchema.FromText(PipelineJson.Schema, new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    public static PipelineLoadResult Read(byte[] utf8, PipelineComponents components)
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
            var message = ex.Message;
            var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
            var text = (cut > 0 ? message[..cut] : message).Trim();
            return new PipelineLoadResult(null, [new PipelineDiagnostic(
                DiagnosticSeverity.Error, MalformedJson, $"The file is not valid JSON: {text} Fix the JSON syntax there.", new DiagnosticLocation("", line, column))]);
        }

        using (document)
        {
            positions.Index(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var diagnostics = new List<PipelineDiagnostic>();
            CheckSchema(document.RootElement, diagnostics);
            var result = Build(document.RootElement, components, diagnostics);
            // Where a structural check says the same as the schema, its message is the more useful one.
            var specific = result.Diagnostics.Where(d => d.IsError && d.Code != SchemaViolation).Select(d => d.Location?.JsonPointer).ToHashSet(StringComparer.Ordinal);
            var located = result.Diagnostics
                .Where(d => d.Code != SchemaViolation || !specific.Contains(d.Location?.JsonPointer))
                .Select(d => d.Location is { Line: 0 } location ? new PipelineDiagnostic(d.Severity, d.Code, d.Message, positions.Locate(location.JsonPointer)) : d)
                .Distinct()
                .OrderBy(d => d.Location?.Line ?? 0).ThenBy(d => d.Location?.Column ?? 0)
                .ToList();
            var id = document.RootElement.ValueKind == JsonValueKind.Object ? Text(document.RootElement, "id") : null;
            return new PipelineLoadResult(located.Any(d => d.IsError) ? null : result.Definition, located) { PipelineId = id };
        }
    }

    private static void CheckSchema(JsonElement root, List<PipelineDiagnostic> diagnostics)
    {
        var results = SchemaDocument.Value.Evaluate(root, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return;
        }

        // An "if" that does not match is not a failure; the list format reports it anyway, so leave those out.
        var failures = (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 } && !d.EvaluationPath.ToString().Contains("/if", StringComparison.Ordinal))
            .SelectMany(d => d.Errors!.Select(e => (Pointer: d.InstanceLocation.ToString(), Message: Explain(d.InstanceLocation.ToString(), e.Value))))
            .DistinctBy(f => (f.Pointer, f.Message))
            .ToList();
        foreach (var failure in failures.Count > 0 ? failures : [(Pointer: "", Message: "The file does not match the pipeline schema")])
        {
            var pointer = failure.Pointer.TrimStart('#');
            diagnostics.Add(Error(SchemaViolation, $"{failure.Message}. See pipeline.schema.json for what is allowed here.", pointer));
        }
    }

    // The schema's "false" sub-schemas stand for "no such property": say so in words.
    private static string Explain(string pointer, string message)
    {
        message = message.TrimEnd('.');
        if (message.Contains("false schema", StringComparison.Ordinal))
        {
            var name = pointer[(pointer.LastIndexOf('/') + 1)..].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            return $"Property \"{name}\" is not allowed here: check its spelling, or remove it";
        }

        return message;
    }

    private static PipelineBuildResult Build(JsonElement root, PipelineComponents components, List<PipelineDiagnostic> diagnostics)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new PipelineBuildResult(null, diagnostics);
        }

        if (Int(root, "format") is { } format && format != PipelineJsonWriter.Format)
        {
            diagnostics.Add(Error(UnsupportedFormat, $"Format {format} is not supported; this version of SalesFlow reads format {PipelineJsonWriter.Format}.", "/format"));
            return new PipelineBuildResult(null, diagnostics);
        }

        RegisteredDataType? dataType;
        if (Text(root, "dataType") is { } typeName)
        {
            if (!components.DataTypes.TryGetValue(typeName, out dataType))
            {
                diagnostics.Add(Error(UnknownDataType, $"Data type '{typeName}' is not registered: register it with PipelineComponents.AddDataType, or leave \"dataType\" out for schemaless JSON data.{Known(components.DataTypes.Keys)}", "/dataType"));
                dataType = null;
            }
        }
        else
        {
            dataType = RegisteredDataType.Of<JsonDealData>("json", JsonSerializerOptions.Default);
        }

        var stages = new List<StageBuilder>();
        var index = 0;
        foreach (var element in Array(root, "stages"))
        {
            stages.Add(ReadStage(element, index++));
        }

        var drafts = new List<TransitionDraft>();
        index = 0;
        foreach (var element in Array(root, "transitions"))
        {
            ReadTransition(element, index++, dataType, components, drafts, diagnostics);
        }

        var hooks = new List<HookRegistration>();
        index = 0;
        foreach (var element in Array(root, "hooks"))
        {
            if (ReadHook(element, index++, components, diagnostics) is { } hook)
            {
                hooks.Add(hook);
            }
        }

        var personal = new List<(string Path, string Pointer)>();
        index = 0;
        foreach (var element in Array(root, "dataMembers"))
        {
            if (Text(element, "path") is { } path && Property(element, "personal") is { ValueKind: JsonValueKind.True })
            {
                personal.Add((path, $"/dataMembers/{index}/path"));
            }

            index++;
        }

        var parts = new PipelineParts
        {
            Id = Text(root, "id") ?? "",
            Version = Int(root, "version") ?? 0,
            Name = Text(root, "name"),
            DataTypeName = dataType?.Type == typeof(JsonDealData) ? null : dataType?.Name,
            InitialStage = Text(root, "initialStage"),
            Stages = stages,
            Transitions = drafts,
            Hooks = hooks,
            Permissions = ReadPermissions(root),
            PersonalData = personal,
            Diagnostics = diagnostics,
        };
        if (dataType is null)
        {
            // Without the data type the definition cannot be built, but its structure can still be checked.
            var structural = new List<PipelineDiagnostic>(diagnostics);
            PipelineValidator.Validate(parts, structural);
            return new PipelineBuildResult(null, structural);
        }

        return dataType.Create(parts);
    }

    // The schema has checked the shape: "permissions" is an object of role lists (start, override, manage) and of maps
    // from trigger or stage to role lists (triggers, stages).
    private static PermissionsBuilder? ReadPermissions(JsonElement root)
    {
        if (Property(root, "permissions") is not { ValueKind: JsonValueKind.Object } element)
        {
            return null;
        }

        var permissions = new PermissionsBuilder();
        permissions.Start(Roles(Property(element, "start")));
        permissions.Override(Roles(Property(element, "override")));
        permissions.Manage(Roles(Property(element, "manage")));
        foreach (var (trigger, roles) in Keyed(Property(element, "triggers")))
        {
            permissions.Trigger(trigger, roles);
        }

        foreach (var (stage, roles) in Keyed(Property(element, "stages")))
        {
            permissions.Stage(stage, roles);
        }

        return permissions;

        static IEnumerable<(string Key, string[] Roles)> Keyed(JsonElement? map) =>
            map is { ValueKind: JsonValueKind.Object } entries ? entries.EnumerateObject().Select(e => (e.Name, Roles(e.Value))) : [];

        static string[] Roles(JsonElement? list) =>
            list is { ValueKind: JsonValueKind.Array } array
                ? [.. array.EnumerateArray().Select(r => r.ValueKind == JsonValueKind.String ? r.GetString()! : "")]
                : [];
    }

    private static StageBuilder ReadStage(JsonElement element, int index)
    {
        var pointer = $"/stages/{index}";
        var id = Text(element, "id") ?? "";
        var stage = new StageBuilder(id, index + 1) { Pointer = pointer };
        if (Text(element, "name") is { } name)
        {
            stage.Name(name);
        }

        if (Int(element, "order") is { } order)
        {
            stage.Order(order);
        }

        stage.Kind(Text(element, "kind") switch
        {
            "won" => StageKind.Won,
            "lost" => StageKind.Lost,
            "closed" => StageKind.Closed,
            _ => StageKind.Open,
        });
        if (Property(element, "winProbability") is { ValueKind: JsonValueKind.Number } probability)
        {
            stage.Probability(probability.GetDouble());
        }

        if (Text(element, "guidance") is { } guidance)
        {
            stage.Guidance(guidance);
        }

        if (Text(element, "idleAfter") is { } idle && TimeSpan.TryParseExact(idle, "c", CultureInfo.InvariantCulture, out var threshold))
        {
            stage.IdleAfter(threshold);
        }

        foreach (var item in Array(element, "checklist"))
        {
            stage.Checklist(Text(item, "id") ?? "", Text(item, "text") ?? "", Property(item, "required") is { ValueKind: JsonValueKind.True });
        }

        if (Property(element, "metadata") is { ValueKind: JsonValueKind.Object } metadata)
        {
            foreach (var entry in metadata.EnumerateObject().Where(e => e.Value.ValueKind == JsonValueKind.String && e.Name.Trim().Length > 0))
            {
                stage.Metadata(entry.Name, entry.Value.GetString()!);
            }
        }

        return stage;
    }

    private static void ReadTransition(JsonElement element, int index, RegisteredDataType? dataType, PipelineComponents components, List<TransitionDraft> drafts, List<PipelineDiagnostic> diagnostics)
    {
        var pointer = $"/transitions/{index}";
        var trigger = Text(element, "trigger") ?? "";
        var kind = Text(element, "kind") switch
        {
            "internal" => TransitionKind.Internal,
            "return" => TransitionKind.Return,
            _ => TransitionKind.Transition,
        };
        var to = kind == TransitionKind.Transition ? Text(element, "to") ?? "" : null;
        var guards = new List<GuardDefinition>();
        var guardIndex = 0;
        foreach (var guard in Array(element, "guards"))
        {
            if (ReadGuard(guard, $"{pointer}/guards/{guardIndex++}", dataType, components, diagnostics) is { } definition)
            {
                guards.Add(definition);
            }
        }

        Func<DealFollowUpContext, DateTimeOffset?>? followUp = null;
        var followUpName = Text(element, "followUp");
        if (followUpName is not null)
        {
            var rules = components.FollowUps.Where(r => r.Key.Name == followUpName).Select(r => r.Value).ToList();
            if (rules.Count == 0)
            {
                diagnostics.Add(Error(UnknownFollowUp, $"Follow-up rule '{followUpName}' is not registered: register it with PipelineComponents.AddFollowUp.{Known(components.FollowUps.Keys.Select(k => k.Name))}", pointer + "/followUp"));
            }
            else if ((dataType is null ? rules[0] : rules.FirstOrDefault(r => r.DataType == dataType.Type)) is { } rule)
            {
                followUp = rule.Schedule;
            }
            else
            {
                diagnostics.Add(Error(FollowUpForOtherData, $"Follow-up rule '{followUpName}' is registered for {string.Join(", ", rules.Select(r => r.DataType.Name))}, but this pipeline's deals carry {dataType!.Type.Name}.", pointer + "/followUp"));
            }
        }

        var from = Property(element, "from") switch
        {
            { ValueKind: JsonValueKind.String } single => [(single.GetString()!, pointer + "/from")],
            { ValueKind: JsonValueKind.Array } many => many.EnumerateArray().Select((f, i) => (f.ValueKind == JsonValueKind.String ? f.GetString()! : "", $"{pointer}/from/{i}")).ToList(),
            _ => new List<(string, string)>(),
        };
        if (from.Count == 0)
        {
            diagnostics.Add(Error(NoFromStage, $"Trigger '{trigger}' is declared without any stage to start from.", pointer + "/from"));
        }

        foreach (var (stage, fromPointer) in from)
        {
            var draft = new TransitionDraft(trigger, stage, kind == TransitionKind.Internal ? stage : to, kind)
            {
                Declaration = index,
                Pointer = pointer,
                FromPointer = fromPointer,
                FollowUp = followUp,
                FollowUpName = followUp is null ? null : followUpName,
            };
            draft.Guards.AddRange(guards);
            drafts.Add(draft);
        }
    }

    private static GuardDefinition? ReadGuard(JsonElement element, string pointer, RegisteredDataType? dataType, PipelineComponents components, List<PipelineDiagnostic> diagnostics)
    {
        var reason = Text(element, "reason");
        if (Text(element, "use") is { } name)
        {
            var candidates = components.Guards.Where(g => g.Key.Code == name).Select(g => g.Value).ToList();
            if (candidates.Count == 0)
            {
                diagnostics.Add(Error(UnknownGuard, $"Guard '{name}' is not registered: register it with PipelineComponents.AddGuard, or describe it with \"code\", \"reason\" and \"when\".{Known(components.Guards.Keys.Select(k => k.Code))}", pointer + "/use"));
                return null;
            }

            var registered = dataType is null ? candidates[0] : candidates.FirstOrDefault(g => g.DataType == dataType.Type);
            if (registered is null)
            {
                diagnostics.Add(Error(GuardForOtherData, $"Guard '{name}' is registered for {string.Join(", ", candidates.Select(g => g.DataType.Name))}, but this pipeline's deals carry {dataType!.Type.Name}: register it for that type too.", pointer + "/use"));
                return null;
            }

            return new GuardDefinition(name, reason ?? registered.Reason, registered.Predicate);
        }

        return Property(element, "when") is { } when && ReadCondition(when) is { } condition
            ? new GuardDefinition(Text(element, "code") ?? "", reason ?? "", condition)
            : null; // The schema reports a guard without "use" or a readable "when".
    }

    /// <summary>Reads a condition; <see langword="null"/> when it is malformed (the schema says where and why).</summary>
    internal static GuardCondition? ReadCondition(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (Property(element, "all") is { ValueKind: JsonValueKind.Array } all)
        {
            return Combine(GuardConditionKind.All, all);
        }

        if (Property(element, "any") is { ValueKind: JsonValueKind.Array } any)
        {
            return Combine(GuardConditionKind.Any, any);
        }

        if (Property(element, "not") is { } not)
        {
            return ReadCondition(not) is { } inner ? GuardCondition.FromParts(GuardConditionKind.Not, null, null, [inner]) : null;
        }

        if (Text(element, "path") is not { } path || path.Split('.').Any(s => s.Length == 0) && path.Length > 0)
        {
            return null;
        }

        if (Property(element, "present") is { ValueKind: JsonValueKind.True or JsonValueKind.False } present)
        {
            return GuardCondition.FromParts(present.ValueKind == JsonValueKind.True ? GuardConditionKind.Present : GuardConditionKind.Absent, path, null, []);
        }

        if (Property(element, "equals") is { } equals)
        {
            return GuardCondition.FromParts(GuardConditionKind.Equal, path, equals.Clone(), []);
        }

        foreach (var (name, kind) in new[] { ("atLeast", GuardConditionKind.AtLeast), ("atMost", GuardConditionKind.AtMost) })
        {
            if (Property(element, name) is { ValueKind: JsonValueKind.Number or JsonValueKind.String } bound)
            {
                return GuardCondition.FromParts(kind, path, bound.Clone(), []);
            }
        }

        return Property(element, "none") is { } none && ReadCondition(none) is { } item
            ? GuardCondition.FromParts(GuardConditionKind.None, path, null, [item])
            : null;
    }

    private static GuardCondition? Combine(GuardConditionKind kind, JsonElement array)
    {
        var operands = array.EnumerateArray().Select(ReadCondition).ToList();
        return operands.Count > 0 && operands.All(o => o is not null) ? GuardCondition.FromParts(kind, null, null, operands!) : null;
    }

    private static HookRegistration? ReadHook(JsonElement element, int index, PipelineComponents components, List<PipelineDiagnostic> diagnostics)
    {
        var pointer = $"/hooks/{index}";
        if (Text(element, "use") is not { } name)
        {
            return null;
        }

        if (!components.Hooks.TryGetValue(name, out var hook))
        {
            diagnostics.Add(Error(UnknownHook, $"Hook '{name}' is not registered: register it with PipelineComponents.AddHook.{Known(components.Hooks.Keys)}", pointer + "/use"));
            return null;
        }

        var phase = Text(element, "phase") == "after-save" ? HookPhase.Transitioned : HookPhase.Transitioning;
        var scope = HookScope.Global;
        if (Property(element, "on") is { ValueKind: JsonValueKind.Object } on && on.EnumerateObject().FirstOrDefault() is { Value.ValueKind: JsonValueKind.String } target
            && target.Value.GetString() is { Length: > 0 } key && !string.IsNullOrWhiteSpace(key))
        {
            scope = target.Name switch
            {
                "trigger" => HookScope.Trigger(key),
                "enter" => HookScope.Entering(key),
                "exit" => HookScope.Exiting(key),
                "activity" => HookScope.Activity(key),
                _ => HookScope.Global,
            };
        }

        return new HookRegistration(name, phase, scope, hook) { Pointer = pointer };
    }

    private static string Known(IEnumerable<string> names)
    {
        var all = names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var list = all.Take(12).ToList();
        return list.Count == 0 ? " None is registered." : $" Registered: {string.Join(", ", list)}{(all.Count > list.Count ? ", …" : "")}.";
    }

    private static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : null;

    private static string? Text(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static int? Int(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var number) ? number : null;

    private static JsonElement.ArrayEnumerator Array(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : default;

    internal static byte[] ToUtf8(string json) => Encoding.UTF8.GetBytes(json);
}
