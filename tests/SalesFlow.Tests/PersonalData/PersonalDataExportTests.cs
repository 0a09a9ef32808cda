using SalesFlow.Pipelines;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace SalesFlow.Tests.PersonalData;

public class PersonalDataExportTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ExportPersonalDataAsync_B2BDeal_ListsTheValuesAndTheEventsHoldingThem()
    {
        var engine = Engine();
        await PersonalDataErasureTests.PlantAsync(engine, "deal-1");

        var export = await engine.ExportPersonalDataAsync("deal-1");

        export.DealId.Should().Be("deal-1");
        export.ExportedAt.Should().Be(_time.GetUtcNow());
        export.Values.Select(v => v.Path).Should().Contain(["NeedsQuestions[0].Answer", "ConfirmedUnderstanding", "DecisionMakers", "CustomerFile"]);
        export.Values.Single(v => v.Path == "DecisionMakers").Value.EnumerateArray().Select(e => e.GetString()).Should().Equal("Jane Roe");
        var history = await engine.GetHistoryAsync("deal-1");
        export.Events.Select(e => e.Sequence).Should().BeEquivalentTo(
            history.Where(e => e.Note is not null || (e.Reason ?? "").Contains("Jane Roe", StringComparison.Ordinal) || e.Properties.Values.Any(v => v.Contains("jane.roe", StringComparison.Ordinal))).Select(e => e.Sequence));
        export.Events.Should().Contain(e => e.Reason == "Jane Roe retired");
        export.Events.Should().Contain(e => e.Properties.ContainsKey("contact"));
    }

    [Fact]
    public async Task ExportPersonalDataAsync_Serialized_RoundTripsAsJson()
    {
        var engine = Engine();
        await PersonalDataErasureTests.PlantAsync(engine, "deal-1");
        var export = await engine.ExportPersonalDataAsync("deal-1");

        var json = JsonSerializer.Serialize(export);
        var back = JsonSerializer.Deserialize<PersonalDataExport>(json)!;

        json.Should().Contain("Jane Roe").And.Contain("jane.roe@example.test");
        back.Values.Select(v => (v.Path, v.Value.GetRawText())).Should().Equal(export.Values.Select(v => (v.Path, v.Value.GetRawText())));
        back.Events.Should().BeEquivalentTo(export.Events);
    }

    [Fact]
    public async Task ExportPersonalDataAsync_AfterErasure_HoldsNoValue()
    {
        var engine = Engine();
        await PersonalDataErasureTests.PlantAsync(engine, "deal-1");
        await engine.ErasePersonalDataAsync("deal-1", new ErasureRequest("dpo"));

        var export = await engine.ExportPersonalDataAsync("deal-1");

        export.Values.Should().BeEmpty();
        export.Events.Should().BeEmpty();
    }

    [Fact]
    public async Task ExportPersonalDataAsync_BadArguments_Throw()
    {
        var engine = Engine();

        await engine.Invoking(e => e.ExportPersonalDataAsync(null!).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await engine.Invoking(e => e.ExportPersonalDataAsync("bad\nid").AsTask()).Should().ThrowAsync<DealInputException>();
        await engine.Invoking(e => e.ExportPersonalDataAsync("nope").AsTask()).Should().ThrowAsync<DealNotFoundException>();
    }

    private SalesFlowEngine Engine() =>
        new(new PipelineRegistry(SalesPipelines.SevenStepB2B()), new InMemoryDealStore(), new SalesFlowEngineOptions { TimeProvider = _time });
}
