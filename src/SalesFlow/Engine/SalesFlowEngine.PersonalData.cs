using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SalesFlow;

/// <summary>Erasure and export of a deal's personal data (the members <see cref="PipelineDefinition.PersonalDataPaths"/> names).</summary>
public sealed partial class SalesFlowEngine
{
    /// <summary>The activity type of the event that records an erasure of personal data.</summary>
    public const string ErasureActivity = "personal-data.erased";

    // Shorter values are not looked for in the history: they would match inside unrelated words.
    private const int MinimumSearchedValueLength = 3;

    /// <summary>
    /// Erases the personal data of a deal: blanks its personal data members, removes the values found there (and
    /// <see cref="ErasureRequest.AdditionalValues"/>) from every event's reason, override justification and properties
    /// (and removes notes as a whole, unless <see cref="ErasureRequest.EraseNotes"/> is <see langword="false"/>), and
    /// records an <see cref="ErasureActivity"/> event — in one save under the deal's version. Stages, timestamps, amounts,
    /// owners and the sequence of events stay, so reports add up as before.
    /// </summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="request">Who erases, and how far.</param>
    /// <param name="cancellationToken">Cancels the erasure (before it is saved).</param>
    /// <returns>What was erased, and the deal after it.</returns>
    /// <remarks>
    /// An erased member takes the value a new, empty instance of its declaring type has (<c>null</c>, <c>""</c>, an empty
    /// collection); in schemaless <see cref="JsonDealData"/> it is removed. Values shorter than three characters are erased
    /// from the data but not looked for in the history. The deal's <see cref="Deal.OutcomeReason"/> is cleaned like an
    /// event's reason.
    /// </remarks>
    /// <exception cref="DealNotFoundException">There is no such deal.</exception>
    /// <exception cref="NotSupportedException">The store cannot rewrite stored events (<see cref="IDealStore.SupportsEventRedaction"/>).</exception>
    /// <exception cref="DealDataInvalidException">The erased data leaves a required member null; nothing was saved.</exception>
    /// <exception cref="DealConflictException">Other writers kept changing the deal; nothing was saved.</exception>
    /// <exception cref="HookAbortedException">A <see cref="HookPhase.Transitioning"/> hook refused the erasure; nothing was saved.</exception>
    /// <exception cref="DealForbiddenException">The caller may not erase personal data of the deal (<see cref="DealAction.Erase"/>); nothing was saved.</exception>
    public async ValueTask<PersonalDataErasure> ErasePersonalDataAsync(string dealId, ErasureRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.AdditionalValues);
        ArgumentNullException.ThrowIfNull(request.Replacement);
        new InputCheck(_limits).Id(dealId, "dealId").Actor(request.Actor, "ErasureRequest.Actor").ThrowIfAny();
        if (!_store.SupportsEventRedaction)
        {
            throw new NotSupportedException($"The store ({_store.GetType().Name}) cannot rewrite stored events (IDealStore.SupportsEventRedaction is false), so personal data cannot be erased from deal histories in it.");
        }

        var commit = _telemetry.StartCommit(CommitKind.Activity, dealId, ErasureActivity);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var deal = await GetAsync(dealId, cancellationToken).ConfigureAwait(false);
                var pipeline = Pipelines.Get(deal.PipelineId, deal.PipelineVersion);
                if (await _authorization.DeniedAsync(DealAction.Erase, request.Actor, request.User, pipeline, deal, cancellationToken).ConfigureAwait(false) is { } denied)
                {
                    EngineLog.Forbidden(_logger, deal.Id, DealAction.Erase, ErasureActivity, deal.StageId);
                    _telemetry.EndCommit(commit, CommitKind.Activity, deal, FireStatus.Forbidden, attempt, null, []);
                    throw new DealForbiddenException(deal.Id, DealAction.Erase, null, denied);
                }

