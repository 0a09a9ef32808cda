using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SalesFlow.DependencyInjection;
using static SalesFlow.Extensions.Tests.Feed.FeedHosts;

namespace SalesFlow.Extensions.Tests.Feed;

public class EventFeedOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedValues()
    {
        var options = new EventFeedOptions();

        options.PollInterval.Should().Be(TimeSpan.FromSeconds(1));
        options.BatchSize.Should().Be(100);
        options.LeaseDuration.Should().Be(TimeSpan.FromSeconds(30));
        options.MaxFailureBackoff.Should().Be(TimeSpan.FromMinutes(1));
        options.Owner.Should().BeNull();
        new EventFeedOptionsValidator().Validate(null, options).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Host_ConfigurationSection_IsBound()
    {
        using var host = Build(new InMemoryDealStore(), new FeedLog(), configuration: new Dictionary<string, string?>
        {
            ["SalesFlow:EventFeed:PollInterval"] = "00:00:02",
            ["SalesFlow:EventFeed:BatchSize"] = "250",
            ["SalesFlow:EventFeed:LeaseDuration"] = "00:01:00",
            ["SalesFlow:EventFeed:MaxFailureBackoff"] = "00:05:00",
            ["SalesFlow:EventFeed:Owner"] = "web-1",
        });

        var options = host.Services.GetRequiredService<IOptions<EventFeedOptions>>().Value;

        options.PollInterval.Should().Be(TimeSpan.FromSeconds(2));
        options.BatchSize.Should().Be(250);
        options.LeaseDuration.Should().Be(TimeSpan.FromMinutes(1));
        options.MaxFailureBackoff.Should().Be(TimeSpan.FromMinutes(5));
        options.Owner.Should().Be("web-1");
    }

    [Fact]
    public void ConfigureEventFeed_InCode_WinsOverTheConfigurationSection()
    {
        using var host = Build(
            new InMemoryDealStore(),
            new FeedLog(),
            configuration: new Dictionary<string, string?> { ["SalesFlow:EventFeed:BatchSize"] = "250" },
            configure: b => b.ConfigureEventFeed(o => o.BatchSize = 7).AddEventHandler<RecordingFeedHandler>(Handler));

        host.Services.GetRequiredService<IOptions<EventFeedOptions>>().Value.BatchSize.Should().Be(7);
    }

    [Fact]
    public void Options_WithoutAConfigurationInTheContainer_KeepTheDefaults()
    {
        var services = new ServiceCollection();
        services.AddSalesFlow().UseInMemoryStore().AddEventHandler("a", (_, _) => ValueTask.CompletedTask);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IOptions<EventFeedOptions>>().Value.BatchSize.Should().Be(100);
    }

    [Fact]
    public async Task Host_InvalidOptions_FailsAtStartListingEveryProblem()
    {
        using var host = Build(new InMemoryDealStore(), new FeedLog(), configuration: new Dictionary<string, string?>
        {
            ["SalesFlow:EventFeed:PollInterval"] = "00:00:00",
            ["SalesFlow:EventFeed:BatchSize"] = "0",
            ["SalesFlow:EventFeed:LeaseDuration"] = "02:00:00",
            ["SalesFlow:EventFeed:MaxFailureBackoff"] = "03:00:00",
            ["SalesFlow:EventFeed:Owner"] = " ",
        });

        var act = () => host.StartAsync();

        var failure = (await act.Should().ThrowAsync<OptionsValidationException>()).Which;
        failure.OptionsType.Should().Be<EventFeedOptions>();
        failure.Failures.Should().HaveCount(5);
        failure.Failures.Should().ContainMatch("SalesFlow:EventFeed:PollInterval is 00:00:00*");
        failure.Failures.Should().ContainMatch("SalesFlow:EventFeed:BatchSize is 0*");
        failure.Failures.Should().ContainMatch("SalesFlow:EventFeed:LeaseDuration is 02:00:00*");
        failure.Failures.Should().ContainMatch("SalesFlow:EventFeed:MaxFailureBackoff is 03:00:00*");
        failure.Failures.Should().ContainMatch("SalesFlow:EventFeed:Owner is blank*");
    }

    [Fact]
    public void Validate_LeaseNotLongerThanPollInterval_IsAProblem()
    {
        var options = new EventFeedOptions { PollInterval = TimeSpan.FromSeconds(30), LeaseDuration = TimeSpan.FromSeconds(30), MaxFailureBackoff = TimeSpan.FromMinutes(1) };

        var result = new EventFeedOptionsValidator().Validate(null, options);

        result.Failures.Should().ContainSingle().Which.Should().Contain("LeaseDuration (00:00:30) is not longer than PollInterval (00:00:30)");
    }

    [Fact]
    public void Validate_BackoffShorterThanPollInterval_IsAProblem()
    {
        var options = new EventFeedOptions { PollInterval = TimeSpan.FromSeconds(5), MaxFailureBackoff = TimeSpan.FromSeconds(1) };

        var result = new EventFeedOptionsValidator().Validate(null, options);

        result.Failures.Should().ContainSingle().Which.Should().StartWith("SalesFlow:EventFeed:MaxFailureBackoff is 00:00:01");
    }

    [Fact]
    public void Validate_BadAndRepeatedTenants_AreEachAProblem()
    {
        var options = new EventFeedOptions { Tenants = { "acme", " padded", "acme", new string('t', 65) } };

        var result = new EventFeedOptionsValidator().Validate(null, options);

        result.Failures.Should().HaveCount(3);
        result.Failures.Should().ContainMatch("SalesFlow:EventFeed:Tenants:1 is not a tenant id*white space*")
            .And.ContainMatch("SalesFlow:EventFeed:Tenants:2 ('acme') is listed twice*")
            .And.ContainMatch("SalesFlow:EventFeed:Tenants:3 is not a tenant id*at most 64*");
    }

    [Fact]
    public void Validate_NullOptions_Throws()
    {
        var act = () => new EventFeedOptionsValidator().Validate(null, null!);

        act.Should().Throw<ArgumentNullException>();
    }
}
