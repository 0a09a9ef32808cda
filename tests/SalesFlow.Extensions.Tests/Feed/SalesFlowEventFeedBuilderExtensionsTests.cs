using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SalesFlow.DependencyInjection;

namespace SalesFlow.Extensions.Tests.Feed;

public class SalesFlowEventFeedBuilderExtensionsTests
{
    private sealed class OtherHandler : IDealEventHandler
    {
        public ValueTask HandleAsync(FeedEvent feedEvent, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    [Fact]
    public void AddEventHandler_SameTypeAndNameTwice_RegistersOnce()
    {
        var services = new ServiceCollection();

        services.AddSalesFlow().AddEventHandler<OtherHandler>("a").AddEventHandler<OtherHandler>("a");

        services.Count(d => d.ServiceType == typeof(EventHandlerRegistration)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(OtherHandler) && d.Lifetime == ServiceLifetime.Scoped).Should().Be(1);
    }

    [Fact]
    public void AddEventHandler_TwoHandlers_AddOneDispatcher()
    {
        var services = new ServiceCollection();

        services.AddSalesFlow().AddEventHandler<OtherHandler>("a").AddEventHandler("b", (_, _) => ValueTask.CompletedTask);

        services.Count(d => d.ServiceType == typeof(EventHandlerRegistration)).Should().Be(2);
        services.Count(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(EventFeedDispatcher)).Should().Be(1);
    }

    [Fact]
    public void AddSalesFlow_WithoutEventHandlers_AddsNoDispatcher()
    {
        var services = new ServiceCollection();

        services.AddSalesFlow().UseInMemoryStore().ConfigureEventFeed(o => o.BatchSize = 5);

        services.Should().NotContain(d => d.ServiceType == typeof(IHostedService));
    }

    [Fact]
    public void AddEventHandler_NameTakenByAnotherHandler_ThrowsNamingBoth()
    {
        var builder = new ServiceCollection().AddSalesFlow().AddEventHandler<OtherHandler>("a");

        var act = () => builder.AddEventHandler("a", (_, _) => ValueTask.CompletedTask);

        act.Should().Throw<InvalidOperationException>().WithMessage("*'a' is already added*OtherHandler*delegate*");
    }

    [Fact]
    public void AddEventHandler_SameDelegateTwice_RegistersOnce()
    {
        Func<FeedEvent, CancellationToken, ValueTask> handler = (_, _) => ValueTask.CompletedTask;
        var services = new ServiceCollection();

        services.AddSalesFlow().AddEventHandler("a", handler).AddEventHandler("a", handler);

        services.Count(d => d.ServiceType == typeof(EventHandlerRegistration)).Should().Be(1);
    }

    [Fact]
    public void PublicEntryPoints_InvalidArguments_Throw()
    {
        var builder = new ServiceCollection().AddSalesFlow();
        Func<FeedEvent, CancellationToken, ValueTask> handler = (_, _) => ValueTask.CompletedTask;

        FluentActions.Invoking(() => SalesFlowEventFeedBuilderExtensions.AddEventHandler<OtherHandler>(null!, "a")).Should().Throw<ArgumentNullException>().WithParameterName("builder");
        FluentActions.Invoking(() => builder.AddEventHandler<OtherHandler>(null!)).Should().Throw<ArgumentNullException>().WithParameterName("name");
        FluentActions.Invoking(() => builder.AddEventHandler<OtherHandler>(" ")).Should().Throw<ArgumentException>().WithParameterName("name");
        FluentActions.Invoking(() => builder.AddEventHandler<OtherHandler>(new string('a', 201))).Should().Throw<ArgumentException>().WithParameterName("name");
        FluentActions.Invoking(() => SalesFlowEventFeedBuilderExtensions.AddEventHandler(null!, "a", handler)).Should().Throw<ArgumentNullException>().WithParameterName("builder");
        FluentActions.Invoking(() => builder.AddEventHandler("", handler)).Should().Throw<ArgumentException>().WithParameterName("name");
        FluentActions.Invoking(() => builder.AddEventHandler("a", null!)).Should().Throw<ArgumentNullException>().WithParameterName("handler");
        FluentActions.Invoking(() => SalesFlowEventFeedBuilderExtensions.ConfigureEventFeed(null!, _ => { })).Should().Throw<ArgumentNullException>().WithParameterName("builder");
        FluentActions.Invoking(() => builder.ConfigureEventFeed(null!)).Should().Throw<ArgumentNullException>().WithParameterName("configure");
    }
}