                var (data, erasedPaths, values) = EraseData(pipeline, deal.Data, request.AdditionalValues);
                pipeline.CheckData(data, deal.Id);
                var history = await _store.GetEventsAsync(deal.Id, 0, null, cancellationToken).ConfigureAwait(false);
                var scrubber = new ValueScrubber(values, request.Replacement);
                var redacted = new List<DealEvent>();
                foreach (var e in history)
                {
                    var changed = e with
                    {
                        Note = request.EraseNotes ? null : scrubber.Scrub(e.Note),
                        Reason = scrubber.Scrub(e.Reason),
                        OverrideJustification = scrubber.Scrub(e.OverrideJustification),
                        Properties = scrubber.Scrub(e.Properties),
                    };
                    if (!string.Equals(changed.Note, e.Note, StringComparison.Ordinal) || !string.Equals(changed.Reason, e.Reason, StringComparison.Ordinal)
                        || !string.Equals(changed.OverrideJustification, e.OverrideJustification, StringComparison.Ordinal) || !ReferenceEquals(changed.Properties, e.Properties))
                    {
                        redacted.Add(changed);
                    }
                }

                var now = _time.GetUtcNow();
                var after = deal with
                {
                    Data = data,
                    OutcomeReason = scrubber.Scrub(deal.OutcomeReason),
                    Version = deal.Version + 1,
                    LastSequence = deal.LastSequence + 1,
                    UpdatedAt = now,
                };
                var properties = ImmutableDictionary<string, string>.Empty
                    .Add("members", erasedPaths.Count.ToString(CultureInfo.InvariantCulture))
                    .Add("events", redacted.Count.ToString(CultureInfo.InvariantCulture));
                var @event = NewActivityEvent(deal, after.LastSequence, ErasureActivity, request.Actor, null, properties, now);
                var write = new DealWrite(after, deal.Version, [@event]) { RedactedEvents = redacted };
                var saved = await CommitAsync(pipeline, deal, after, @event, [write], null, false, attempt, cancellationToken).ConfigureAwait(false);
                if (RetryOrThrowUnsaved(saved, commit, deal, ErasureActivity, attempt))
                {
                    continue;
                }

