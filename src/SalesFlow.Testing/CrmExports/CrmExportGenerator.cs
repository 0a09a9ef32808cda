using System.Globalization;
using System.Text;

namespace SalesFlow.Testing.CrmExports;

/// <summary>
/// Makes realistic CRM exports from a seed, in both shapes, and keeps their ground truth: what each deal should become
/// once imported, and which lines are bad. The exports look like real ones: quoted fields with commas, quotes and line
/// breaks inside, empty close dates for open deals, products spelled inconsistently, the CRM's own stage names (and
/// their casing), money formatted as money, and a few bad rows (unknown stage, unreadable date, missing id, unreadable
/// amount).
/// </summary>
/// <remarks>
/// The exports fit <see cref="PipelineJson"/> (a pipeline with schemaless data) through <see cref="SnapshotMapping"/>
/// and <see cref="HistoryMapping"/>; <c>docs/import.md</c> shows both mappings.
/// </remarks>
public sealed class CrmExportGenerator
{
    /// <summary>The id of <see cref="PipelineJson"/>'s pipeline.</summary>
    public const string PipelineId = "crm-import-demo";

    private static readonly (string CrmName, string StageId)[] OpenStages =
    [
        ("Prospecting", "lead"), ("Qualification", "qualified"), ("Needs Analysis", "discovery"),
        ("Value Proposition", "demo"), ("Proposal/Price Quote", "proposal"), ("Negotiation/Review", "negotiation"),
    ];

    private static readonly string[] Owners = ["Dana Whitfield", "Luis Ortega", "Mei Chen", "Sam O'Brien", "Priya Natarajan", "Tom Kowalski", "Ana Souza"];

    private static readonly (string Canonical, string[] Spellings)[] Products =
    [
        ("Analytics Suite", ["Analytics Suite", "analytics suite", "Analytics  Suite", "ANALYTICS SUITE", "Analytics-Suite "]),
        ("CRM Cloud", ["CRM Cloud", "Crm Cloud", "crm-cloud", "CRM  cloud"]),
        ("Data Connector", ["Data Connector", "data connector", "DataConnector", " Data Connector"]),
    ];

    private static readonly string[] Regions = ["EMEA", "NA", "APAC", "LATAM"];
    private static readonly string[] Accounts = ["Acme, Inc.", "Globex \"North\" Ltd", "Initech", "Umbrella Corp.", "Stark Industries, LLC", "Wayne \"WE\" Enterprises", "Soylent; Co"];

    private readonly int _seed;

    /// <summary>Initializes a new instance of the <see cref="CrmExportGenerator"/> class.</summary>
    /// <param name="seed">The seed: the same seed makes the same exports.</param>
    public CrmExportGenerator(int seed) => _seed = seed;

    /// <summary>Gets the pipeline the exports fit, as definition JSON (schemaless <c>JsonDealData</c> data).</summary>
    public static string PipelineJson => """
        {
          "format": 1,
          "id": "crm-import-demo",
          "version": 1,
          "name": "CRM import demo",
          "initialStage": "lead",
          "stages": [
            { "id": "lead", "name": "Lead", "order": 1, "kind": "open", "guidance": "A new lead." },
            { "id": "qualified", "name": "Qualified", "order": 2, "kind": "open", "guidance": "Budget and need confirmed." },
            { "id": "discovery", "name": "Discovery", "order": 3, "kind": "open", "guidance": "Needs understood." },
            { "id": "demo", "name": "Demo", "order": 4, "kind": "open", "guidance": "The product shown." },
            { "id": "proposal", "name": "Proposal", "order": 5, "kind": "open", "guidance": "A quote sent." },
            { "id": "negotiation", "name": "Negotiation", "order": 6, "kind": "open", "guidance": "Terms discussed." },
            { "id": "won", "name": "Won", "order": 7, "kind": "won", "guidance": "Signed." },
            { "id": "lost", "name": "Lost", "order": 8, "kind": "lost", "guidance": "Not this time." }
          ],
          "transitions": [
            { "trigger": "Qualify", "from": "lead", "to": "qualified" },
            { "trigger": "Discover", "from": "qualified", "to": "discovery" },
            { "trigger": "Demo", "from": "discovery", "to": "demo" },
            { "trigger": "Propose", "from": "demo", "to": "proposal" },
            { "trigger": "Negotiate", "from": "proposal", "to": "negotiation" },
            { "trigger": "Win", "from": "negotiation", "to": "won" },
            { "trigger": "Lose", "from": "lead", "to": "lost" },
            { "trigger": "Lose", "from": "qualified", "to": "lost" },
            { "trigger": "Lose", "from": "discovery", "to": "lost" },
            { "trigger": "Lose", "from": "demo", "to": "lost" },
            { "trigger": "Lose", "from": "proposal", "to": "lost" },
            { "trigger": "Lose", "from": "negotiation", "to": "lost" }
          ]
        }
        """;

