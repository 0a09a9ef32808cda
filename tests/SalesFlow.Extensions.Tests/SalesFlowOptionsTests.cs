using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SalesFlow.Extensions.Tests.Support;

namespace SalesFlow.Extensions.Tests;

public class SalesFlowOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new SalesFlowEngineOptions();

        options.ConflictRetryCount.Should().Be(3);
        options.AfterSaveHookTimeout.Should().Be(TimeSpan.FromSeconds(30));
        options.OverrideActors.Should().BeEmpty();
        options.OverrideRoles.Should().BeEmpty();
        options.Authorizer.Should().BeNull();
        options.TimeProvider.Should().BeSameAs(TimeProvider.System);
        new ShowroomFollowUpOptions().GradeA.Should().BeNull();
    }

    [Fact]
    public async Task Host_InvalidOptionsInConfiguration_FailsAtStartListingEveryProblem()
    {
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["SalesFlow:ConflictRetryCount"] = "-5",
            ["SalesFlow:AfterSaveHookTimeout"] = "00:00:00",
            ["SalesFlow:OverrideActors:0"] = " ",
        });

        var act = () => host.StartAsync();

        var failure = (await act.Should().ThrowAsync<OptionsValidationException>()).Which;
        failure.OptionsType.Should().Be<SalesFlowEngineOptions>();
        failure.Failures.Should().HaveCount(3);
        failure.Failures.Should().ContainMatch("*ConflictRetryCount is -5*");
        failure.Failures.Should().ContainMatch("*AfterSaveHookTimeout*");
        failure.Failures.Should().ContainMatch("*OverrideActors:0 is blank*");
    }

    [Fact]
    public async Task Host_InvalidShowroomCadenceInConfiguration_FailsAtStart()
    {
        using var host = BuildHost(new Dictionary<string, string?> { ["SalesFlow:ShowroomFollowUp:GradeA"] = "00:00:00" });

        var act = () => host.StartAsync();

        var failure = (await act.Should().ThrowAsync<OptionsValidationException>()).Which;
        failure.OptionsType.Should().Be<ShowroomFollowUpOptions>();
        failure.Failures.Should().ContainSingle().Which.Should().Contain("GradeA");
    }

    [Fact]
    public async Task Host_ValidOptionsInConfiguration_StartsAndTheEngineUsesThem()
    {
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["SalesFlow:ConflictRetryCount"] = "1",
            ["SalesFlow:AfterSaveHookTimeout"] = "00:00:05",
            ["SalesFlow:OverrideActors:0"] = "manager",
        });

        await host.StartAsync();
        var engine = host.Services.GetRequiredService<SalesFlowEngine>();
        await engine.StartAsync(LeadPipeline.Id, "d1", new LeadData(), "alice");
        var forced = await engine.FireAsync("d1", "qualify", new FireRequest("manager") { OverrideJustification = "known customer" });
        await host.StopAsync();

        forced.Status.Should().Be(FireStatus.Accepted);
        var bound = host.Services.GetRequiredService<IOptions<SalesFlowEngineOptions>>().Value;
        bound.ConflictRetryCount.Should().Be(1);
        bound.AfterSaveHookTimeout.Should().Be(TimeSpan.FromSeconds(5));
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSalesFlow().BindConfiguration("SalesFlow").AddPipeline(LeadPipeline.Build()).UseInMemoryStore();
        return builder.Build();
    }
}
