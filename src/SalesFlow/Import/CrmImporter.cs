using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using nietras.SeparatedValues;

namespace SalesFlow;

/// <summary>
/// Imports the deals of a CRM's CSV export into a store: each deal is replayed as events with the export's own
/// timestamps (a Started event at its first date, a Transition at each later known date), marked as imported, and
/// written through <see cref="IDealStore.ImportAsync"/> in batches.
/// </summary>
/// <remarks>
/// <para>
/// Imported history is not checked against the pipeline's guards: every imported event carries the properties
/// <c>imported=true</c> and, for transitions, <c>guardsEnforced=false</c>, and the actor <c>import:&lt;source&gt;</c>.
/// A transition's trigger is the pipeline's trigger from the earlier stage to the later one when it has one, else
/// <c>import</c>. Attributes are kept as properties <c>attr.&lt;name&gt;</c> of the Started event (and, for
/// <see cref="JsonDealData"/> pipelines, in the deal's data).
/// </para>
/// <para>
/// Idempotent: a deal whose id is in the store already is skipped (not compared), so running the same import twice
/// changes nothing. Rows that cannot be read are collected with their line numbers while the rest is imported; in a
/// history export a bad row rejects its whole deal, so a deal is never imported with a hole in its history (fix the
/// row and import again: the deals imported the first time are skipped).
/// </para>
/// <para>
/// Streaming: rows are read one at a time; memory holds at most two batches (one is written while the next is read),
/// one deal's rows, the ids of the deals seen (to report a deal that appears twice), and at most 4,096 distinct values
/// of the columns that repeat from row to row (stages, owners, attributes) and as many dates, each kept with its parse.
/// Batches reach the store one at a time, in the file's order, from a thread-pool thread. History exports must keep each
/// deal's rows together (for example sorted by deal id); within a deal the rows may be in any order (they are sorted by
/// date, then line).
/// </para>
/// </remarks>
public sealed class CrmImporter
{
    /// <summary>The trigger of an imported transition the pipeline has no trigger for.</summary>
    public const string ImportTrigger = "import";

    /// <summary>The event property that marks an imported event (value <c>true</c>).</summary>
    public const string ImportedProperty = "imported";

    /// <summary>The property of imported transitions that records that guards were not checked (value <c>false</c>).</summary>
    public const string GuardsEnforcedProperty = "guardsEnforced";

    /// <summary>The prefix of the Started event's properties that hold the deal's attributes (<c>attr.product</c>).</summary>
    public const string AttributePropertyPrefix = "attr.";

    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    // Dropped around amounts: exports often format them as money.
    private static readonly char[] CurrencySymbols = ['$', '€', '£', '¥', ' '];

    private static readonly ImmutableDictionary<string, string> StartedMarks = ImmutableDictionary.Create<string, string>(StringComparer.Ordinal).Add(ImportedProperty, "true");

    private static readonly ImmutableDictionary<string, string> TransitionMarks = StartedMarks.Add(GuardsEnforcedProperty, "false");

    private readonly IDealStore _store;
    private readonly PipelineDefinition _pipeline;
    private readonly ImportMapping _mapping;
    private readonly CrmImportOptions _options;
    private readonly Dictionary<string, string> _stageIds;
    private readonly Dictionary<(string From, string To), string> _triggers = [];
    private readonly string[] _dateFormats;
    private readonly string _actor;
    private readonly DealAuthorization _authorization;
    private readonly InputNames _inputNames;
    private readonly Dictionary<string, string> _attributeProperties;

