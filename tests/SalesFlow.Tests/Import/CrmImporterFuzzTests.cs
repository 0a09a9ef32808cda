using System.Text;
using CsCheck;
using SalesFlow.Testing.CrmExports;

namespace SalesFlow.Tests.Import;

/// <summary>
/// Property-based fuzzing of the CSV loader: random exports in both shapes — real headers and rows mixed with every kind
/// of damage (bad quoting, control characters, NUL, huge fields, unknown stages, unreadable dates and amounts, missing and
/// extra columns, duplicate ids) — import with typed errors only, and leave the store's invariants intact.
/// </summary>
public sealed class CrmImporterFuzzTests
{
    private static readonly PipelineDefinition Pipeline = PipelineJson.Parse(CrmExportGenerator.PipelineJson);

    private static readonly string[] SnapshotHeader = ["Opportunity ID", "Stage", "Created Date", "Close Date", "Last Stage Change Date", "Amount", "Opportunity Owner", "Product", "Account Name", "Region"];
    private static readonly string[] HistoryHeader = ["Deal ID", "To Stage", "Changed At", "Deal Value", "Owner", "Product"];

    private static readonly string[] Samples = ["d-1", "d-2", "d-3", "d-4", " d-5 ", "", "Prospecting", "Closed Won", "closed lost", "Negotiation/Review", "No Such Stage",
            "3/4/2024", "12/31/2023", "2/30/2024", "1.2.2024 10:30", "31.12.2023", "yesterday", "1,234.50", "1.234,50", "-5", "1e400", "NaN",
            "Dana Whitfield", "CRM Cloud", "crm-cloud", "Acme, Inc.", "EMEA"];

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.Int[0, Samples.Length - 1].Select(i => Samples[i]),
        Gen.String[Gen.Char["ab ,;\"'\t\r\n\0\u0007\u00A0\u200B\uFEFFé"], 0, 10],
        Gen.String[Gen.Char, 0, 8],
        Gen.Int[4_090, 4_100].Select(n => new string('x', n)));

    private static readonly string[] StageNames = ["Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Won - Signed", "Closed Lost"];

    // A row as real exports have it (a few deals, known stages, readable dates and numbers), then maybe damaged.
    private static Gen<string[]> Row(bool history)
    {
        var id = Gen.Int[1, 6].Select(i => $"d-{i}");
        var stage = Gen.Int[0, StageNames.Length - 1].Select(i => StageNames[i]);
        var date = history
            ? Gen.Select(Gen.Int[1, 28], Gen.Int[1, 12], Gen.Int[2022, 2024], Gen.Int[0, 23]).Select((d, m, y, h) => $"{d}.{m}.{y} {h}:05")
            : Gen.Select(Gen.Int[1, 12], Gen.Int[1, 28], Gen.Int[2022, 2024]).Select((m, d, y) => $"{m}/{d}/{y}");
        var amount = Gen.Int[0, 99_999].Select(n => history ? $"{n},50" : $"{n}.50");
        var owner = Gen.Int[0, 2].Select(i => new[] { "Dana Whitfield", "Luis Ortega", "" }[i]);
        var product = Gen.Int[0, 2].Select(i => new[] { "CRM Cloud", "crm-cloud", "Data Connector" }[i]);
        var valid = history
            ? Gen.Select(id, stage, date, amount, owner, product).Select((a, b, c, d, e, f) => new[] { a, b, c, d, e, f })
            : Gen.Select(Gen.Select(id, stage, date, date, date), Gen.Select(amount, owner, product, Gen.Const("Acme, Inc."), Gen.Const("EMEA")))
                .Select((x, y) => new[] { x.Item1, x.Item2, x.Item3, x.Item4, x.Item5, y.Item1, y.Item2, y.Item3, y.Item4, y.Item5 });
        var damaged = Gen.Select(valid, Gen.Int[0, 11], Text).Select((fields, at, text) =>
        {
            var copy = fields.ToList();
            if (at < copy.Count)
            {
                copy[at] = text;
            }
            else
            {
                copy.RemoveAt(copy.Count - 1 - (at % 2));
            }

            return copy.ToArray();
        });
        return Gen.Frequency((3, valid), (2, damaged), (1, Text.Array[0, 12]));
    }

    [Fact]
    public void ImportAsync_AnyExport_OnlyTypedErrorsAndTheStoreInvariantsHold()
    {
        var totals = new int[3];
        Gen.Bool.SelectMany(history => Gen.Select(Gen.Const(history), Gen.Int[0, 5], Gen.Select(Row(history), Gen.Bool).Array[0, 30])).Sample((history, headerDamage, rows) =>
        {
            var header = (history ? HistoryHeader : SnapshotHeader).ToList();
            var delimiter = history ? ';' : ',';
            switch (headerDamage)
            {
                case 1:
                    header.RemoveAt(header.Count - 1);
                    break;
                case 2:
                    header.Add("Extra \"Column\"");
                    break;
            }

            var csv = new StringBuilder(string.Join(delimiter, header.Select(h => Quote(h, delimiter, quote: true)))).Append("\r\n");
            foreach (var (fields, quoted) in rows)
            {
                csv.Append(string.Join(delimiter, fields.Select(f => Quote(f, delimiter, quoted)))).Append(rows.Length % 2 == 0 ? "\n" : "\r\n");
            }

            var (imported, rejected, refused) = Check(history, csv.ToString()).GetAwaiter().GetResult();
            Interlocked.Add(ref totals[0], imported);
            Interlocked.Add(ref totals[1], rejected);
            Interlocked.Add(ref totals[2], refused ? 1 : 0);
        }, iter: 400);

        totals.Should().OnlyContain(t => t > 0, "the runs imported deals, rejected rows and refused headers (imported, rejected, refused files: {0})", string.Join(", ", totals));
    }

    private static async Task<(int Imported, int Rejected, bool Refused)> Check(bool history, string csv)
    {
        var store = new InMemoryDealStore();
        var mapping = ImportMapping.Parse(history ? CrmExportGenerator.HistoryMapping : CrmExportGenerator.SnapshotMapping);
        var importer = new CrmImporter(store, Pipeline, mapping, new CrmImportOptions { BatchSize = 3 });
        CrmImportResult result;
        try
        {
            result = await importer.ImportAsync(new StringReader(csv));
        }
        catch (ImportMappingException ex)
        {
            // Only a header without a mapped column refuses the whole file; nothing may have been written then.
            ex.Diagnostics.Should().NotBeEmpty().And.OnlyContain(p => p.Code == "SF6102");
            (await store.QueryAsync(new DealQuery { Limit = 10 })).Deals.Should().BeEmpty();
            return (0, 0, true);
        }

        result.Rejected.Where(r => r.Line < 2 || r.Reason.Length == 0).Should().BeEmpty();
        var page = await store.QueryAsync(new DealQuery { Limit = 1000 });
        page.Deals.Should().HaveCount(result.DealsImported);
        page.Damaged.Should().BeEmpty();
        var limits = InputLimits.Default;
        foreach (var deal in page.Deals)
        {
            var events = await store.GetEventsAsync(deal.Id);
            events.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), "sequences are gapless from 1");
            deal.LastSequence.Should().Be(events.Count);
            deal.StageId.Should().Be(events[^1].ToStage, "the stage is the replay of the events");
            Pipeline.TryGetStage(deal.StageId, out var stage).Should().BeTrue();
            deal.Outcome.Should().Be(stage!.Kind);
            deal.Id.Should().NotBeNullOrWhiteSpace().And.Be(deal.Id.Trim());
            deal.Id.Any(char.IsControl).Should().BeFalse();
            (deal.Owner ?? "").Any(char.IsControl).Should().BeFalse();
            events.SelectMany(e => e.Properties.Values).Where(v => v.Length > limits.MaxPropertyValueLength || v.Contains('\0')).Should().BeEmpty();
            events.Zip(events.Skip(1)).Where(p => p.First.Timestamp > p.Second.Timestamp).Should().BeEmpty("an imported history is in time order");
        }

        return (result.DealsImported, result.Rejected.Count, false);
    }

    // Quoted the way exports quote (doubling quotes), or written raw to break the quoting.
    private static string Quote(string field, char delimiter, bool quote) =>
        quote ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field.Replace(delimiter, ' ');
}
