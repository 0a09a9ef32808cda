using System.Globalization;
using System.Text;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Testing.CrmExports;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Import;

public sealed class CrmImporterTests
{
    private static readonly PipelineDefinition Pipeline = PipelineJson.Parse(CrmExportGenerator.PipelineJson);

    private static CrmImporter Importer(IDealStore store, string mapping, int batchSize = 250) =>
        new(store, Pipeline, ImportMapping.Parse(mapping), new CrmImportOptions { BatchSize = batchSize });

    [Fact]
    public async Task ImportAsync_SnapshotExport_EveryDealMatchesTheGroundTruth()
    {
        var export = new CrmExportGenerator(11).Snapshot(3000);
        var store = new InMemoryDealStore();

        var result = await Importer(store, CrmExportGenerator.SnapshotMapping).ImportAsync(new StringReader(export.Csv));

        result.DealsImported.Should().Be(export.Deals.Count);
        result.DealsSkipped.Should().Be(0);
        result.EventsImported.Should().Be(export.Deals.Sum(d => d.Events));
        result.RowsRead.Should().Be(export.Deals.Count + export.BadRows.Count);
        result.Rejected.Select(r => r.Line).Should().Equal(export.RejectedLines);
        export.BadRows.Should().NotBeEmpty();
        foreach (var truth in export.Deals)
        {
            await CheckDealAsync(store, truth, "import:salesforce");
            var started = (await store.GetEventsAsync(truth.Id))[0];
            started.Properties["attr.account"].Should().Be(truth.Account);
            started.Properties["attr.region"].Should().Be(truth.Region);
        }

        await CheckFiguresAsync(store, export);
    }

    [Fact]
    public async Task ImportAsync_HistoryExport_EveryDealMatchesTheGroundTruth()
    {
        var export = new CrmExportGenerator(12).History(3000);
        var store = new InMemoryDealStore();

        var result = await Importer(store, CrmExportGenerator.HistoryMapping).ImportAsync(new StringReader(export.Csv));

        result.DealsImported.Should().Be(export.Deals.Count);
        result.Rejected.Select(r => r.Line).Should().Equal(export.RejectedLines);
        foreach (var truth in export.Deals)
        {
            await CheckDealAsync(store, truth, "import:pipedrive");
            (await store.GetEventsAsync(truth.Id)).Select(e => e.ToStage).Should().Equal(truth.Stages);
        }

        await CheckFiguresAsync(store, export);
    }

    [Fact]
    public async Task ImportAsync_BadRows_ComeBackWithTheirLineAndProblem()
    {
        var snapshot = new CrmExportGenerator(5).Snapshot(2000);
        var history = new CrmExportGenerator(6).History(2000);

        var fromSnapshot = await Importer(new InMemoryDealStore(), CrmExportGenerator.SnapshotMapping).ImportAsync(new StringReader(snapshot.Csv));
        var fromHistory = await Importer(new InMemoryDealStore(), CrmExportGenerator.HistoryMapping).ImportAsync(new StringReader(history.Csv));

        foreach (var (export, result) in new[] { (snapshot, fromSnapshot), (history, fromHistory) })
        {
            export.BadRows.Select(b => b.Problem).Distinct().Should().HaveCountGreaterThan(2, "the generator makes several kinds of bad rows");
            foreach (var bad in export.BadRows)
            {
                var rejected = result.Rejected.Single(r => r.Line == bad.Line);
                rejected.DealId.Should().Be(bad.DealId);
                rejected.Reason.Should().Contain(bad.Problem switch
                {
                    "stage" => "is not in the mapping's stages",
                    "date" => "does not match",
                    "id" => "deal id",
                    _ => "is not a number",
                });
            }
        }

        fromHistory.Rejected.Where(r => r.Reason.Contains("is not imported", StringComparison.Ordinal)).Should().NotBeEmpty("a bad row rejects the other rows of its deal");
    }

