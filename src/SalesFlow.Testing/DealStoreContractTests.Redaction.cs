using FluentAssertions;

namespace SalesFlow.Testing;

/// <content>Redaction: a save that rewrites the free text of stored events (an erasure of personal data), atomically.</content>
public abstract partial class DealStoreContractTests
{
    /// <summary>The store says it applies <see cref="DealWrite.RedactedEvents"/>; the engine erases personal data only on such a store.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task SupportsEventRedaction_Always_IsTrue()
    {
        var store = await OpenStoreAsync();

        store.SupportsEventRedaction.Should().BeTrue("a SalesFlow store can rewrite stored events, or personal data cannot be erased from it");
    }

    /// <summary>A save with redacted events rewrites their note, reason, justification and properties, keeps the rest, and appends its own events.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_RedactedEvents_RewritesTheirFreeTextOnly()
    {
        var store = await OpenStoreAsync();
        var deal = ContractDeals.NewDeal("deal-r");
        var started = ContractDeals.Started(deal, note: "met Jane Roe") with
        {
            Reason = "Jane Roe asked",
            Activity = "intake",
            OverriddenGuards = ["g.one"],
            OverrideJustification = "Jane Roe is the owner",
            Properties = ContractDeals.Properties(("email", "jane@example.test"), ("item", "call-logged")),
        };
        (await store.TrySaveAsync([new DealWrite(deal, 0, [started])])).Should().BeTrue();
        var (second, note) = ContractDeals.Next(deal, "untouched");
        (await store.TrySaveAsync([new DealWrite(second, deal.Version, [note])])).Should().BeTrue();
        var (third, erasure) = ContractDeals.Next(second, null);
        var redacted = started with
        {
            Note = null,
            Reason = "[erased] asked",
            OverrideJustification = "[erased] is the owner",
            Properties = ContractDeals.Properties(("email", "[erased]"), ("item", "call-logged")),
        };

        var saved = await store.TrySaveAsync([new DealWrite(third, second.Version, [erasure]) { RedactedEvents = [redacted] }]);

        saved.Should().BeTrue();
        var reopened = await OpenStoreAsync();
        var events = await reopened.GetEventsAsync("deal-r");
        events.Should().HaveCount(3);
        events[0].Should().BeEquivalentTo(redacted, "the redacted event keeps its kind, time, actor, activity and overridden guards");
        events[0].Activity.Should().Be("intake");
        events[0].OverriddenGuards.Should().Equal("g.one");
        events[1].Should().BeEquivalentTo(note, "an event not redacted stays as it was");
        events[2].Should().BeEquivalentTo(erasure);
        (await reopened.GetAsync("deal-r"))!.Version.Should().Be(third.Version);
    }

    /// <summary>A redacting save under a stale version is a conflict: no event is rewritten.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_RedactedEventsUnderStaleVersion_RewritesNothing()
    {
        var store = await OpenStoreAsync();
        var deal = ContractDeals.NewDeal("deal-s");
        (await store.TrySaveAsync([ContractDeals.Create(deal, note: "call John Doe")])).Should().BeTrue();
        (await store.TrySaveAsync([ContractDeals.Update(deal, "someone else wrote")])).Should().BeTrue();
        var (stale, erasure) = ContractDeals.Next(deal, null);
        var redacted = (await store.GetEventsAsync("deal-s"))[0] with { Note = null };

        var saved = await store.TrySaveAsync([new DealWrite(stale, deal.Version, [erasure]) { RedactedEvents = [redacted] }]);

        saved.Should().BeFalse();
        var events = await store.GetEventsAsync("deal-s");
        events.Should().HaveCount(2);
        events[0].Note.Should().Be("call John Doe", "a refused save rewrites nothing");
    }

    /// <summary>A redacted event that is not a stored event of the deal is refused with an ArgumentException, and nothing is saved.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_RedactedEventNotStored_ThrowsArgumentException()
    {
        var store = await OpenStoreAsync();
        var deal = ContractDeals.NewDeal("deal-u");
        (await store.TrySaveAsync([ContractDeals.Create(deal, note: "kept")])).Should().BeTrue();
        var (next, erasure) = ContractDeals.Next(deal, null);
        var notStored = erasure with { Note = null };

        var save = async () => await store.TrySaveAsync([new DealWrite(next, deal.Version, [erasure]) { RedactedEvents = [notStored] }]);
        var created = ContractDeals.NewDeal("deal-v");
        var onCreate = async () => await store.TrySaveAsync([ContractDeals.Create(created) with { RedactedEvents = [ContractDeals.Started(created)] }]);

        await save.Should().ThrowAsync<ArgumentException>();
        await onCreate.Should().ThrowAsync<ArgumentException>("a deal being created has no stored events");
        (await store.GetAsync("deal-u"))!.Version.Should().Be(deal.Version);
        (await store.GetEventsAsync("deal-u")).Should().ContainSingle().Which.Note.Should().Be("kept");
        (await store.GetAsync("deal-v")).Should().BeNull();
    }
}