    /// <summary>Gets the mapping of snapshot exports (an opportunities report: comma-separated, every field quoted, US dates and money, New York time).</summary>
    public static string SnapshotMapping => """
        {
          "$schema": "import-mapping.schema.json",
          "shape": "snapshot",
          "source": "salesforce",
          "pipeline": "crm-import-demo",
          "columns": {
            "dealId": "Opportunity ID",
            "stage": "Stage",
            "created": "Created Date",
            "closed": "Close Date",
            "stageEntered": "Last Stage Change Date",
            "amount": "Amount",
            "owner": "Opportunity Owner",
            "attributes": { "product": "Product", "account": "Account Name", "region": "Region" }
          },
          "stages": {
            "Prospecting": "lead",
            "Qualification": "qualified",
            "Needs Analysis": "discovery",
            "Value Proposition": "demo",
            "Proposal/Price Quote": "proposal",
            "Negotiation/Review": "negotiation",
            "Closed Won": "won",
            "Closed Lost": "lost"
          },
          "values": { "product": { "Analytics Suite": [], "CRM Cloud": [], "Data Connector": [] } },
          "won": ["Closed Won", "Won - Signed"],
          "lost": ["Closed Lost"],
          "dates": { "formats": ["M/d/yyyy"], "timeZone": "America/New_York" },
          "numbers": { "culture": "en-US" }
        }
        """;

    /// <summary>Gets the mapping of history exports (a deal flow: semicolon-separated, European dates with times and decimal commas, Berlin time).</summary>
    public static string HistoryMapping => """
        {
          "$schema": "import-mapping.schema.json",
          "shape": "history",
          "source": "pipedrive",
          "pipeline": "crm-import-demo",
          "columns": {
            "dealId": "Deal ID",
            "stage": "To Stage",
            "changedAt": "Changed At",
            "amount": "Deal Value",
            "owner": "Owner",
            "attributes": { "product": "Product" }
          },
          "stages": {
            "Prospecting": "lead",
            "Qualification": "qualified",
            "Needs Analysis": "discovery",
            "Value Proposition": "demo",
            "Proposal/Price Quote": "proposal",
            "Negotiation/Review": "negotiation",
            "Closed Won": "won",
            "Closed Lost": "lost"
          },
          "values": { "product": { "Analytics Suite": [], "CRM Cloud": [], "Data Connector": [] } },
          "won": ["Closed Won", "Won - Signed"],
          "lost": ["Closed Lost"],
          "dates": { "formats": ["d.M.yyyy H:mm", "d.M.yyyy"], "timeZone": "Europe/Berlin" },
          "numbers": { "decimalSeparator": ",", "groupSeparator": "." },
          "csv": { "delimiter": ";" }
        }
        """;

    /// <summary>Makes a snapshot export: one row per deal.</summary>
    /// <param name="deals">How many deals (bad rows come on top).</param>
    /// <returns>The CSV text and its ground truth.</returns>
    public GeneratedExport Snapshot(int deals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deals);
        var random = new Random(_seed);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var csv = new CsvText(',', "\r\n", quoteAll: true);
        csv.Row("Opportunity ID", "Opportunity Name", "Account Name", "Stage", "Amount", "Created Date", "Close Date", "Last Stage Change Date", "Opportunity Owner", "Product", "Region", "Description");
        var truth = new List<GeneratedDeal>();
        var bad = new List<GeneratedBadRow>();
        for (var i = 0; i < deals; i++)
        {
            if (random.Next(100) == 0)
            {
                bad.Add(BadSnapshotRow(random, csv, i));
            }

            var id = $"006{_seed % 1000:000}{i:0000000}";
            var account = Pick(random, Accounts);
            var (product, spelling) = Spelling(random);
            var region = Pick(random, Regions);
            var owner = Pick(random, Owners);
            var amount = Math.Round((decimal)(random.NextDouble() * 250_000) + 500m, 2);
            var created = new DateTime(2022, 1, 1).AddDays(random.Next(900));
            var roll = random.Next(100);
            string crmStage;
            string stageId;
            DateTime? closed = null;
            DateTime? entered = null;
            if (roll < 30)
            {
                crmStage = random.Next(10) == 0 ? "Won - Signed" : Cased(random, "Closed Won");
                stageId = "won";
                closed = created.AddDays(random.Next(1, 200));
            }
            else if (roll < 55)
            {
                crmStage = Cased(random, "Closed Lost");
                stageId = "lost";
                closed = created.AddDays(random.Next(0, 200));
            }
            else
            {
                var open = OpenStages[random.Next(OpenStages.Length)];
                crmStage = Cased(random, open.CrmName);
                stageId = open.StageId;
                entered = stageId == "lead" ? null : created.AddDays(random.Next(0, 60));
            }

            var startedAt = Instant(created, zone);
            var movedAt = closed is { } c ? Instant(c, zone) : entered is { } e ? Instant(e, zone) : startedAt;
            var line = csv.Row(
                id,
                $"{account} - {product}\n(renewal {i % 3})",
                account,
                crmStage,
                random.Next(3) == 0 ? amount.ToString("C2", CultureInfo.GetCultureInfo("en-US")) : amount.ToString("N2", CultureInfo.GetCultureInfo("en-US")),
                Date(created),
                closed is { } cd ? Date(cd) : "",
                entered is { } ed ? Date(ed) : "",
                owner,
                spelling,
                region,
                random.Next(4) == 0 ? $"Call notes:\n\"{owner}\" said, \"let's talk\"\nnext week" : "");
            truth.Add(new GeneratedDeal(id, stageId, owner, amount, product, spelling.Trim(), startedAt, movedAt, stageId == "lead" ? 1 : 2, [line])
            {
                Account = account,
                Region = region,
            });
        }

