using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SalesFlow.DependencyInjection;

/// <summary>Binds <see cref="EventFeedOptions"/> to the <c>SalesFlow:EventFeed</c> section when the container has a configuration.</summary>
internal sealed class EventFeedConfigureOptions(IServiceProvider services) : IConfigureOptions<EventFeedOptions>
{
    public void Configure(EventFeedOptions options)
    {
        if (services.GetService<IConfiguration>() is { } configuration)
        {
            configuration.GetSection(EventFeedOptions.SectionName).Bind(options);
        }
    }
}
