using CsCheck;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Engine;

/// <summary>Issue 13 §4: every write entry point checks ids, actors, notes, reasons and properties before saving.</summary>
public sealed class InputLimitsTests
{
    private const string Personal = "jane.doe@example.com +49 170 1234567";

    [Fact]
    public async Task FireAsync_EveryKindOfBadInput_OneErrorListsEveryProblemAndNothingIsSaved()
    {
        var t = new TestEngine();
        await t.StartAsync();
        var before = await t.Engine.GetAsync("deal-1");
        var events = (await t.Engine.GetHistoryAsync("deal-1")).Count;
        var properties = Enumerable.Range(0, 70).ToDictionary(i => $"p{i}", i => "v");
        properties[" padded"] = "v";
        properties["ok"] = "a\0b";

        var act = () => t.Engine.FireAsync("deal-1", "advance ", new FireRequest("alice\n")
        {
            Note = Personal + new string('x', 16 * 1024),
            Reason = Personal + "\u0007",
            Properties = properties,
        }).AsTask();

        var refused = (await act.Should().ThrowAsync<DealInputException>()).Which;
        refused.Problems.Select(p => (p.Input, p.Rule)).Should().BeEquivalentTo(new[]
        {
            ("trigger", "edge-space"),
            ("FireRequest.Actor", "edge-space"),
            ("FireRequest.Actor", "control-character"),
            ("FireRequest.Note", "too-long"),
            ("FireRequest.Reason", "control-character"),
            ("FireRequest.Properties", "too-many"),
            ("FireRequest.Properties[\" padded\"]", "edge-space"),
            ("FireRequest.Properties[\"ok\"]", "control-character"),
        });
        refused.Message.Should().NotContain("jane.doe").And.NotContain("1234567").And.Contain("16,384").And.Contain("InputLimits.MaxNoteLength");
        (await t.Engine.GetAsync("deal-1")).Should().Be(before);
        (await t.Engine.GetHistoryAsync("deal-1")).Should().HaveCount(events);
    }

    [Fact]
    public async Task StartAsync_LongIdAndControlCharacterInTheOwner_RefusedAndTheStoreStaysEmpty()
    {
        var t = new TestEngine();
        var id = new string('d', 201);

        var act = () => t.Engine.StartAsync(RenewalPipeline.Id, id, new RenewalData(), new StartRequest("alice") { Owner = "bob\0", Properties = new Dictionary<string, string> { [""] = "x" } }).AsTask();

        (await act.Should().ThrowAsync<DealInputException>()).Which.Problems.Select(p => (p.Input, p.Rule)).Should().Equal(
            ("dealId", "too-long"), ("StartRequest.Owner", "control-character"), ("StartRequest.Properties (a property name)", "blank"));
        (await t.Store.QueryAsync(new DealQuery())).Deals.Should().BeEmpty();
    }

