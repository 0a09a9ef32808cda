using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Samples.CrmApi.Tests.Support;

namespace SalesFlow.Samples.CrmApi.Tests;

public sealed class DealEndpointsTests : ApiTests
{
    [Fact]
    public async Task Start_ValidBody_Returns201WithLocationETagAndDeal()
    {
        var response = await Client.StartAsync("walk-in-1", extra: new { owner = "floor-team", amount = 1200 });

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        response.Headers.Location!.ToString().Should().Be("/api/deals/walk-in-1");
        response.ETag().Should().Be("\"1\"");
        var deal = await response.JsonAsync();
        deal["stageId"]!.GetValue<string>().Should().Be(SalesPipelines.RetailFloor().InitialStage);
        deal["owner"]!.GetValue<string>().Should().Be("floor-team");
        deal["amount"]!.GetValue<decimal>().Should().Be(1200);
        var stored = await Factory.Services.GetRequiredService<SalesFlowEngine>().GetAsync("walk-in-1");
        stored.Amount.Should().Be(1200);
    }

    [Fact]
    public async Task Start_WithoutDealId_GeneratesOne()
    {
        var response = await Client.PostAsJsonAsync("/api/deals", new { pipelineId = SalesPipelines.RetailFloorId });

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = (await response.JsonAsync())["id"]!.GetValue<string>();
        id.Should().StartWith("deal-");
        (await Client.GetAsync($"/api/deals/{id}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Start_MissingPipelineNegativeAmountAndBadData_Returns400ListingEveryProblem()
    {
        var response = await Client.PostAsJsonAsync("/api/deals", new { dealId = " ", amount = -5, data = 3 });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.ContentType()!.MediaType.Should().Be("application/problem+json");
        var errors = (await response.JsonAsync())["errors"]!.AsObject();
        errors.Select(e => e.Key).Should().BeEquivalentTo("pipelineId", "dealId", "amount", "data");
    }

    [Theory]
    [InlineData("{ \"PiecesShown\": 5 }", "RetailDeal")]
    [InlineData("{ \"piecesShown\": [\"ring-7\"] }", "piecesShown")]
    public async Task Start_DataNotOfThePipelinesType_Returns400OnData(string data, string named)
    {
        var response = await Client.StartAsync("walk-in-1", extra: new { data = JsonNode.Parse(data) });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync())["errors"]!["data"]![0]!.GetValue<string>().Should().Contain(named);
        (await Client.GetAsync("/api/deals/walk-in-1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Start_WithData_KeepsTheData()
    {
        var response = await Client.StartAsync("walk-in-1", extra: new { data = new { PiecesShown = new[] { "ring-7" } } });

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var stored = await Factory.Services.GetRequiredService<SalesFlowEngine>().GetAsync("walk-in-1");
        stored.DataAs<RetailDeal>().PiecesShown.Should().Equal("ring-7");
    }

    [Fact]
    public async Task Start_UnknownPipeline_Returns404()
    {
        var response = await Client.StartAsync("d-1", pipelineId: "no-such-pipeline");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.JsonAsync())["pipelineId"]!.GetValue<string>().Should().Be("no-such-pipeline");
    }

    [Fact]
    public async Task Start_DealIdTaken_Returns409()
    {
        await Client.StartAsync("walk-in-1");

        var response = await Client.StartAsync("walk-in-1");

        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        response.ContentType()!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Get_UnknownDeal_Returns404ProblemDetails()
    {
        var response = await Client.GetAsync("/api/deals/nobody");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var problem = await response.JsonAsync();
        problem["status"]!.GetValue<int>().Should().Be(404);
        problem["dealId"]!.GetValue<string>().Should().Be("nobody");
    }

    [Fact]
    public async Task Get_AfterAMove_ReturnsTheVersionAsETag()
    {
        await Client.StartAsync("walk-in-1");
        await Client.FireAsync("walk-in-1", new { trigger = RetailTriggers.ShowsCuriosity });

        var response = await Client.GetAsync("/api/deals/walk-in-1");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var deal = await response.JsonAsync();
        response.ETag().Should().Be($"\"{deal["version"]!.GetValue<long>()}\"").And.Be("\"2\"");
        deal["stageId"]!.GetValue<string>().Should().Be(RetailStages.Curious);
    }

    [Fact]
    public async Task List_ByPipelineAndStage_PagesThroughEveryMatchingDeal()
    {
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            await Client.StartAsync(id);
        }

        await Client.StartAsync("b2b-1", SalesPipelines.SevenStepB2BId);
        await Client.FireAsync("c", new { trigger = RetailTriggers.ShowsCuriosity });

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await (await Client.GetAsync($"/api/deals?pipeline={SalesPipelines.RetailFloorId}&stage={RetailStages.Browsing}&limit=2" + (after is null ? "" : "&after=" + after))).JsonAsync();
            seen.AddRange(page["items"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()));
            after = page["next"]?.GetValue<string>();
            pages++;
        }
        while (after is not null && pages < 10);

        seen.Should().Equal("a", "b", "d");
        pages.Should().Be(2);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=501")]
    [InlineData("pipeline=no-such-pipeline")]
    public async Task List_BadQuery_Returns400(string query)
    {
        var response = await Client.GetAsync("/api/deals?" + query);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync())["errors"]!.AsObject().Should().ContainSingle();
    }

    [Fact]
    public async Task Fire_NoteOverTheLimitAndAControlCharacterInTheReason_Returns400ListingBothAndSavesNothing()
    {
        await Client.StartAsync("walk-in-9");
        var before = (await Client.GetAsync("/api/deals/walk-in-9")).ETag();

        var response = await Client.FireAsync("walk-in-9", new { trigger = RetailTriggers.ShowsCuriosity, note = new string('n', 16 * 1024 + 1), reason = "a\u0000b" });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var errors = (await response.JsonAsync())["errors"]!.AsObject();
        errors.Select(e => e.Key).Should().BeEquivalentTo(["FireRequest.Note", "FireRequest.Reason"]);
        (await Client.GetAsync("/api/deals/walk-in-9")).ETag().Should().Be(before);
    }

    [Fact]
    public async Task History_AfterAMove_ListsEveryEventOldestFirst()
    {
        await Client.StartAsync("walk-in-1");
        await Client.FireAsync("walk-in-1", new { trigger = RetailTriggers.ShowsCuriosity, note = "tried the ring on" });

        var events = await (await Client.GetAsync("/api/deals/walk-in-1/history")).JsonArrayAsync();

        events.Select(e => e!["kind"]!.GetValue<string>()).Should().Equal("Started", "Transition");
        events[1]!["trigger"]!.GetValue<string>().Should().Be(RetailTriggers.ShowsCuriosity);
        events[1]!["note"]!.GetValue<string>().Should().Be("tried the ring on");
        events[1]!["actor"]!.GetValue<string>().Should().Be("web-user");
    }

    [Fact]
    public async Task History_UnknownDeal_Returns404()
    {
        (await Client.GetAsync("/api/deals/nobody/history")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Moves_InBrowsing_ListsEveryMoveWithTheReasonsARefusedOneWouldGet()
    {
        await Client.StartAsync("walk-in-1");

        var response = await Client.GetAsync("/api/deals/walk-in-1/moves");

        response.ETag().Should().Be("\"1\"");
        var moves = await response.JsonArrayAsync();
        var expected = Factory.Services.GetRequiredService<SalesFlowEngine>().GetAvailableMoves(await Factory.Services.GetRequiredService<SalesFlowEngine>().GetAsync("walk-in-1"));
        moves.Select(m => m!["trigger"]!.GetValue<string>()).Should().Equal(expected.Select(m => m.Trigger));
        var quote = moves.Single(m => m!["trigger"]!.GetValue<string>() == RetailTriggers.QuotePrice)!;
        quote["allowed"]!.GetValue<bool>().Should().BeFalse();
        quote["unmetGuards"]![0]!["code"]!.GetValue<string>().Should().Be(RetailGuards.PriceBeforeDesire);
        quote["unmetGuards"]![0]!["reason"]!.GetValue<string>().Should().Be(RetailGuards.PriceBeforeDesireReason);
        moves.Single(m => m!["trigger"]!.GetValue<string>() == RetailTriggers.ShowsCuriosity)!["allowed"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task Moves_UnknownDeal_Returns404()
    {
        (await Client.GetAsync("/api/deals/nobody/moves")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Fire_AcceptedMove_Returns200WithTheNewStageAndETag()
    {
        await Client.StartAsync("walk-in-1");

        var response = await Client.FireAsync("walk-in-1", new { trigger = RetailTriggers.ShowsCuriosity }, ifMatch: "\"1\"");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.ETag().Should().Be("\"2\"");
        var body = await response.JsonAsync();
        body["deal"]!["stageId"]!.GetValue<string>().Should().Be(RetailStages.Curious);
        body["event"]!["fromStage"]!.GetValue<string>().Should().Be(RetailStages.Browsing);
    }

    [Fact]
    public async Task Fire_GuardRefuses_Returns422WithEveryUnmetGuardAndSavesNothing()
    {
        await Client.StartAsync("walk-in-1");

        var response = await Client.FireAsync("walk-in-1", new { trigger = RetailTriggers.QuotePrice });

        response.StatusCode.Should().Be((HttpStatusCode)422);
        response.ContentType()!.MediaType.Should().Be("application/problem+json");
        var problem = await response.JsonAsync();
        problem["status"]!.GetValue<int>().Should().Be(422);
        problem["trigger"]!.GetValue<string>().Should().Be(RetailTriggers.QuotePrice);
        problem["unmetGuards"]!.AsArray().Select(g => (g!["code"]!.GetValue<string>(), g["reason"]!.GetValue<string>()))
            .Should().Equal((RetailGuards.PriceBeforeDesire, RetailGuards.PriceBeforeDesireReason));
        (await Client.GetAsync("/api/deals/walk-in-1")).ETag().Should().Be("\"1\"");
    }

    [Fact]
    public async Task Fire_OverrideWithoutTheManagerRole_Returns403AndSavesNothing()
    {
        await Client.StartAsync("walk-in-1");

        var response = await Client.FireAsync("walk-in-1", new { trigger = RetailTriggers.QuotePrice, overrideJustification = "asked twice" });

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var problem = await response.JsonAsync();
        problem["unmetGuards"]![0]!["code"]!.GetValue<string>().Should().Be(RetailGuards.PriceBeforeDesire);
        (await (await Client.GetAsync("/api/deals/walk-in-1/history")).JsonArrayAsync()).Should().ContainSingle();
    }

    [Fact]
    public async Task Fire_OverrideAsManager_Returns200AndRecordsTheOverride()
    {
        await Client.StartAsync("walk-in-1");

        var response = await Client.FireAsync("walk-in-1", new { trigger = RetailTriggers.QuotePrice, overrideJustification = "asked twice" }, role: "manager");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await response.JsonAsync();
        body["overriddenGuards"]!.AsArray().Select(g => g!.GetValue<string>()).Should().Equal(RetailGuards.PriceBeforeDesire);
        body["event"]!["overrideJustification"]!.GetValue<string>().Should().Be("asked twice");
    }

    [Fact]
    public async Task Fire_TriggerNotAMoveFromTheStage_Returns409WithThePermittedTriggers()
    {
        await Client.StartAsync("walk-in-1");

        var response = await Client.FireAsync("walk-in-1", new { trigger = RetailTriggers.AsksPriceCarefully });

        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var permitted = (await response.JsonAsync())["permittedTriggers"]!.AsArray().Select(t => t!.GetValue<string>());
        permitted.Should().Contain(RetailTriggers.ShowsCuriosity).And.NotContain(RetailTriggers.AsksPriceCarefully);
    }

    [Fact]
    public async Task Fire_StaleIfMatch_Returns412WithTheCurrentETagAndSavesNothing()
    {
        await Client.StartAsync("walk-in-1");
        await Client.FireAsync("walk-in-1", new { trigger = RetailTriggers.NoticesPiece });

        var response = await Client.FireAsync("walk-in-1", new { trigger = RetailTriggers.ShowsCuriosity }, ifMatch: "\"1\"");

        response.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        (await response.JsonAsync())["currentETag"]!.GetValue<string>().Should().Be("\"2\"");
        var deal = await (await Client.GetAsync("/api/deals/walk-in-1")).JsonAsync();
        deal["stageId"]!.GetValue<string>().Should().Be(RetailStages.Browsing);
        deal["version"]!.GetValue<long>().Should().Be(2);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("\"7\", \"2\"")]
    public async Task Fire_IfMatchNamingTheCurrentVersion_Returns200(string ifMatch)
    {
        await Client.StartAsync("walk-in-1");
        await Client.FireAsync("walk-in-1", new { trigger = RetailTriggers.NoticesPiece });

        var response = await Client.FireAsync("walk-in-1", new { trigger = RetailTriggers.ShowsCuriosity }, ifMatch: ifMatch);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.ETag().Should().Be("\"3\"");
    }

    [Fact]
    public async Task Fire_WeakIfMatch_Returns412()
    {
        await Client.StartAsync("walk-in-1");

        var response = await Client.FireAsync("walk-in-1", new { trigger = RetailTriggers.ShowsCuriosity }, ifMatch: "W/\"1\"");

        response.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task Fire_MalformedIfMatch_Returns400()
    {
        await Client.StartAsync("walk-in-1");

        var response = await Client.FireAsync("walk-in-1", new { trigger = RetailTriggers.ShowsCuriosity }, ifMatch: "1");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync())["errors"]!["If-Match"].Should().NotBeNull();
    }

    [Fact]
    public async Task Fire_WriteBetweenTheCheckAndTheSave_Returns412AndKeepsTheOtherWrite()
    {
        // A hook writes to the same deal inside the move, after the endpoint's If-Match check: the move's save then conflicts,
        // the engine retries on the fresh deal, and the If-Match hook refuses it there.
        await using var factory = new CrmApiFactory(services: s => s.AddSalesFlow().AddHook<InterferingHook>().Services.AddSingleton<InterferingHook.Armed>());
        var client = factory.CreateClient();
        await client.StartAsync("walk-in-1");
        factory.Services.GetRequiredService<InterferingHook.Armed>().Value = true;

        var response = await client.FireAsync("walk-in-1", new { trigger = RetailTriggers.ShowsCuriosity }, ifMatch: "\"1\"");

        response.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        var history = await (await client.GetAsync("/api/deals/walk-in-1/history")).JsonArrayAsync();
        history.Select(e => e!["kind"]!.GetValue<string>()).Should().Equal("Started", "Activity");
    }

    [Fact]
    public async Task Fire_WithoutTrigger_Returns400()
    {
        await Client.StartAsync("walk-in-1");

        var response = await Client.FireAsync("walk-in-1", new { note = "no trigger", arguments = new { nested = new { a = 1 } } });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo("trigger", "arguments.nested");
    }

    [Fact]
    public async Task Fire_MalformedJson_Returns400ProblemDetails()
    {
        await Client.StartAsync("walk-in-1");

        var response = await Client.PostAsync("/api/deals/walk-in-1/fire", new StringContent("{ \"trigger\": ", System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.ContentType()!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Fire_ActorHeader_IsTheActorInTheHistory()
    {
        await Client.StartAsync("walk-in-1");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/deals/walk-in-1/fire") { Content = JsonContent.Create(new { trigger = RetailTriggers.ShowsCuriosity }) };
        request.Headers.Add("X-Actor", "seller-7");

        await Client.SendAsync(request);

        var events = await (await Client.GetAsync("/api/deals/walk-in-1/history")).JsonArrayAsync();
        events.Last()!["actor"]!.GetValue<string>().Should().Be("seller-7");
    }

    [Fact]
    public async Task Fire_UnknownDeal_Returns404()
    {
        (await Client.FireAsync("nobody", new { trigger = RetailTriggers.ShowsCuriosity })).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Activities_NoteAndFollowUp_Returns200WithTheNewETag()
    {
        await Client.StartAsync("walk-in-1");
        var followUp = new DateTimeOffset(2030, 1, 2, 9, 0, 0, TimeSpan.Zero);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/deals/walk-in-1/activities")
        {
            Content = JsonContent.Create(new { activity = "call", note = "called back", nextFollowUpAt = followUp }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var response = await Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.ETag().Should().Be("\"2\"");
        (await response.JsonAsync())["nextFollowUpAt"]!.GetValue<DateTimeOffset>().Should().Be(followUp);
        var last = (await (await Client.GetAsync("/api/deals/walk-in-1/history")).JsonArrayAsync()).Last()!;
        last["activity"]!.GetValue<string>().Should().Be("call");
    }

    [Fact]
    public async Task Activities_StaleIfMatch_Returns412AndSavesNothing()
    {
        await Client.StartAsync("walk-in-1");
        await Client.FireAsync("walk-in-1", new { trigger = RetailTriggers.NoticesPiece });

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/deals/walk-in-1/activities") { Content = JsonContent.Create(new { note = "late" }) };
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var response = await Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        (await (await Client.GetAsync("/api/deals/walk-in-1/history")).JsonArrayAsync()).Should().HaveCount(2);
    }

    [Fact]
    public async Task Activities_UnknownDeal_Returns404()
    {
        (await Client.PostAsJsonAsync("/api/deals/nobody/activities", new { note = "x" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Checklist_KnownItem_MarksItDone()
    {
        await Client.StartAsync("walk-in-1");
        var item = SalesPipelines.RetailFloor().GetStage(RetailStages.Browsing).Checklist[0].Id;

        var response = await Client.PostAsJsonAsync($"/api/deals/walk-in-1/checklist/{item}", new { note = "done" });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.ETag().Should().Be("\"2\"");
        (await response.JsonAsync())["completedChecklistItems"]!.AsArray().Select(i => i!.GetValue<string>()).Should().Equal(item);
    }

    [Fact]
    public async Task Checklist_UnknownItem_Returns400()
    {
        await Client.StartAsync("walk-in-1");

        var response = await Client.PostAsJsonAsync("/api/deals/walk-in-1/checklist/no-such-item", new JsonObject());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync())["errors"]!["itemId"]![0]!.GetValue<string>().Should().Contain("no-such-item");
    }

    /// <summary>Once armed, writes a note to the deal being moved from inside the move (then disarms).</summary>
    public sealed class InterferingHook(IServiceProvider services, InterferingHook.Armed armed) : IDealHook
    {
        public async ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken)
        {
            if (context.Kind == DealEventKind.Transition && armed.Value)
            {
                armed.Value = false;
                await services.GetRequiredService<SalesFlowEngine>().RecordActivityAsync(context.After.Id, new ActivityRequest("someone-else") { Note = "meanwhile" }, cancellationToken);
            }
        }

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public sealed class Armed
        {
            public bool Value { get; set; }
        }
    }
}