        return new GeneratedExport(ExportShape.Snapshot, csv.ToString(), truth, bad);
    }

    /// <summary>Makes a history export: one row per stage change, each deal's rows together (in date order, except a few deals whose rows are shuffled).</summary>
    /// <param name="deals">How many deals (deals with a bad row come on top).</param>
    /// <returns>The CSV text and its ground truth.</returns>
    public GeneratedExport History(int deals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deals);
        var random = new Random(_seed);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var csv = new CsvText(';', "\n", quoteAll: false);
        csv.Row("Deal ID", "Deal Title", "From Stage", "To Stage", "Changed At", "Deal Value", "Owner", "Product", "Note");
        var truth = new List<GeneratedDeal>();
        var bad = new List<GeneratedBadRow>();
        var german = CultureInfo.GetCultureInfo("de-DE");
        for (var i = 0; i < deals + deals / 80; i++)
        {
            var id = $"D-{_seed % 1000:000}-{i:000000}";
            var owner = Pick(random, Owners);
            var (product, spelling) = Spelling(random);
            var amount = Math.Round((decimal)(random.NextDouble() * 90_000) + 100m, 2);
            var path = Path(random);
            var at = new DateTime(2022, 1, 3, 8, 0, 0).AddDays(random.Next(900)).AddMinutes(random.Next(0, 9 * 60));
            var rows = new List<(DateTime At, string Stage, string StageId, string? Value)>();
            foreach (var (crmStage, stageId) in path)
            {
                rows.Add((at, Cased(random, crmStage), stageId, amount.ToString("N2", german)));
                // Now and then a row repeats the stage (a value change): no move.
                if (random.Next(12) == 0)
                {
                    at = at.AddHours(random.Next(1, 30));
                    rows.Add((at, Cased(random, crmStage), stageId, amount.ToString("N2", german)));
                }

                at = at.AddDays(random.Next(0, 25)).AddMinutes(random.Next(1, 600));
            }

            // The bad deal: one of its rows cannot be read, so none of them is imported.
            var badIndex = i >= deals ? random.Next(rows.Count) : -1;
            var problem = badIndex < 0 ? null : (random.Next(3) switch { 0 => "stage", 1 => "date", _ => "amount" });
            var order = Enumerable.Range(0, rows.Count).ToList();
            if (random.Next(10) == 0)
            {
                order = [.. order.OrderBy(_ => random.Next())];
            }

            var lines = new List<long>();
            long badLine = 0;
            string? previous = null;
            foreach (var k in order)
            {
                var (rowAt, stage, _, value) = rows[k];
                var changedAt = rowAt.ToString(k == 0 && random.Next(20) == 0 ? "d.M.yyyy" : "d.M.yyyy H:mm", CultureInfo.InvariantCulture);
                if (changedAt.Length <= 10)
                {
                    // A date without a time (only ever on a deal's first row, so no tie) is midnight: keep the truth in step.
                    rows[k] = (rowAt.Date, rows[k].Stage, rows[k].StageId, value);
                }

                if (k == badIndex)
                {
                    switch (problem)
                    {
                        case "stage": stage = "Pending Legal Review"; break;
                        case "date": changedAt = "31.13.2023 25:61"; break;
                        default: value = "zwölf"; break;
                    }
                }

                var line = csv.Row(id, $"{spelling.Trim()} for {owner}; \"priority\"", previous ?? "", stage, changedAt, value ?? "", owner, spelling, k == 0 && random.Next(3) == 0 ? "first call\nleft a voicemail" : "");
                previous = stage;
                lines.Add(line);
                if (k == badIndex)
                {
                    badLine = line;
                }
            }

            if (problem is not null)
            {
                bad.Add(new GeneratedBadRow(badLine, id, problem) { DealLines = lines });
                continue;
            }

            // The truth: visits in date order, a repeated stage no move.
            var visits = rows.Select(r => (r.At, r.StageId)).OrderBy(v => v.At).Aggregate(new List<(DateTime At, string StageId)>(), (list, v) =>
            {
                if (list.Count == 0 || list[^1].StageId != v.StageId)
                {
                    list.Add(v);
                }

                return list;
            });
            truth.Add(new GeneratedDeal(id, visits[^1].StageId, owner, amount, product, spelling.Trim(), Instant(visits[0].At, zone), Instant(visits[^1].At, zone), visits.Count, lines)
            {
                Stages = [.. visits.Select(v => v.StageId)],
            });
        }

        // A row without a deal id, between two deals.
        var missing = csv.Row("", "no id", "", "Prospecting", "1.2.2023 10:00", "10,00", Owners[0], "CRM Cloud", "");
        bad.Add(new GeneratedBadRow(missing, null, "id"));
        return new GeneratedExport(ExportShape.History, csv.ToString(), truth, bad);
    }

    private GeneratedBadRow BadSnapshotRow(Random random, CsvText csv, int i)
    {
        var id = $"006{_seed % 1000:000}X{i:000000}";
        var problem = random.Next(4) switch { 0 => "stage", 1 => "date", 2 => "id", _ => "amount" };
        var line = csv.Row(
            problem == "id" ? "" : id,
            "Broken \"row\", for the test",
            "Initech",
            problem == "stage" ? "Pending Legal Review" : "Closed Won",
            problem == "amount" ? "twelve hundred" : "1,200.00",
            problem == "date" ? "13/45/2023" : "3/4/2023",
            "5/6/2023",
            "",
            Owners[1],
            "CRM Cloud",
            "NA",
            "line one\nline two");
        return new GeneratedBadRow(line, problem == "id" ? null : id, problem);
    }

    // A forward walk through the open stages with skips and backward moves, ending won, lost or open.
    private static List<(string CrmStage, string StageId)> Path(Random random)
    {
        var path = new List<(string, string)>();
        var index = random.Next(4) == 0 ? 1 : 0;
        path.Add(OpenStages[index]);
        var end = random.Next(100);
        var depth = random.Next(index, OpenStages.Length);
        while (index < depth)
        {
            var next = index + (random.Next(6) == 0 ? 2 : 1);
            if (random.Next(10) == 0 && index > 0)
            {
                next = index - 1;
            }

            index = Math.Min(next, OpenStages.Length - 1);
            if (path[^1].Item2 != OpenStages[index].StageId)
            {
                path.Add(OpenStages[index]);
            }

            if (index == depth)
            {
                break;
            }
        }

        if (end < 35)
        {
            path.Add(random.Next(10) == 0 ? ("Won - Signed", "won") : ("Closed Won", "won"));
        }
        else if (end < 65)
        {
            path.Add(("Closed Lost", "lost"));
        }

        return path;
    }

    private static (string Canonical, string Spelling) Spelling(Random random)
    {
        var product = Products[random.Next(Products.Length)];
        return (product.Canonical, product.Spellings[random.Next(product.Spellings.Length)]);
    }

    private static string Cased(Random random, string name) => random.Next(15) switch
    {
        0 => name.ToUpperInvariant(),
        1 => name.ToLowerInvariant(),
        2 => " " + name + " ",
        _ => name,
    };

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private static string Date(DateTime date) => date.ToString("M/d/yyyy", CultureInfo.InvariantCulture);

    private static DateTimeOffset Instant(DateTime local, TimeZoneInfo zone) =>
        new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone.GetUtcOffset(local)).ToUniversalTime();

    // Writes CSV as CRMs do (RFC 4180 quoting) and counts lines, line breaks inside quoted fields included.
    private sealed class CsvText(char delimiter, string newLine, bool quoteAll)
    {
        private readonly StringBuilder _text = new();
        private long _lines;

        public long Row(params string[] fields)
        {
            var line = _lines + 1;
            for (var i = 0; i < fields.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(delimiter);
                }

                var field = fields[i];
                var quote = quoteAll || field.Contains(delimiter, StringComparison.Ordinal) || field.Contains('"', StringComparison.Ordinal) || field.Contains('\n', StringComparison.Ordinal);
                _text.Append(quote ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field);
                _lines += field.Count(c => c == '\n');
            }

            _text.Append(newLine);
            _lines++;
            return line;
        }

        public override string ToString() => _text.ToString();
    }
}
