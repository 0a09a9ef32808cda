using System.Collections.Immutable;

namespace SalesFlow.Storage.Relational.Tests;

public sealed class EventPayloadTests
{
    [Fact]
    public void Serialize_EveryPayloadField_WritesWhatTheSerializerWrites()
    {
        var e = Event() with
        {
            Activity = "call",
            Note = "said \"yes\" <b>& 'no'</b> \u00e9\u20ac \U0001F600\n\ttab",
            Reason = "budget",
            OverriddenGuards = ["guard-a", "guard \"b\""],
            OverrideJustification = "manager ok",
            Properties = ImmutableDictionary.CreateRange(
                StringComparer.Ordinal,
                [KeyValuePair.Create("imported", "true"), KeyValuePair.Create("attr.région", "EMEA/\u00fc"), KeyValuePair.Create("importLine", "42")]),
        };

        var json = EventPayload.Serialize(e);

        json.Should().Be(EventPayload.SerializeWithSerializer(e));
        json.Should().Contain("\"activity\":\"call\"");
    }

    [Fact]
    public void Serialize_SomeFieldsOnly_LeavesOutTheNullOnesLikeTheSerializer()
    {
        var e = Event() with { Reason = "lost to a competitor", Properties = ImmutableDictionary<string, string>.Empty.Add("guardsEnforced", "false") };

        var json = EventPayload.Serialize(e);

        json.Should().Be(EventPayload.SerializeWithSerializer(e)).And.NotContain("activity");
    }

    [Fact]
    public void Serialize_TwoEventsInARow_DoesNotCarryTheFirstIntoTheSecond()
    {
        var first = Event() with { Note = new string('x', 2_000) };
        var second = Event() with { Note = "short" };

        EventPayload.Serialize(first);
        var json = EventPayload.Serialize(second);

        json.Should().Be(EventPayload.SerializeWithSerializer(second));
    }

    [Fact]
    public void Serialize_NoPayload_WritesAnEmptyObjectThatReadsBack()
    {
        var json = EventPayload.Serialize(Event());

        json.Should().Be("{}");
        EventPayload.ToEvent(json, "d", 1, DealEventKind.Transition, DateTimeOffset.UnixEpoch, "a", null, null, "s").Properties.Should().BeEmpty();
    }

    private static DealEvent Event() => new()
    {
        DealId = "d-1",
        Sequence = 2,
        Kind = DealEventKind.Transition,
        Timestamp = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero),
        Actor = "tester",
        FromStage = "a",
        ToStage = "b",
    };
}