    /// <summary>Initializes a new instance of the <see cref="CrmImporter"/> class.</summary>
    /// <param name="store">The store the deals go to.</param>
    /// <param name="pipeline">The pipeline the deals run on (the store must know it to read them back).</param>
    /// <param name="mapping">How the export maps to the pipeline.</param>
    /// <param name="options">Batch size and how deal data is made; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ImportMappingException">The mapping does not fit the pipeline (an unknown stage, a won name mapped to a stage that is not won, …).</exception>
    /// <exception cref="ArgumentException">The pipeline has typed data and no <see cref="CrmImportOptions.DataFactory"/> is given, or the batch size is not positive.</exception>
    public CrmImporter(IDealStore store, PipelineDefinition pipeline, ImportMapping mapping, CrmImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(mapping);
        _store = store;
        _pipeline = pipeline;
        _mapping = mapping;
        _options = options ?? new CrmImportOptions();
        _authorization = new DealAuthorization(_options.Authorizer, [], []);
        if (_options.BatchSize < 1)
        {
            throw new ArgumentException("CrmImportOptions.BatchSize must be at least 1.", nameof(options));
        }

        if (_options.InputLimits is null || _options.InputLimits.Validate() is { Count: > 0 })
        {
            throw new ArgumentException("CrmImportOptions.InputLimits is null or invalid: " + string.Join(" ", _options.InputLimits?.Validate() ?? []), nameof(options));
        }

        if (_options.DataFactory is null && pipeline.DataType != typeof(JsonDealData))
        {
            throw new ArgumentException(
                $"Pipeline '{pipeline.Id}' carries {pipeline.DataType.Name} data: give CrmImportOptions.DataFactory to make it from each imported deal.", nameof(options));
        }

        _stageIds = ResolveStages(pipeline, mapping);
        foreach (var transition in pipeline.Transitions)
        {
            if (transition.Kind == TransitionKind.Transition && transition.To is { } to)
            {
                _triggers.TryAdd((transition.From, to), transition.Trigger);
            }
        }

        _dateFormats = mapping.DateFormats.IsEmpty ? IsoFormats : [.. mapping.DateFormats];
        _actor = "import:" + mapping.Source;
        _inputNames = new InputNames(mapping);
        _attributeProperties = mapping.Attributes.Keys.ToDictionary(name => name, name => AttributePropertyPrefix + name, StringComparer.Ordinal);
    }