    [Fact]
    public async Task ImportAsync_SameExportTwice_SecondRunChangesNothing()
    {
        var export = new CrmExportGenerator(13).History(800);
        var store = new InMemoryDealStore();
        var importer = Importer(store, CrmExportGenerator.HistoryMapping, batchSize: 100);
        var first = await importer.ImportAsync(new StringReader(export.Csv));
        var before = await SnapshotAsync(store, export);

        var second = await importer.ImportAsync(new StringReader(export.Csv));

        first.DealsImported.Should().Be(export.Deals.Count);
        second.DealsImported.Should().Be(0);
        second.EventsImported.Should().Be(0);
        second.DealsSkipped.Should().Be(export.Deals.Count);
        second.Rejected.Should().Equal(first.Rejected);
        (await SnapshotAsync(store, export)).Should().Equal(before);
    }

    [Fact]
    public async Task ImportAsync_PartlyImportedBefore_ImportsOnlyTheRest()
    {
        var export = new CrmExportGenerator(14).Snapshot(600);
        var store = new InMemoryDealStore();
        var head = string.Join("\r\n", export.Csv.Split("\r\n").Take(150)) + "\r\n";
        var partial = await Importer(store, CrmExportGenerator.SnapshotMapping, batchSize: 64).ImportAsync(new StringReader(head));

        var full = await Importer(store, CrmExportGenerator.SnapshotMapping, batchSize: 64).ImportAsync(new StringReader(export.Csv));

        partial.DealsImported.Should().BeGreaterThan(0);
        full.DealsSkipped.Should().Be(partial.DealsImported);
        (partial.DealsImported + full.DealsImported).Should().Be(export.Deals.Count);
    }

    [Fact]
    public async Task ImportAsync_HandWrittenSnapshot_ReplaysWithOriginalTimestampsTriggersAndMarks()
    {
        const string csv = """
            Opportunity ID,Opportunity Name,Account Name,Stage,Amount,Created Date,Close Date,Last Stage Change Date,Opportunity Owner,Product,Region
            A1,"Two
            lines","Acme, ""the"" Inc.",Closed Won,"$1,234.50",1/15/2024,3/1/2024,,Dana,CRM Cloud,NA
            A2,Plain,Initech,value proposition,900,2/1/2024,,2/10/2024,Luis,,EMEA
            A3,Plain,Initech,Prospecting,,2/2/2024,12/31/2024,,,,
            """;
        var store = new InMemoryDealStore();

        var result = await Importer(store, CrmExportGenerator.SnapshotMapping).ImportAsync(new StringReader(csv));

        result.Rejected.Should().BeEmpty();
        result.DealsImported.Should().Be(3);
        var won = (await store.GetAsync("A1"))!;
        won.Amount.Should().Be(1234.50m);
        won.Owner.Should().Be("Dana");
        won.Outcome.Should().Be(StageKind.Won);
        won.CreatedAt.Should().Be(new DateTimeOffset(2024, 1, 15, 5, 0, 0, TimeSpan.Zero), "midnight in New York is 05:00 UTC in winter");
        won.DataAs<JsonDealData>().Get("account")!.Value.GetString().Should().Be("Acme, \"the\" Inc.");
        var events = await store.GetEventsAsync("A1");
        events.Should().HaveCount(2);
        events[0].Kind.Should().Be(DealEventKind.Started);
        events[0].ToStage.Should().Be("lead");
        events[1].Timestamp.Should().Be(new DateTimeOffset(2024, 3, 1, 5, 0, 0, TimeSpan.Zero));
        events[1].Trigger.Should().Be("import", "the pipeline has no transition from lead to won");
        events.Should().AllSatisfy(e =>
        {
            e.Actor.Should().Be("import:salesforce");
            e.Properties["imported"].Should().Be("true");
        });
        events[1].Properties["guardsEnforced"].Should().Be("false");
        events[1].Properties["crmStage"].Should().Be("Closed Won");
        events[1].Properties["importLine"].Should().Be("2");

        var open = await store.GetEventsAsync("A2");
        open[1].ToStage.Should().Be("demo");
        open[1].Timestamp.Should().Be(new DateTimeOffset(2024, 2, 10, 5, 0, 0, TimeSpan.Zero), "an open deal's move is dated by its stage change, not by an expected close date");
        (await store.GetAsync("A2"))!.DataAs<JsonDealData>().Get("product").Should().BeNull("empty attributes are left out");
        (await store.GetEventsAsync("A3")).Should().ContainSingle("a deal in the initial stage has only its start");
        (await store.GetAsync("A3"))!.Amount.Should().BeNull();
    }