                EngineLog.PersonalDataErased(_logger, deal.Id, erasedPaths.Count, redacted.Count);
                LogHookFailures(deal.Id, ErasureActivity, saved.Failures);
                _telemetry.EndCommit(commit, CommitKind.Activity, after, FireStatus.Accepted, attempt, null, saved.Failures);
                return new PersonalDataErasure(after, erasedPaths, [.. redacted.Select(e => e.Sequence)], @event);
            }
        }
        catch (Exception ex) when (ex is not DealConflictException and not HookAbortedException and not DealForbiddenException)
        {
            _telemetry.FailCommit(commit, CommitKind.Activity, ex);
            throw;
        }
    }

    /// <summary>
    /// Exports the personal data of a deal for a person's access request: the value of every personal data member and
    /// the events that hold personal data (see <see cref="PersonalDataExport.Events"/>).
    /// </summary>
    /// <param name="dealId">The deal's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The export; it serializes with <see cref="JsonSerializer"/> as it is.</returns>
    /// <exception cref="DealNotFoundException">There is no such deal.</exception>
    public async ValueTask<PersonalDataExport> ExportPersonalDataAsync(string dealId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dealId);
        new InputCheck(_limits).Id(dealId, "dealId").ThrowIfAny();
        var deal = await GetAsync(dealId, cancellationToken).ConfigureAwait(false);
        var pipeline = Pipelines.Get(deal.PipelineId, deal.PipelineVersion);
        var root = JsonNode.Parse(pipeline.SerializeData(deal.Data))!;
        var exported = new List<PersonalDataValue>();
        var values = new List<string>();
        foreach (var path in pipeline.PersonalDataPaths)
        {
            PersonalDataMap.Select(root, path, (parent, name, concrete) =>
            {
                if (parent[name] is { } value && !PersonalDataMap.IsBlank(value))
                {
                    PersonalDataMap.CollectValues(value, values);
                    exported.Add(new PersonalDataValue(concrete, JsonSerializer.SerializeToElement(value)));
                }
            });
        }

        var scrubber = new ValueScrubber(values, "");
        var events = new List<PersonalDataEvent>();
        foreach (var e in await _store.GetEventsAsync(deal.Id, 0, null, cancellationToken).ConfigureAwait(false))
        {
            if (e.Note is not null || scrubber.Holds(e.Reason) || scrubber.Holds(e.OverrideJustification) || e.Properties.Any(p => scrubber.Holds(p.Key) || scrubber.Holds(p.Value)))
            {
                events.Add(new PersonalDataEvent
                {
                    Sequence = e.Sequence,
                    Timestamp = e.Timestamp,
                    Kind = e.Kind,
                    Trigger = e.Trigger,
                    Activity = e.Activity,
                    Note = e.Note,
                    Reason = e.Reason,
                    OverrideJustification = e.OverrideJustification,
                    Properties = e.Properties,
                });
            }
        }

        EngineLog.PersonalDataExported(_logger, deal.Id, exported.Count, events.Count);
        return new PersonalDataExport
        {
            DealId = deal.Id,
            PipelineId = pipeline.Id,
            PipelineVersion = pipeline.Version,
            ExportedAt = _time.GetUtcNow(),
            Values = exported,
            Events = events,
        };
    }

    // The data with every personal member blanked, the concrete paths blanked, and the values they held.
    private static (object Data, List<string> ErasedPaths, List<string> Values) EraseData(PipelineDefinition pipeline, object data, IReadOnlyList<string> additionalValues)
    {
        var erased = new List<string>();
        var values = new List<string>(additionalValues.Where(v => v is not null));
        if (pipeline.PersonalDataPaths.Count == 0)
        {
            return (data, erased, values);
        }

        var root = JsonNode.Parse(pipeline.SerializeData(data))!;
        foreach (var path in pipeline.PersonalDataPaths)
        {
            var removes = !PersonalDataMap.TryGetBlank(pipeline.DataType, pipeline.JsonOptions, path, out var blank);
            PersonalDataMap.Select(root, path, (parent, name, concrete) =>
            {
                var value = parent[name];
                if (value is null || (blank is not null && JsonNode.DeepEquals(value, blank)))
                {
                    return;
                }

                PersonalDataMap.CollectValues(value, values);
                erased.Add(concrete);
                if (removes)
                {
                    parent.Remove(name);
                }
                else
                {
                    parent[name] = blank?.DeepClone();
                }
            });
        }

        return erased.Count == 0 ? (data, erased, values) : (pipeline.DeserializeData(root.ToJsonString()), erased, values);
    }

    /// <summary>Replaces known personal values in free text, longest first, ignoring case.</summary>
    private sealed class ValueScrubber
    {
        private readonly string[] _values;
        private readonly string _replacement;

        public ValueScrubber(IEnumerable<string> values, string replacement)
        {
            _values = [.. values.Select(v => v.Trim()).Where(v => v.Length >= MinimumSearchedValueLength)
                .Distinct(StringComparer.OrdinalIgnoreCase).OrderByDescending(v => v.Length)];
            _replacement = replacement;
        }

        public bool Holds(string? text) =>
            text is not null && Array.Exists(_values, v => text.Contains(v, StringComparison.OrdinalIgnoreCase));

        public string? Scrub(string? text)
        {
            if (text is null || !Holds(text))
            {
                return text;
            }

            foreach (var value in _values)
            {
                text = text.Replace(value, _replacement, StringComparison.OrdinalIgnoreCase);
            }

            return text;
        }

        // The same instance when nothing changes, so the caller can tell.
        public ImmutableDictionary<string, string> Scrub(ImmutableDictionary<string, string> properties)
        {
            if (!properties.Any(p => Holds(p.Key) || Holds(p.Value)))
            {
                return properties;
            }

            var builder = ImmutableDictionary.CreateBuilder<string, string>(properties.KeyComparer);
            foreach (var (key, value) in properties)
            {
                builder[Scrub(key)!] = Scrub(value)!;
            }

            return builder.ToImmutable();
        }
    }
}