    /// <summary>Imports a CSV export read from a file.</summary>
    /// <param name="path">The file's path (UTF-8, with or without a byte order mark).</param>
    /// <param name="cancellationToken">Cancels the import between batches; batches already written stay.</param>
    /// <returns>The summary.</returns>
    public async ValueTask<CrmImportResult> ImportFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return await ImportAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Imports a CSV export: a header row, then data rows.</summary>
    /// <param name="csv">The CSV text.</param>
    /// <param name="cancellationToken">Cancels the import between batches; batches already written stay.</param>
    /// <returns>The summary: deals imported and skipped, rows rejected with line and reason.</returns>
    /// <exception cref="ImportMappingException">A column the mapping names is not in the header; nothing was imported.</exception>
    /// <exception cref="DealImportException">The store refused a batch for another reason than deals that exist already.</exception>
    public async ValueTask<CrmImportResult> ImportAsync(TextReader csv, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(csv);
        using var reader = Sep.New(_mapping.Delimiter).Reader(o => o with { Unescape = true, DisableColCountCheck = true }).From(csv);
        var columns = ResolveColumns(reader.Header);
        var run = new Run(this);
        var fields = new FieldCache();
        var group = new List<ParsedRow>();

        // One batch is written while the next is read and replayed (on two cores the CSV work hides behind the store's).
        // The writer takes each batch from a one-place hand-over as soon as the one before is written, without waiting
        // for this loop to be scheduled; this loop hands a batch over, then waits until the writer has taken it. Batches
        // still go to the store one at a time and in order, and memory holds at most two.
        var handOver = Channel.CreateBounded<List<DealImport>>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var writing = Task.Run(() => run.WriteAllAsync(handOver, cancellationToken), cancellationToken);
        try
        {
            while (true)
            {
                var row = ReadRow(reader, columns, _mapping, fields);
                if (row is null)
                {
                    break;
                }

                run.RowsRead++;
                if (row.DealId.Length == 0)
                {
                    run.Reject(row.Line, null, $"The deal id (column \"{_mapping.DealIdColumn}\") is empty.");
                    continue;
                }

                if (_mapping.Shape == ExportShape.Snapshot)
                {
                    if (run.FirstSeen(row))
                    {
                        run.Add(BuildSnapshot(row, fields), row.DealId);
                    }
                }
                else
                {
                    if (group.Count > 0 && !string.Equals(group[0].DealId, row.DealId, StringComparison.Ordinal))
                    {
                        run.Add(BuildHistory(group, fields), group[0].DealId);
                        group = [];
                    }

                    if (group.Count > 0 || run.FirstSeen(row))
                    {
                        group.Add(row);
                    }
                }

                if (run.Pending.Count >= _options.BatchSize)
                {
                    await HandOverAsync(handOver.Writer, await run.TakeAllowedAsync(cancellationToken).ConfigureAwait(false), writing, cancellationToken).ConfigureAwait(false);
                }
            }

            if (group.Count > 0)
            {
                run.Add(BuildHistory(group, fields), group[0].DealId);
            }

            await HandOverAsync(handOver.Writer, await run.TakeAllowedAsync(cancellationToken).ConfigureAwait(false), writing, cancellationToken).ConfigureAwait(false);
            handOver.Writer.TryComplete();
            await writing.ConfigureAwait(false);
            return run.Result();
        }
        finally
        {
            // A failure while reading never leaves a write running behind the caller's back (its own outcome is the
            // caller's to find in the store: a batch is written whole or not at all).
            handOver.Writer.TryComplete();
            if (!writing.IsCompleted)
            {
                await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    // Hands a batch to the writer and returns once the writer has taken it; when the writer stopped on a failure, throws it.
    // The place is empty on entry (the hand-over before returned only once it was taken), so a refused write means the
    // writer has completed the hand-over.
    private static async ValueTask HandOverAsync(ChannelWriter<List<DealImport>> handOver, List<DealImport> batch, Task writing, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        if (!handOver.TryWrite(batch) || !await handOver.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            await writing.ConfigureAwait(false);
            throw new InvalidOperationException("The import's writer stopped without a failure.");
        }
    }

    private static Dictionary<string, string> ResolveStages(PipelineDefinition pipeline, ImportMapping mapping)
    {
        var problems = new List<PipelineDiagnostic>();
        void Problem(string pointer, string message) =>
            problems.Add(new PipelineDiagnostic(DiagnosticSeverity.Error, "SF6101", message, new DiagnosticLocation(pointer)));

        if (mapping.PipelineId is { } named && !string.Equals(named, pipeline.Id, StringComparison.Ordinal))
        {
            Problem("/pipeline", $"The mapping is written for pipeline '{named}', not '{pipeline.Id}'.");
        }

        var stages = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, stageId) in mapping.Stages)
        {
            if (pipeline.TryGetStage(stageId, out _))
            {
                stages[name] = stageId;
            }
            else
            {
                Problem("/stages/" + name, $"The CRM stage \"{name}\" maps to '{stageId}', which pipeline '{pipeline.Id}' does not have (its stages: {string.Join(", ", pipeline.Stages.Select(s => s.Id))}).");
            }
        }

        void Outcome(ImmutableArray<string> names, StageKind kind, string property)
        {
            var fallback = pipeline.Stages.FirstOrDefault(s => s.Kind == kind);
            for (var i = 0; i < names.Length; i++)
            {
                if (stages.TryGetValue(names[i], out var stageId))
                {
                    if (pipeline.GetStage(stageId).Kind != kind)
                    {
                        Problem($"/{property}/{i}", $"The CRM stage \"{names[i]}\" is listed as {property} but maps to '{stageId}', a {pipeline.GetStage(stageId).Kind.ToString().ToLowerInvariant()} stage.");
                    }
                }
                else if (!mapping.Stages.ContainsKey(names[i]))
                {
                    if (fallback is null)
                    {
                        Problem($"/{property}/{i}", $"The CRM stage \"{names[i]}\" is listed as {property}, but pipeline '{pipeline.Id}' has no {property} stage to map it to.");
                    }
                    else
                    {
                        stages[names[i]] = fallback.Id;
                    }
                }
            }
        }

        Outcome(mapping.WonStages, StageKind.Won, "won");
        Outcome(mapping.LostStages, StageKind.Lost, "lost");
        return problems.Count > 0 ? throw new ImportMappingException(problems) : stages;
    }

    private Columns ResolveColumns(SepReaderHeader header)
    {
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.ColNames.Count; i++)
        {
            byName.TryAdd(header.ColNames[i].Trim().TrimStart('\uFEFF').Trim(), i);
        }

        var problems = new List<PipelineDiagnostic>();
        int Find(string? column, string pointer)
        {
            if (column is null)
            {
                return -1;
            }

            if (byName.TryGetValue(column, out var index))
            {
                return index;
            }

            problems.Add(new PipelineDiagnostic(
                DiagnosticSeverity.Error, "SF6102", $"The column \"{column}\" is not in the CSV header (it has: {string.Join(", ", byName.Keys.Select(k => $"\"{k}\""))}).", new DiagnosticLocation(pointer)));
            return -1;
        }

        var columns = new Columns(
            Find(_mapping.DealIdColumn, "/columns/dealId"),
            Find(_mapping.StageColumn, "/columns/stage"),
            Find(_mapping.CreatedColumn, "/columns/created"),
            Find(_mapping.ClosedColumn, "/columns/closed"),
            Find(_mapping.StageEnteredColumn, "/columns/stageEntered"),
            Find(_mapping.ChangedAtColumn, "/columns/changedAt"),
            Find(_mapping.AmountColumn, "/columns/amount"),
            Find(_mapping.OwnerColumn, "/columns/owner"),
            [.. _mapping.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => (a.Key, Find(a.Value, "/columns/attributes/" + a.Key)))]);
        return problems.Count > 0 ? throw new ImportMappingException(problems) : columns;
    }

    // Reads the next row's mapped fields (a SepReader row cannot live across an await, so it is copied out here). The
    // columns whose values repeat from row to row (stage, owner, attributes, dates) come from the run's shared strings.
    private static ParsedRow? ReadRow(SepReader reader, Columns columns, ImportMapping mapping, FieldCache fields)
    {
        var strings = fields.Strings;

        // Blank lines (a trailing one, say) are no rows.
        SepReader.Row row;
        do
        {
            if (!reader.MoveNext())
            {
                return null;
            }

            row = reader.Current;
        }
        while (row.ColCount == 1 && row[0].Span.IsWhiteSpace());

        var attributes = new string?[columns.Attributes.Length];
        for (var i = 0; i < attributes.Length; i++)
        {
            var value = Field(row, columns.Attributes[i].Index);
            attributes[i] = value.IsEmpty ? null
                : mapping.TryGetCanonical(columns.Attributes[i].Name, value, out var canonical) ? canonical
                : strings.Get(value);
        }

        return new ParsedRow(
            row.LineNumberFrom,
            Get(row, columns.DealId) ?? "",
            Shared(row, columns.Stage, strings),
            Shared(row, columns.Created, fields.Dates),
            Shared(row, columns.Closed, fields.Dates),
            Shared(row, columns.StageEntered, fields.Dates),
            Shared(row, columns.ChangedAt, fields.Dates),
            Get(row, columns.Amount),
            Shared(row, columns.Owner, strings),
            attributes)
        { AttributeNames = columns.Attributes };
    }

    // Whether the row has a field for a column (the index is -1 for a column the mapping leaves out; a short row lacks the last).
    private static bool Has(SepReader.Row row, int index) => index >= 0 && index < row.ColCount;

    private static ReadOnlySpan<char> Field(SepReader.Row row, int index) => Has(row, index) ? row[index].Span.Trim() : [];

    private static string? Get(SepReader.Row row, int index) => Has(row, index) ? Field(row, index).ToString() : null;

    private static string? Shared(SepReader.Row row, int index, FieldStrings strings) => Has(row, index) ? strings.Get(Field(row, index)) : null;

    private Built BuildSnapshot(ParsedRow row, FieldCache fields)
    {
        var reasons = fields.Reasons();
        CheckInput(row, reasons);
        var stage = Stage(row, reasons);
        var created = Date(row.Created, _mapping.CreatedColumn, reasons, fields, required: true);
        var amount = Amount(row.Amount, reasons);
        DateTimeOffset? movedAt = null;
        if (stage is not null && created is { } start && !string.Equals(stage.Id, _pipeline.InitialStage, StringComparison.Ordinal))
        {
            if (stage.Kind != StageKind.Open && _mapping.ClosedColumn is not null)
            {
                movedAt = Date(row.Closed, _mapping.ClosedColumn, reasons, fields, required: true, closing: (row.Stage, stage.Kind));
            }
            else
            {
                movedAt = (_mapping.StageEnteredColumn is not null ? Date(row.StageEntered, _mapping.StageEnteredColumn, reasons, fields, required: false) : null) ?? start;
            }

            if (movedAt < start)
            {
                reasons.Add($"The deal moved to \"{row.Stage}\" on {movedAt:u}, before it was created ({start:u}).");
            }
        }

        if (reasons.Count > 0)
        {
            return Built.Rejected(row.Line, string.Join(" ", reasons));
        }

        var visits = new List<Visit>(2) { new(_pipeline.GetStage(_pipeline.InitialStage), created!.Value, null, row.Line, row.LineText) };
        if (movedAt is { } at)
        {
            visits.Add(new Visit(stage!, at, row.Stage, row.Line, row.LineText));
        }
        else
        {
            visits[0] = visits[0] with { CrmStage = row.Stage };
        }

        return Replay(row.DealId, visits, row.Owner is { Length: > 0 } owner ? owner : null, amount, Attributes(new ReadOnlySpan<ParsedRow>(in row)));
    }

    // The limits every write to a deal keeps (CrmImportOptions.InputLimits): the id, the owner, and the texts that become
    // event properties (the CRM's stage name, the attributes). The reasons name the column, never the value.
    private void CheckInput(ParsedRow row, List<string> reasons)
    {
        var check = new InputCheck(_options.InputLimits)
            .Id(row.DealId, _inputNames.DealId)
            .OptionalActor(row.Owner is { Length: > 0 } owner ? owner : null, _inputNames.Owner)
            .PropertyValue(row.Stage, _inputNames.Stage);
        for (var i = 0; i < row.AttributeValues.Length; i++)
        {
            check.PropertyValue(row.AttributeValues[i], _inputNames.Attribute(row.AttributeNames[i].Name));
        }

        if (check.Problems is { } problems)
        {
            reasons.AddRange(problems.Select(p => p.Message));
        }
    }

    private Built BuildHistory(List<ParsedRow> rows, FieldCache fields)
    {
        var entries = new List<Visit>(rows.Count);
        DateTimeOffset? created = null;
        var bad = new List<(long Line, string Reason)>();
        foreach (var row in rows)
        {
            var reasons = fields.Reasons();
            CheckInput(row, reasons);
            var stage = Stage(row, reasons);
            var at = Date(row.ChangedAt, _mapping.ChangedAtColumn, reasons, fields, required: true);
            Amount(row.Amount, reasons);
            if (_mapping.CreatedColumn is not null && Date(row.Created, _mapping.CreatedColumn, reasons, fields, required: false) is { } c && (created is null || c < created))
            {
                created = c;
            }

            if (reasons.Count > 0)
            {
                bad.Add((row.Line, string.Join(" ", reasons)));
            }
            else
            {
                entries.Add(new Visit(stage!, at!.Value, row.Stage, row.Line, row.LineText));
            }
        }

        if (bad.Count > 0)
        {
            var first = bad[0].Line;
            var rejected = rows.Select(r => bad.FirstOrDefault(b => b.Line == r.Line) is { Reason: { } reason }
                ? (r.Line, reason)
                : (r.Line, $"Deal '{rows[0].DealId}' is not imported: its row on line {first} is rejected."));
            return Built.Rejected([.. rejected]);
        }

        // By date, then by line; a row that repeats the stage the deal is in (an amount change, say) is no move.
        // Every row made an entry (a bad row rejected the deal above), so rows and entries sort the same way.
        var order = Enumerable.Range(0, entries.Count).OrderBy(i => entries[i].At).ThenBy(i => entries[i].Line).ToList();
        var ordered = order.Select(i => entries[i]).ToList();
        var visits = new List<Visit>(ordered.Count);
        foreach (var entry in ordered)
        {
            if (visits.Count == 0 || !string.Equals(visits[^1].Stage.Id, entry.Stage.Id, StringComparison.Ordinal))
            {
                visits.Add(entry);
            }
        }

        if (created is { } start && start < visits[0].At)
        {
            visits[0] = visits[0] with { At = start };
        }

        // Owner, amount and attributes: the latest non-empty value, in date order.
        var byDate = order.Select(i => rows[i]).ToList();
        var owner = byDate.Select(r => r.Owner).LastOrDefault(o => !string.IsNullOrEmpty(o));
        var amount = byDate.Select(r => r.Amount).LastOrDefault(a => !string.IsNullOrEmpty(a)) is { } text ? Amount(text, []) : null;
        return Replay(rows[0].DealId, visits, owner, amount, Attributes(CollectionsMarshal.AsSpan(byDate)));
    }

    // The attributes come sorted by name (as the mapping's attribute columns are).
    private Built Replay(string dealId, List<Visit> visits, string? owner, decimal? amount, KeyValuePair<string, string>[] attributes)
    {
        var start = visits[0];
        var last = visits[^1];
        object data;
        try
        {
            data = _options.DataFactory is { } factory
                ? factory(new ImportedDeal(dealId, last.Stage.Id, start.At, owner, amount, ImmutableDictionary.CreateRange(StringComparer.Ordinal, attributes)))
                : JsonDealData.FromStrings(attributes);
            _pipeline.CheckData(data, dealId);
        }
        catch (DealDataInvalidException ex)
        {
            return Built.Rejected(start.Line, ex.Message);
        }

        var events = new DealEvent[visits.Count];
        events[0] = new DealEvent
        {
            DealId = dealId,
            Sequence = 1,
            Kind = DealEventKind.Started,
            Timestamp = start.At,
            Actor = _actor,
            ToStage = start.Stage.Id,
            Properties = Marked(StartedMarks, start, attributes),
        };
        for (var i = 1; i < visits.Count; i++)
        {
            var from = visits[i - 1].Stage.Id;
            var to = visits[i].Stage.Id;
            events[i] = new DealEvent
            {
                DealId = dealId,
                Sequence = i + 1,
                Kind = DealEventKind.Transition,
                Timestamp = visits[i].At,
                Actor = _actor,
                Trigger = _triggers.TryGetValue((from, to), out var trigger) ? trigger : ImportTrigger,
                FromStage = from,
                ToStage = to,
                Properties = Marked(TransitionMarks, visits[i], []),
            };
        }

        var deal = new Deal
        {
            Id = dealId,
            TenantId = _store.TenantId,
            PipelineId = _pipeline.Id,
            PipelineVersion = _pipeline.Version,
            StageId = last.Stage.Id,
            PreviousStageId = visits.Count > 1 ? visits[^2].Stage.Id : null,
            Version = 1,
            LastSequence = events.Length,
            CreatedAt = start.At,
            UpdatedAt = last.At,
            StageEnteredAt = last.At,
            StageEnteredSequence = events.Length,
            LastActivityAt = last.At,
            Owner = owner,
            Amount = amount,
            Outcome = last.Stage.Kind,
            Data = data,
        };
        return new Built(new DealImport(deal, events), []);
    }

    // An imported event's properties: the marks every such event shares, its line and CRM stage, and the attributes
    // (as attr.<name>). Added to the shared marks through one builder: an immutable dictionary is dear to grow.
    private ImmutableDictionary<string, string> Marked(ImmutableDictionary<string, string> marks, Visit visit, KeyValuePair<string, string>[] attributes)
    {
        var properties = marks.ToBuilder();
        properties.Add("importLine", visit.LineText);
        if (visit.CrmStage is { } crmStage)
        {
            properties.Add("crmStage", crmStage);
        }

        foreach (var (name, value) in attributes)
        {
            properties.Add(_attributeProperties[name], value);
        }

        return properties.ToImmutable();
    }

    // The attributes of a deal, by name: for each, the value of the last row (in the order given) where it is not empty.
    // An array of the exact size: the deal's data keeps it.
    private static KeyValuePair<string, string>[] Attributes(ReadOnlySpan<ParsedRow> rows)
    {
        var names = rows[0].AttributeNames;
        var count = 0;
        for (var i = 0; i < names.Length; i++)
        {
            count += LastValue(rows, i) is null ? 0 : 1;
        }

        if (count == 0)
        {
            return [];
        }

        var values = new KeyValuePair<string, string>[count];
        var k = 0;
        for (var i = 0; i < names.Length; i++)
        {
            if (LastValue(rows, i) is { } value)
            {
                values[k++] = KeyValuePair.Create(names[i].Name, value);
            }
        }

        return values;

        static string? LastValue(ReadOnlySpan<ParsedRow> rows, int attribute)
        {
            for (var r = rows.Length - 1; r >= 0; r--)
            {
                if (rows[r].AttributeValues[attribute] is { Length: > 0 } value)
                {
                    return value;
                }
            }

            return null;
        }
    }

    private StageDefinition? Stage(ParsedRow row, List<string> reasons)
    {
        if (string.IsNullOrEmpty(row.Stage))
        {
            reasons.Add($"The stage (column \"{_mapping.StageColumn}\") is empty.");
            return null;
        }

        if (_stageIds.TryGetValue(row.Stage, out var stageId))
        {
            return _pipeline.GetStage(stageId);
        }

        reasons.Add($"The stage \"{row.Stage}\" is not in the mapping's stages.");
        return null;
    }

    // A date of the export, in UTC. Closing: the CRM stage and kind of a closed deal, whose close date is required.
    private DateTimeOffset? Date(string? text, string? column, List<string> reasons, FieldCache fields, bool required, (string? CrmStage, StageKind Kind)? closing = null)
    {
        if (string.IsNullOrEmpty(text))
        {
            if (required)
            {
                var why = closing is { } c ? $": the stage \"{c.CrmStage}\" is {c.Kind.ToString().ToLowerInvariant()}, so the deal needs a close date" : "";
                reasons.Add($"The date in column \"{column}\" is empty{why}.");
            }

            return null;
        }

        if (fields.TryGetDate(text, out var known))
        {
            return known;
        }

        if (!DateTime.TryParseExact(text, _dateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.RoundtripKind, out var parsed))
        {
            reasons.Add($"The date \"{text}\" in column \"{column}\" does not match {string.Join(" or ", _dateFormats.Take(3))}{(_dateFormats.Length > 3 ? " …" : "")}.");
            return null;
        }

        var date = parsed.Kind switch
        {
            DateTimeKind.Unspecified => new DateTimeOffset(parsed, _mapping.TimeZone.GetUtcOffset(parsed)).ToUniversalTime(),
            _ => new DateTimeOffset(parsed).ToUniversalTime(),
        };
        fields.AddDate(text, date);
        return date;
    }

    private decimal? Amount(string? text, List<string> reasons)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        // Currency symbols ($, €, …) around the number are dropped: exports often format amounts as money.
        var number = text.AsSpan().Trim().Trim(CurrencySymbols).Trim();
        if (decimal.TryParse(number, NumberStyles.Number, _mapping.NumberFormat, out var amount))
        {
            return amount;
        }

        reasons.Add($"The amount \"{text}\" in column \"{_mapping.AmountColumn}\" is not a number (decimal separator \"{_mapping.NumberFormat.NumberDecimalSeparator}\").");
        return null;
    }

    private sealed record Columns(int DealId, int Stage, int Created, int Closed, int StageEntered, int ChangedAt, int Amount, int Owner, (string Name, int Index)[] Attributes);

    private sealed record ParsedRow(long Line, string DealId, string? Stage, string? Created, string? Closed, string? StageEntered, string? ChangedAt, string? Amount, string? Owner, string?[] AttributeValues)
    {
        public (string Name, int Index)[] AttributeNames { get; init; } = [];

        public string LineText { get; } = Line.ToString(CultureInfo.InvariantCulture);
    }

    // What one import's reading keeps from row to row: the strings of the columns whose values repeat (stages, owners,
    // attributes; dates apart, so that a column of unique timestamps does not crowd them out), the dates already parsed
    // (an export of day dates repeats each day many times), and the list a row's problems are collected in. Bounded
    // like FieldStrings.
    private sealed class FieldCache
    {
        private readonly Dictionary<string, DateTimeOffset> _dates = new(StringComparer.Ordinal);
        private readonly List<string> _reasons = [];

        public FieldStrings Strings { get; } = new();

        public FieldStrings Dates { get; } = new();

        public bool TryGetDate(string text, out DateTimeOffset date) => _dates.TryGetValue(text, out date);

        public void AddDate(string text, DateTimeOffset date)
        {
            if (_dates.Count < FieldStrings.Limit)
            {
                _dates[text] = date;
            }
        }

        // The list for one row's problems, emptied: a row's reasons are joined into its message before the next row's are
        // collected.
        public List<string> Reasons()
        {
            _reasons.Clear();
            return _reasons;
        }
    }

    // The values of the columns that repeat from row to row (stage names, owners, attribute values), one string per
    // distinct value: a batch holds each value once, and on .NET 9 and later a value seen before makes no string at all.
    // Bounded: past the limit a new value is made as it is, so a column of unique values does not grow the import's memory.
    private sealed class FieldStrings
    {
        public const int Limit = 4_096;
        private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
#if NET9_0_OR_GREATER
        private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        public FieldStrings() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
#endif

        public string Get(ReadOnlySpan<char> value)
        {
            if (value.IsEmpty)
            {
                return "";
            }

#if NET9_0_OR_GREATER
            if (_lookup.TryGetValue(value, out var known))
            {
                return known;
            }

            var text = value.ToString();
#else
            var text = value.ToString();
            if (_strings.TryGetValue(text, out var known))
            {
                return known;
            }
#endif
            if (_strings.Count < Limit)
            {
                _strings.Add(text, text);
            }

            return text;
        }
    }

    // How a row's checked inputs are named in rejection reasons (by column, never by value); made once per importer.
    private sealed class InputNames(ImportMapping mapping)
    {
        private readonly Dictionary<string, string> _attributes = mapping.Attributes.ToDictionary(
            a => a.Key, a => $"The attribute \"{a.Key}\" (column \"{a.Value}\")", StringComparer.Ordinal);

        public string DealId { get; } = $"The deal id (column \"{mapping.DealIdColumn}\")";

        public string Owner { get; } = $"The owner (column \"{mapping.OwnerColumn}\")";

        public string Stage { get; } = $"The stage (column \"{mapping.StageColumn}\")";

        public string Attribute(string name) => _attributes[name];
    }

    // A stage the deal was in from a date on, with the line it was read from (as a number to sort by, and as the text of
    // its events' importLine, made once per row).
    private readonly record struct Visit(StageDefinition Stage, DateTimeOffset At, string? CrmStage, long Line, string LineText);

    private sealed record Built(DealImport? Import, (long Line, string Reason)[] Rejections)
    {
        public static Built Rejected(long line, string reason) => new(null, [(line, reason)]);

        public static Built Rejected((long Line, string Reason)[] rejections) => new(null, rejections);
    }

    // One import run: the pending batch, the ids seen, the counts and the rejections.
    private sealed class Run(CrmImporter importer)
    {
        private readonly Dictionary<string, long> _seen = new(StringComparer.Ordinal);
        private readonly List<RejectedRow> _rejected = [];
        private int _imported;
        private int _skipped;
        private long _events;

        public long RowsRead { get; set; }

        public List<DealImport> Pending { get; } = [];

        public void Reject(long line, string? dealId, string reason) => _rejected.Add(new RejectedRow(line, dealId, reason));

        // A deal's rows (history) or row (snapshot) must come once; a later appearance is rejected, the first stands.
        public bool FirstSeen(ParsedRow row)
        {
            if (_seen.TryAdd(row.DealId, row.Line))
            {
                return true;
            }

            var shape = importer._mapping.Shape == ExportShape.Snapshot
                ? "a snapshot export has one row per deal"
                : "a history export must keep each deal's rows together (sort it by deal id)";
            Reject(row.Line, row.DealId, $"Deal '{row.DealId}' appeared already on line {_seen[row.DealId]}: {shape}.");
            return false;
        }

        public void Add(Built built, string dealId)
        {
            if (built.Import is { } import)
            {
                Pending.Add(import);
                return;
            }

            foreach (var (line, reason) in built.Rejections)
            {
                Reject(line, dealId, reason);
            }
        }

        // Takes the pending deals the caller may import; the others are rejected rows with the reason (on the line the
        // deal starts on). Runs on the reading side: the rejections are the reader's.
        public async ValueTask<List<DealImport>> TakeAllowedAsync(CancellationToken cancellationToken)
        {
            if (Pending.Count == 0)
            {
                return [];
            }

            cancellationToken.ThrowIfCancellationRequested();
            var pipeline = importer._pipeline;
            if (!importer._authorization.Applies(pipeline, DealAction.Import))
            {
                List<DealImport> all = [.. Pending];
                Pending.Clear();
                return all;
            }

            var allowed = new List<DealImport>(Pending.Count);
            foreach (var import in Pending)
            {
                var denied = await importer._authorization.DeniedAsync(
                    DealAction.Import, importer._actor, importer._options.User, pipeline, import.Deal, cancellationToken).ConfigureAwait(false);
                if (denied is null)
                {
                    allowed.Add(import);
                }
                else
                {
                    var line = import.Events[0].Properties.TryGetValue("importLine", out var text) && long.TryParse(text, CultureInfo.InvariantCulture, out var number) ? number : 0;
                    Reject(line, import.Deal.Id, $"Importing deal '{import.Deal.Id}' is forbidden: {denied}.");
                }
            }

            Pending.Clear();
            return allowed;
        }

        // Writes the batches handed over, in order, until the hand-over is completed; on a failure, completes it so that
        // the reader, waiting to hand over the next batch, stops and throws the failure.
        public async Task WriteAllAsync(Channel<List<DealImport>> handOver, CancellationToken cancellationToken)
        {
            try
            {
                while (await handOver.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (handOver.Reader.TryRead(out var batch))
                    {
                        await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                handOver.Writer.TryComplete();
            }
        }

        // Writes one batch: one store import (one transaction). Touches only the write counts, never the reader's state.
        public async Task WriteAsync(List<DealImport> batch, CancellationToken cancellationToken)
        {
            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await importer._store.ImportAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            catch (DealImportException)
            {
                // Some deals exist already (a second run, or an earlier run that stopped): skip those, write the rest.
                // Looked up a few at a time: on a database each look-up is a round trip.
                var exists = new bool[batch.Count];
                await Parallel.ForEachAsync(
                    Enumerable.Range(0, batch.Count),
                    new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                    async (i, token) => exists[i] = await importer._store.GetAsync(batch[i].Deal.Id, token).ConfigureAwait(false) is not null).ConfigureAwait(false);
                var fresh = batch.Where((_, i) => !exists[i]).ToList();

                if (fresh.Count == batch.Count)
                {
                    throw;
                }

                _skipped += batch.Count - fresh.Count;
                batch = fresh;
                if (batch.Count > 0)
                {
                    await importer._store.ImportAsync(batch, cancellationToken).ConfigureAwait(false);
                }
            }

            _imported += batch.Count;
            _events += batch.Sum(b => (long)b.Events.Count);
        }

        public CrmImportResult Result() => new()
        {
            RowsRead = RowsRead,
            DealsImported = _imported,
            DealsSkipped = _skipped,
            EventsImported = _events,
            Rejected = [.. _rejected.OrderBy(r => r.Line)],
        };
    }
}