    [Fact]
    public async Task ImportAsync_ValuesThatRepeat_AreOneStringEachAndDistinctValuesPastTheSharedOnesStayRight()
    {
        // 6,000 deals: the first ten share an owner; every other owner is distinct, far more than the importer shares
        // (its bounded set of repeated values), so the last owners are made as they are, and must still be right.
        const int deals = 6_000;
        var csv = new StringBuilder("Opportunity ID,Opportunity Name,Account Name,Stage,Amount,Created Date,Close Date,Last Stage Change Date,Opportunity Owner,Product,Region\n");
        for (var i = 0; i < deals; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"D{i:00000},Name,Account {i},Closed Won,100,1/15/2024,3/1/2024,,{(i < 10 ? "Dana" : $"Owner {i}")},CRM Cloud,EMEA\n");
        }

        var store = new InMemoryDealStore();

        var result = await Importer(store, CrmExportGenerator.SnapshotMapping, batchSize: 1000).ImportAsync(new StringReader(csv.ToString()));

        result.Rejected.Should().BeEmpty();
        result.DealsImported.Should().Be(deals);
        var first = (await store.GetAsync("D00000"))!;
        var other = (await store.GetAsync("D00009"))!;
        other.Owner.Should().BeSameAs(first.Owner, "an owner that repeats is one string, not one per row");
        (await store.GetEventsAsync("D00009"))[1].Properties["crmStage"].Should().BeSameAs((await store.GetEventsAsync("D00000"))[1].Properties["crmStage"], "so is a stage name");
        for (var i = 10; i < deals; i += 997)
        {
            (await store.GetAsync($"D{i:00000}"))!.Owner.Should().Be($"Owner {i}");
            (await store.GetAsync($"D{i:00000}"))!.DataAs<JsonDealData>().Get("account")!.Value.GetString().Should().Be($"Account {i}");
        }

