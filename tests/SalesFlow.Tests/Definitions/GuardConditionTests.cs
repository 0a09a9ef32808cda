using System.Text.Json;

namespace SalesFlow.Tests.Definitions;

public sealed class GuardConditionTests
{
    private static readonly JsonElement Data = JsonDocument.Parse("""
        {
          "Name": "Acme", "Blank": "  ", "Nothing": null, "Empty": [], "Amount": 1200.50, "Count": 3,
          "Closed": "2026-03-01T10:00:00+00:00", "Flag": true,
          "Budget": { "Confirmed": true, "Amount": 5000 },
          "Objections": [ { "Text": "price", "Resolved": true }, { "Text": "timing", "Resolved": false } ],
          "Tags": [ "a", "b" ]
        }
        """).RootElement;

    public static TheoryData<GuardCondition, bool> Cases => new()
    {
        { GuardCondition.Present("Name"), true },
        { GuardCondition.Present("Blank"), false },
        { GuardCondition.Present("Nothing"), false },
        { GuardCondition.Present("Empty"), false },
        { GuardCondition.Present("Missing.Deeper"), false },
        { GuardCondition.Present("Budget.Confirmed"), true },
        { GuardCondition.Absent("Missing"), true },
        { GuardCondition.Absent("Name"), false },
        { GuardCondition.Equal("Flag", true), true },
        { GuardCondition.Equal("Count", 3.0m), true },
        { GuardCondition.Equal("Name", "acme"), false },
        { GuardCondition.Equal("Nothing", null), true },
        { GuardCondition.Equal("Missing", null), true },
        { GuardCondition.AtLeast("Amount", 1200.5m), true },
        { GuardCondition.AtLeast("Amount", 1200.51m), false },
        { GuardCondition.AtMost("Budget.Amount", 5000), true },
        { GuardCondition.AtLeast("Name", 10), false },
        { GuardCondition.AtLeast("Missing", 0), false },
        { GuardCondition.AtLeast("Closed", new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero)), true },
        { GuardCondition.AtMost("Closed", new DateOnly(2026, 2, 28)), false },
        { GuardCondition.None("Objections", GuardCondition.Equal("Resolved", false)), false },
        { GuardCondition.None("Objections", GuardCondition.Equal("Text", "budget")), true },
        { GuardCondition.None("Missing", GuardCondition.Present("")), true },
        { GuardCondition.None("Tags", GuardCondition.Equal("", "b")), false },
        { GuardCondition.All(GuardCondition.Present("Name"), GuardCondition.Equal("Flag", true)), true },
        { GuardCondition.All(GuardCondition.Present("Name"), GuardCondition.Equal("Flag", false)), false },
        { GuardCondition.Any(GuardCondition.Present("Missing"), GuardCondition.Equal("Flag", true)), true },
        { GuardCondition.Any(GuardCondition.Present("Missing"), GuardCondition.Present("Blank")), false },
        { GuardCondition.Not(GuardCondition.Present("Missing")), true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void IsMetBy_Condition_ReadsTheData(GuardCondition condition, bool expected) =>
        condition.IsMetBy(Data).Should().Be(expected, condition.ToString());

    [Fact]
    public void ToString_WritesTheJsonAFileHolds()
    {
        var condition = GuardCondition.All(GuardCondition.Present("A"), GuardCondition.Not(GuardCondition.None("B", GuardCondition.AtMost("C", 2))));

        condition.ToString().Should().Be("""{"all":[{"path":"A","present":true},{"not":{"path":"B","none":{"path":"C","atMost":2}}}]}""");
    }

    [Fact]
    public void Factories_BadArguments_Throw()
    {
        FluentActions.Invoking(() => GuardCondition.Present(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => GuardCondition.Present("a..b")).Should().Throw<ArgumentException>().WithMessage("*empty segment*");
        FluentActions.Invoking(() => GuardCondition.AtLeast("a", true)).Should().Throw<ArgumentException>().WithMessage("*number, a date or text*");
        FluentActions.Invoking(() => GuardCondition.All()).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => GuardCondition.Not(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => GuardCondition.None("a", null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task When_ConditionOnTypedData_ReadsTheMembersAsTheyAreStored()
    {
        var definition = PipelineBuilder.Create<Support.RenewalData>("typed")
            .Stage("open", s => s.Guidance("g"))
            .Stage("won", s => s.Won())
            .Stage("lost", s => s.Lost())
            .Transition("sign", "open", "won")
                .When("counter.at-least-2", GuardCondition.AtLeast("Counter", 2), "Counter below 2")
                .When("contact.known", GuardCondition.Present("Contact"), "No contact")
            .Transition("lose", "open", "lost")
            .Build();
        var engine = new Support.TestEngine(definition);
        await engine.Engine.StartAsync("typed", "d1", new Support.RenewalData { Counter = 1 }, "alice");

        var refused = await engine.FireAsync("sign", "d1");
        refused.UnmetGuards.Select(g => g.Code).Should().Equal("counter.at-least-2", "contact.known");

        await engine.Engine.UpdateAsync<Support.RenewalData>("d1", d => d with { Counter = 2, Contact = "c" }, "alice");
        (await engine.FireAsync("sign", "d1")).Accepted.Should().BeTrue();
    }

    [Fact]
    public void Build_ConditionPathTheTypeLacks_IsAnError()
    {
        var act = () => PipelineBuilder.Create<Support.RenewalData>("typed")
            .Stage("open", s => s.Guidance("g"))
            .Stage("won", s => s.Won())
            .Stage("lost", s => s.Lost())
            .Transition("sign", "open", "won")
                .When("a", GuardCondition.Present("Signed.Deeper"), "r")
                .When("b", GuardCondition.Any(GuardCondition.Present("signed"), GuardCondition.Present("Counter")), "r")
            .Transition("lose", "open", "lost")
            .Build();

        var diagnostics = act.Should().Throw<PipelineDefinitionException>().Which.Diagnostics;
        diagnostics.Where(d => d.Code == "SF2006").Select(d => d.Message).Should().SatisfyRespectively(
            first => first.Should().Contain("'Signed.Deeper'").And.Contain("no member 'Deeper'"),
            second => second.Should().Contain("'signed'").And.Contain("no member 'signed'"));
        diagnostics.Should().OnlyContain(d => d.Location!.JsonPointer.StartsWith("/transitions/0/guards/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_DataWrittenInCamelCase_PathsFollowTheSerializerOptions()
    {
        var build = (string path) => PipelineBuilder.Create<Support.RenewalData>("camel")
            .SerializeDataWith(new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase })
            .Stage("open", s => s.Guidance("g")).Stage("won", s => s.Won()).Stage("lost", s => s.Lost())
            .Transition("sign", "open", "won").When("counter", GuardCondition.AtLeast(path, 2), "Counter below 2")
            .Transition("lose", "open", "lost")
            .Build();

        FluentActions.Invoking(() => build("Counter")).Should().Throw<PipelineDefinitionException>().Which.Diagnostics.Should().Contain(d => d.Code == "SF2006");
        var engine = new Support.TestEngine(build("counter"));
        await engine.Engine.StartAsync("camel", "d1", new Support.RenewalData { Counter = 2 }, "alice");

        (await engine.FireAsync("sign", "d1")).Accepted.Should().BeTrue();
    }
}