    [Theory]
    [InlineData("deal-1\u200B", true)] // a zero-width space is no control character and no white space: an odd id, but allowed
    [InlineData("deal 1", true)]
    [InlineData(" deal-1", false)]
    [InlineData("deal-1\t", false)]
    [InlineData("deal\r\n1", false)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    public async Task StartAsync_DealIds_FollowTheIdRules(string dealId, bool accepted)
    {
        var t = new TestEngine();

        var act = () => t.Engine.StartAsync(RenewalPipeline.Id, dealId, new RenewalData(), "alice").AsTask();

        if (accepted)
        {
            (await act()).Id.Should().Be(dealId);
        }
        else
        {
            await act.Should().ThrowAsync<DealInputException>();
        }
    }

    [Fact]
    public async Task RecordActivityAsync_NoteAtTheLimit_IsKeptAndOneMoreCharacterIsRefused()
    {
        var t = new TestEngine();
        await t.StartAsync();
        var atLimit = new string('n', 16 * 1024 - 2) + "\r\n";

        var kept = await t.Engine.RecordActivityAsync("deal-1", new ActivityRequest("alice") { Note = atLimit });
        var act = () => t.Engine.RecordActivityAsync("deal-1", new ActivityRequest("alice") { Note = atLimit + "!" }).AsTask();

        (await t.Engine.GetHistoryAsync("deal-1"))[^1].Note.Should().Be(atLimit);
        (await act.Should().ThrowAsync<DealInputException>()).Which.Problems.Should().ContainSingle().Which.Input.Should().Be("ActivityRequest.Note");
        (await t.Engine.GetAsync("deal-1")).Version.Should().Be(kept.Version);
    }

    [Fact]
    public async Task Limits_SetInTheOptions_ApplyAndInvalidOnesAreRefusedByTheEngine()
    {
        var t = new TestEngine(configure: o => o.InputLimits = new InputLimits { MaxNoteLength = 10, MaxIdLength = 12 });
        await t.StartAsync("deal-1");

        var longId = () => t.Engine.StartAsync(RenewalPipeline.Id, "deal-12345678", new RenewalData(), "alice").AsTask();
        var longNote = () => t.Engine.CompleteChecklistItemAsync("deal-1", "call-logged", new ActivityRequest("alice") { Note = "eleven char" }).AsTask();
        var badOptions = () => new SalesFlowEngine(new PipelineRegistry(RenewalPipeline.Build()), new InMemoryDealStore(), new SalesFlowEngineOptions { InputLimits = new InputLimits { MaxProperties = 0 } });

        (await longId.Should().ThrowAsync<DealInputException>()).Which.Message.Should().Contain("limit is 12");
        (await longNote.Should().ThrowAsync<DealInputException>()).Which.Problems.Single().Input.Should().Be("ActivityRequest.Note");
        badOptions.Should().Throw<ArgumentException>().WithMessage("*InputLimits:MaxProperties is 0*");
    }

    [Fact]
    public async Task CompleteChecklistItemAndMigration_BadItemIdAndActor_AreRefused()
    {
        var t = new TestEngine();
        await t.StartAsync();

        var item = () => t.Engine.CompleteChecklistItemAsync("deal-1", "call-logged\0", "alice").AsTask();
        var migration = () => t.Engine.ApplyMigrationAsync(new PipelineMigration(RenewalPipeline.Id, 1, 1), new MigrationRequest("ad\tmin")).AsTask();

        (await item.Should().ThrowAsync<DealInputException>()).Which.Problems.Single().Input.Should().Be("itemId");
        (await migration.Should().ThrowAsync<DealInputException>()).Which.Problems.Single().Input.Should().Be("MigrationRequest.Actor");
    }

    [Fact]
    public void AnyInput_ThroughEveryWriteEntryPoint_OnlyTypedErrorsAndTheStoreInvariantsHold()
    {
        var text = Gen.OneOf(
            Gen.String[Gen.Char, 0, 12],
            Gen.String[Gen.Char["ab \t\r\n\0\u0007\u00A0\u200B;\"é"], 0, 12],
            Gen.Const("deal-1"), Gen.Const("advance"), Gen.Const("lose"), Gen.Const("alice"), Gen.Const("call-logged"),
            Gen.Int[16_380, 16_390].Select(n => new string('x', n)));
        var step = Gen.Select(Gen.Int[0, 3], text, text, text, text);

        step.Array[1, 25].Sample(steps =>
        {
            var t = new TestEngine();
            foreach (var (kind, a, b, c, d) in steps)
            {
                try
                {
                    switch (kind)
                    {
                        case 0:
                            t.Engine.StartAsync(RenewalPipeline.Id, a, new RenewalData(), new StartRequest(b) { Note = c, Owner = d }).AsTask().GetAwaiter().GetResult();
                            break;
                        case 1:
                            t.Engine.FireAsync(a, b, new FireRequest(c) { Reason = d, Note = d, Properties = new Dictionary<string, string> { [c] = d } }).AsTask().GetAwaiter().GetResult();
                            break;
                        case 2:
                            t.Engine.CompleteChecklistItemAsync(a, b, new ActivityRequest(c) { Note = d }).AsTask().GetAwaiter().GetResult();
                            break;
                        default:
                            t.Engine.RecordActivityAsync(a, new ActivityRequest(b) { Activity = c, Note = d }).AsTask().GetAwaiter().GetResult();
                            break;
                    }
                }
                catch (Exception ex) when (ex is DealInputException or SalesFlowException or ArgumentException)
                {
                    // Typed: bad input, an unknown deal or item, a deal that exists already.
                }

                t.Time.Advance(TimeSpan.FromSeconds(1));
            }

            var deals = t.Store.QueryAsync(new DealQuery { Limit = 1000 }).AsTask().GetAwaiter().GetResult().Deals;
            foreach (var deal in deals)
            {
                var history = t.Engine.GetHistoryAsync(deal.Id).AsTask().GetAwaiter().GetResult();
                history.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, history.Count).Select(i => (long)i));
                deal.LastSequence.Should().Be(history.Count);
                deal.StageId.Should().Be(history.Where(e => e.Kind is DealEventKind.Started or DealEventKind.Transition).Last().ToStage);
                history.Should().OnlyContain(e => e.Note == null || e.Note.Length <= 16 * 1024);
            }
        });
    }
}