        (await store.GetAsync("D05999"))!.Owner.Should().Be("Owner 5999");
    }

    [Fact]
    public async Task ImportAsync_HistoryRows_UseThePipelinesTriggerWhereOneExists()
    {
        const string csv = "Deal ID;To Stage;Changed At;Deal Value;Owner;Product\n" +
            "D1;Qualification;2.1.2024 10:00;1.500,25;Mei;x\n" +
            "D1;Prospecting;1.1.2024 09:00;;Mei;x\n" +
            "D1;Needs Analysis;3.1.2024 11:30;2.000,00;Ana;y\n";
        var store = new InMemoryDealStore();

        await Importer(store, CrmExportGenerator.HistoryMapping).ImportAsync(new StringReader(csv));

        var events = await store.GetEventsAsync("D1");
        events.Select(e => e.Trigger).Should().Equal(null, "Qualify", "Discover");
        events[0].Timestamp.Should().Be(new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.Zero), "rows are sorted by date; Berlin is UTC+1 in winter");
        var deal = (await store.GetAsync("D1"))!;
        deal.Amount.Should().Be(2000.00m, "the latest value wins");
        deal.Owner.Should().Be("Ana");
        deal.PreviousStageId.Should().Be("qualified");
        deal.StageEnteredAt.Should().Be(events[^1].Timestamp);
    }

    [Fact]
    public async Task ImportAsync_HistoryDealSplitAcrossTheFile_RejectsTheLaterRows()
    {
        const string csv = "Deal ID;To Stage;Changed At\n" +
            "D1;Prospecting;1.1.2024 09:00\n" +
            "D2;Prospecting;1.1.2024 09:00\n" +
            "D1;Qualification;2.1.2024 09:00\n";
        const string mapping = """
            { "shape": "history", "columns": { "dealId": "Deal ID", "stage": "To Stage", "changedAt": "Changed At" },
              "stages": { "Prospecting": "lead", "Qualification": "qualified" }, "dates": { "formats": ["d.M.yyyy H:mm"] }, "csv": { "delimiter": ";" } }
            """;
        var result = await Importer(new InMemoryDealStore(), mapping).ImportAsync(new StringReader(csv));

        result.DealsImported.Should().Be(2);
        result.Rejected.Should().ContainSingle().Which.Should().Be(new RejectedRow(4, "D1", "Deal 'D1' appeared already on line 2: a history export must keep each deal's rows together (sort it by deal id)."));
    }

    [Fact]
    public async Task ImportAsync_ColumnMissingFromHeader_ThrowsBeforeImportingAnything()
    {
        var store = new InMemoryDealStore();
        var act = async () => await Importer(store, CrmExportGenerator.SnapshotMapping).ImportAsync(new StringReader("Opportunity ID,Stage\nA,Prospecting\n"));

        (await act.Should().ThrowAsync<ImportMappingException>()).Which.Diagnostics.Select(d => d.Location!.JsonPointer)
            .Should().Contain(["/columns/created", "/columns/amount", "/columns/attributes/product"]);
        (await store.GetAsync("A")).Should().BeNull();
    }

    [Fact]
    public void Constructor_MappingDoesNotFitThePipeline_ThrowsWithEveryProblem()
    {
        var mapping = ImportMapping.Parse(CrmExportGenerator.SnapshotMapping
            .Replace("\"Qualification\": \"qualified\"", "\"Qualification\": \"qualify\"", StringComparison.Ordinal)
            .Replace("\"Closed Lost\": \"lost\"", "\"Closed Lost\": \"negotiation\"", StringComparison.Ordinal));

        var act = () => new CrmImporter(new InMemoryDealStore(), Pipeline, mapping);

        act.Should().Throw<ImportMappingException>().Which.Diagnostics.Select(d => d.Location!.JsonPointer).Should().BeEquivalentTo(["/stages/Qualification", "/lost/0"]);
    }

    [Fact]
    public void Constructor_TypedPipelineWithoutDataFactory_Throws()
    {
        var typed = SalesPipelines.SevenStepB2B();
        var mapping = ImportMapping.Parse("""{ "shape": "snapshot", "columns": { "dealId": "Id", "stage": "Stage", "created": "Created" }, "stages": { "New": "prospecting" } }""");

        FluentActions.Invoking(() => new CrmImporter(new InMemoryDealStore(), typed, mapping)).Should().Throw<ArgumentException>().WithMessage("*DataFactory*");
        FluentActions.Invoking(() => new CrmImporter(new InMemoryDealStore(), typed, mapping, new CrmImportOptions { DataFactory = _ => new B2BDeal(), BatchSize = 0 }))
            .Should().Throw<ArgumentException>().WithMessage("*BatchSize*");
    }

    [Fact]
    public async Task ImportAsync_TypedPipelineWithDataFactory_MakesTheDataFromTheImportedDeal()
    {
        var typed = SalesPipelines.SevenStepB2B();
        var mapping = ImportMapping.Parse("""
            { "shape": "snapshot", "columns": { "dealId": "Id", "stage": "Stage", "created": "Created", "attributes": { "industry": "Industry" } },
              "stages": { "New": "prospecting", "Contacted": "qualification" } }
            """);
        var store = new InMemoryDealStore();
        var importer = new CrmImporter(store, typed, mapping, new CrmImportOptions { DataFactory = d => new B2BDeal { Industry = d.Attributes.GetValueOrDefault("industry") } });

        var result = await importer.ImportAsync(new StringReader("Id,Stage,Created,Industry\nB1,Contacted,2024-05-01T10:00:00+02:00,Retail\n"));

        result.DealsImported.Should().Be(1);
        var deal = (await store.GetAsync("B1"))!;
        deal.DataAs<B2BDeal>().Industry.Should().Be("Retail");
        deal.CreatedAt.Should().Be(new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero), "an offset in the date wins over the time zone");
        (await store.GetEventsAsync("B1"))[1].Trigger.Should().Be(B2BTriggers.Contact);
    }

    [Fact]
    public async Task ImportAsync_LocalTimesInADaylightSavingGapOrOverlap_TakeTheStandardOffset()
    {
        const string mapping = """
            { "shape": "snapshot", "columns": { "dealId": "Id", "stage": "Stage", "created": "Created" },
              "stages": { "New": "lead" }, "dates": { "timeZone": "America/New_York" } }
            """;
        var store = new InMemoryDealStore();

        var result = await Importer(store, mapping).ImportAsync(new StringReader("Id,Stage,Created\nGAP,New,2024-03-10 02:30\nOVERLAP,New,2024-11-03 01:30\nSUMMER,New,2024-07-01\nUTC,New,2024-07-01T12:00:00Z\n"));

        result.Rejected.Should().BeEmpty();
        (await store.GetAsync("GAP"))!.CreatedAt.Should().Be(new DateTimeOffset(2024, 3, 10, 7, 30, 0, TimeSpan.Zero), "02:30 does not exist that night; the standard offset -5 reads it");
        (await store.GetAsync("OVERLAP"))!.CreatedAt.Should().Be(new DateTimeOffset(2024, 11, 3, 6, 30, 0, TimeSpan.Zero), "01:30 happens twice; the standard offset -5 reads it");
        (await store.GetAsync("SUMMER"))!.CreatedAt.Should().Be(new DateTimeOffset(2024, 7, 1, 4, 0, 0, TimeSpan.Zero));
        (await store.GetAsync("UTC"))!.CreatedAt.Should().Be(new DateTimeOffset(2024, 7, 1, 12, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task ImportAsync_SnapshotDatesThatCannotBeReplayed_AreRejectedWithTheirReason()
    {
        const string csv = """
            Opportunity ID,Stage,Amount,Created Date,Close Date,Last Stage Change Date,Opportunity Owner,Product,Account Name,Region
            W1,Closed Won,10,1/2/2024,,,Dana,,,
            W2,Closed Lost,10,3/2/2024,2/2/2024,,Dana,,,
            W3,Qualification,10,3/2/2024,,2/29/2023,Dana,,,
            W4,Closed Won,"1.234,5",3/2/2024,4/2/2024,,Dana,,,
            W5,Closed Won,10,3/2/2024,4/2/2024,,Dana,,,
            W5,Closed Lost,10,3/2/2024,4/2/2024,,Dana,,,
            """;

        var result = await Importer(new InMemoryDealStore(), CrmExportGenerator.SnapshotMapping).ImportAsync(new StringReader(csv));

        result.DealsImported.Should().Be(1);
        result.Rejected.Select(r => (r.Line, r.DealId)).Should().Equal((2, "W1"), (3, "W2"), (4, "W3"), (5, "W4"), (7, "W5"));
        result.Rejected[0].Reason.Should().Be("The date in column \"Close Date\" is empty: the stage \"Closed Won\" is won, so the deal needs a close date.");
        result.Rejected[1].Reason.Should().StartWith("The deal moved to \"Closed Lost\" on 2024-02-02 05:00:00Z, before it was created");
        result.Rejected[2].Reason.Should().Contain("\"2/29/2023\"", "2023 has no February 29");
        result.Rejected[3].Reason.Should().Be("The amount \"1.234,5\" in column \"Amount\" is not a number (decimal separator \".\").");
        result.Rejected[4].Reason.Should().Be("Deal 'W5' appeared already on line 6: a snapshot export has one row per deal.");
    }

    [Fact]
    public async Task ImportAsync_DataFactoryMakesInvalidData_RejectsTheDeal()
    {
        var typed = SalesPipelines.SevenStepB2B();
        var mapping = ImportMapping.Parse("""{ "shape": "snapshot", "columns": { "dealId": "Id", "stage": "Stage", "created": "Created" }, "stages": { "New": "prospecting" } }""");
        var importer = new CrmImporter(new InMemoryDealStore(), typed, mapping, new CrmImportOptions { DataFactory = _ => "not a deal" });

        var result = await importer.ImportAsync(new StringReader("Id,Stage,Created\nB1,New,2024-05-01\n"));

        result.DealsImported.Should().Be(0);
        result.Rejected.Should().ContainSingle().Which.Line.Should().Be(2);
    }

    [Fact]
    public async Task ImportFileAsync_FileWithByteOrderMarkAndBlankLines_ReadsTheHeaderAndSkipsTheBlankLines()
    {
        const string mapping = """
            { "shape": "history", "columns": { "dealId": "Deal", "stage": "Stage", "changedAt": "At", "created": "Created" },
              "stages": { "New": "lead", "Qualified": "qualified" } }
            """;
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "Deal,Stage,At,Created\r\n\r\nH1,New,2024-02-01,2024-01-15\r\nH1,Qualified,2024-02-03T09:00:00,\r\n\r\nH2,New,2024-02-05,\r\n\r\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            var store = new InMemoryDealStore();

            var result = await Importer(store, mapping).ImportFileAsync(path);

            result.Rejected.Should().BeEmpty();
            result.RowsRead.Should().Be(3);
            result.DealsImported.Should().Be(2);
            var events = await store.GetEventsAsync("H1");
            events.Select(e => (e.Timestamp, e.ToStage)).Should().Equal(
                (new DateTimeOffset(2024, 1, 15, 0, 0, 0, TimeSpan.Zero), "lead"),
                (new DateTimeOffset(2024, 2, 3, 9, 0, 0, TimeSpan.Zero), "qualified"));
            events[1].Properties["importLine"].Should().Be("4");
            (await store.GetEventsAsync("H2"))[0].Timestamp.Should().Be(new DateTimeOffset(2024, 2, 5, 0, 0, 0, TimeSpan.Zero), "without a created date the first change starts the deal");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task ImportAsync_LargeExport_WritesBatchesWhileReading()
    {
        var export = new CrmExportGenerator(15).History(2000);
        var csv = new CountingReader(export.Csv);
        var store = new RecordingStore(new InMemoryDealStore(), csv);

        var result = await Importer(store, CrmExportGenerator.HistoryMapping, batchSize: 100).ImportAsync(csv);

        result.DealsImported.Should().Be(export.Deals.Count);
        store.BatchSizes.Should().OnlyContain(n => n <= 100);
        store.BatchSizes.Sum().Should().Be(export.Deals.Count);
        store.ReadAtFirstBatch.Should().BeLessThan(export.Csv.Length / 4, "the first batch is written long before the end of the file is read");
    }

    [Fact]
    public async Task ImportAsync_SlowStore_ReadsTheNextBatchWhileOneIsWrittenAndWritesOneAtATimeInOrder()
    {
        // Batches far larger than the CSV reader's buffer: the next batch cannot be read without reading on.
        var export = new CrmExportGenerator(16).Snapshot(3000);
        var csv = new CountingReader(export.Csv);
        // The first write waits for the reader to reach the middle of the second batch: counted in the text, so it does
        // not matter how late the write starts on its pool thread (a busy machine may start it after the reader is done
        // with the second batch; the reader's own buffer is far smaller than the 95,000 characters between the two).
        var store = new GatedStore(new InMemoryDealStore(), csv) { ReadOnTo = export.Csv.IndexOf(export.Deals[1500].Id, StringComparison.Ordinal) };

        var result = await Importer(store, CrmExportGenerator.SnapshotMapping, batchSize: 1000).ImportAsync(csv);

        result.DealsImported.Should().Be(export.Deals.Count);
        store.ReadOnWhileWriting.Should().BeTrue("the export is read on while the first batch is written");
        store.MostAtOnce.Should().Be(1, "batches go to the store one at a time");
        var order = export.Deals.Select((d, i) => (d.Id, i)).ToDictionary(x => x.Id, x => x.i);
        store.FirstIds.Select(id => order[id]).Should().BeInAscendingOrder("batches go to the store in the export's order");
        store.FirstIds.Should().HaveCount(3, "3,000 deals go in three batches of 1,000");
    }

    [Fact]
    public async Task ImportAsync_FirstWriteIsSlow_ReadsOneBatchAheadAndNoMore()
    {
        // While the first batch is written (held for half a second), the reader reads the second and hands it over, then
        // waits: memory holds two batches, however slow the store. Its buffer reads a little ahead, far less than the
        // 47,000 characters between the third batch's start and its middle.
        var export = new CrmExportGenerator(19).Snapshot(3000);
        var csv = new CountingReader(export.Csv);
        var store = new GatedStore(new InMemoryDealStore(), csv) { HoldFirstWrite = TimeSpan.FromMilliseconds(500) };

        var result = await Importer(store, CrmExportGenerator.SnapshotMapping, batchSize: 1000).ImportAsync(csv);

        result.DealsImported.Should().Be(export.Deals.Count);
        store.ReadWhenFirstWriteEnded.Should().BeLessThan(
            export.Csv.IndexOf(export.Deals[2500].Id, StringComparison.Ordinal), "the third batch is not read while the first is written");
        store.FirstIds.Should().HaveCount(3);
    }

    [Fact]
    public async Task ImportAsync_StoreFailsOnTheSecondBatch_ThrowsItsErrorAndNothingIsWrittenAfterwards()
    {
        var export = new CrmExportGenerator(17).Snapshot(1000);
        var csv = new CountingReader(export.Csv);
        var store = new GatedStore(new InMemoryDealStore(), csv) { FailOnCall = 2 };

        var act = async () => await Importer(store, CrmExportGenerator.SnapshotMapping, batchSize: 100).ImportAsync(csv);

        await act.Should().ThrowAsync<DealStoreException>();
        var callsWhenItReturned = store.Calls;
        store.InFlight.Should().Be(0, "no write is left running when the import returns");
        await Task.Delay(200);
        store.Calls.Should().Be(callsWhenItReturned, "no batch is written after the import returned");
        callsWhenItReturned.Should().BeLessThanOrEqualTo(2, "the import stops at the first batch the store refuses");
    }

    [Fact]
    public async Task ImportAsync_CancelledWhileABatchIsWritten_ThrowsOnlyOnceThatWriteHasFinished()
    {
        var export = new CrmExportGenerator(18).Snapshot(1000);
        var csv = new CountingReader(export.Csv);
        using var cancellation = new CancellationTokenSource();
        var store = new GatedStore(new InMemoryDealStore(), csv) { OnFirstWrite = cancellation.Cancel };

        var act = async () => await Importer(store, CrmExportGenerator.SnapshotMapping, batchSize: 100).ImportAsync(csv, cancellation.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        store.InFlight.Should().Be(0, "the write under way finishes before the import throws");
        store.Calls.Should().Be(1, "no batch is written after the cancellation");
    }

    private static async Task CheckDealAsync(InMemoryDealStore store, GeneratedDeal truth, string actor)
    {
        var deal = await store.GetAsync(truth.Id);
        deal.Should().NotBeNull(truth.Id);
        deal!.StageId.Should().Be(truth.StageId, truth.Id);
        deal.Owner.Should().Be(truth.Owner);
        deal.Amount.Should().Be(truth.Amount);
        deal.DataAs<JsonDealData>().Get("product")!.Value.GetString().Should().Be(truth.Product); // the mapping folds the spellings
        var events = await store.GetEventsAsync(truth.Id);
        events.Should().HaveCount(truth.Events, truth.Id);
        events[0].Timestamp.Should().Be(truth.StartedAt, truth.Id);
        events[^1].Timestamp.Should().Be(truth.LastMovedAt, truth.Id);
        events.Should().OnlyContain(e => e.Actor == actor);
    }

    // Figures over the whole store (paging through QueryAsync), against the same figures folded from the generator's truth.
    private static async Task CheckFiguresAsync(InMemoryDealStore store, GeneratedExport export)
    {
        var deals = new List<Deal>();
        string? after = null;
        while (true)
        {
            var page = await store.QueryAsync(new DealQuery { PipelineId = Pipeline.Id, AfterDealId = after, Limit = 500 });
            deals.AddRange(page.Deals);
            page.Damaged.Should().BeEmpty();
            after = page.NextAfterDealId;
            if (after is null)
            {
                break;
            }
        }

        deals.GroupBy(d => d.StageId).ToDictionary(g => g.Key, g => g.Count())
            .Should().BeEquivalentTo(export.Deals.GroupBy(d => d.StageId).ToDictionary(g => g.Key, g => g.Count()));
        deals.Count(d => d.Outcome == StageKind.Won).Should().Be(export.Deals.Count(d => d.StageId == "won"));
        deals.Count(d => d.Outcome == StageKind.Lost).Should().Be(export.Deals.Count(d => d.StageId == "lost"));
        deals.Where(d => d.Outcome == StageKind.Won).Sum(d => d.Amount!.Value).Should().Be(export.Deals.Where(d => d.StageId == "won").Sum(d => d.Amount));
        deals.Where(d => d.Outcome == StageKind.Won).GroupBy(d => d.Owner!).ToDictionary(g => g.Key, g => g.Count())
            .Should().BeEquivalentTo(export.Deals.Where(d => d.StageId == "won").GroupBy(d => d.Owner).ToDictionary(g => g.Key, g => g.Count()));
    }

    private static async Task<List<string>> SnapshotAsync(InMemoryDealStore store, GeneratedExport export)
    {
        var lines = new List<string>();
        foreach (var truth in export.Deals)
        {
            var deal = (await store.GetAsync(truth.Id))!;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{deal.Id} {deal.Version} {deal.LastSequence} {deal.StageId} {deal.UpdatedAt:O}"));
        }

        return lines;
    }

    // Counts what the importer has read; read from the store's thread while the importer reads on.
    private sealed class CountingReader(string text) : TextReader
    {
        private readonly StringReader _inner = new(text);
        private long _read;

        public long CharsRead => Interlocked.Read(ref _read);

        public override int Read(char[] buffer, int index, int count) => Counted(_inner.Read(buffer, index, count));

        public override int Read(Span<char> buffer) => Counted(_inner.Read(buffer));

        public override int Peek() => _inner.Peek();

        public override int Read()
        {
            var c = _inner.Read();
            Counted(c < 0 ? 0 : 1);
            return c;
        }

        private int Counted(int n)
        {
            Interlocked.Add(ref _read, n);
            return n;
        }
    }

    private sealed class RecordingStore(IDealStore inner, CountingReader csv) : PlainStore(inner)
    {
        public List<int> BatchSizes { get; } = [];

        public long ReadAtFirstBatch { get; private set; } = -1;

        public override ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default)
        {
            if (ReadAtFirstBatch < 0)
            {
                ReadAtFirstBatch = csv.CharsRead;
            }

            BatchSizes.Add(batch.Count);
            return base.ImportAsync(batch, cancellationToken);
        }
    }

    // A store whose first write waits (up to ten seconds) for the reader to read on to a place in the text, and that
    // counts writes at once.
    private sealed class GatedStore(IDealStore inner, CountingReader csv) : PlainStore(inner)
    {
        private int _inFlight;
        private int _calls;

        public int FailOnCall { get; init; }

        public Action? OnFirstWrite { get; init; }

        public long ReadOnTo { get; init; }

        public bool ReadOnWhileWriting { get; private set; }

        public TimeSpan HoldFirstWrite { get; init; }

        public long ReadWhenFirstWriteEnded { get; private set; }

        public int MostAtOnce { get; private set; }

        public int InFlight => Volatile.Read(ref _inFlight);

        public int Calls => Volatile.Read(ref _calls);

        public List<string> FirstIds { get; } = [];

        public override async ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default)
        {
            var call = Interlocked.Increment(ref _calls);
            var inFlight = Interlocked.Increment(ref _inFlight);
            try
            {
                MostAtOnce = Math.Max(MostAtOnce, inFlight);
                FirstIds.Add(batch[0].Deal.Id);
                if (call == FailOnCall)
                {
                    await Task.Delay(50, CancellationToken.None);
                    throw new DealStoreException("test", "import", StoreWriteOutcome.NothingWritten, isTransient: false, errorCode: null, new IOException("disk full"));
                }

                if (call == 1)
                {
                    OnFirstWrite?.Invoke();
                    var waited = System.Diagnostics.Stopwatch.StartNew();
                    while (csv.CharsRead < ReadOnTo && waited.Elapsed < TimeSpan.FromSeconds(10))
                    {
                        await Task.Delay(5, CancellationToken.None);
                    }

                    ReadOnWhileWriting = csv.CharsRead >= ReadOnTo;
                    await Task.Delay(OnFirstWrite is null ? HoldFirstWrite : TimeSpan.FromMilliseconds(300), CancellationToken.None);
                    ReadWhenFirstWriteEnded = csv.CharsRead;
                }

                await base.ImportAsync(batch, CancellationToken.None);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }
}
