using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SalesFlow;
using SalesFlow.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds durable event feed handlers through an <see cref="ISalesFlowBuilder"/>: a hosted dispatcher hands every
/// committed deal event to each handler, after the commit, at least once and in order per deal, and resumes from the
/// handler's checkpoint after a restart (see <see cref="EventFeedProcessor"/> for the guarantees).
/// </summary>
/// <remarks>
/// The store (the <see cref="IDealStore"/> singleton) must implement <see cref="IEventFeedStore"/>, as the in-memory,
/// SQLite and PostgreSQL stores do; otherwise the host fails to start with a message naming the store type. With
/// several host processes on one database, each handler runs in one process at a time (a lease in the database) and
/// another takes over when that process dies. Options come from <see cref="EventFeedOptions.SectionName"/> and
/// <see cref="ConfigureEventFeed"/>, and are validated when the host starts.
/// </remarks>
public static class SalesFlowEventFeedBuilderExtensions
{
    /// <summary>
    /// Adds a handler type run by the hosted event feed dispatcher under a name, which keys its checkpoint and lease in
    /// the store: keep it stable across releases (a new name starts from the first event). An instance is resolved from a
    /// new service scope for every batch, so the handler may depend on scoped services. <typeparamref name="THandler"/> is
    /// registered as scoped unless the host registered it before. Adding the same type under the same name again does nothing.
    /// </summary>
    /// <typeparam name="THandler">The handler type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The handler's name: not blank, at most 200 characters.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">Another handler is already added under <paramref name="name"/>.</exception>
    public static ISalesFlowBuilder AddEventHandler<THandler>(this ISalesFlowBuilder builder, string name)
        where THandler : class, IDealEventHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        CheckName(name);
        builder.Services.TryAddScoped<THandler>();
        return builder.AddEventHandler(EventHandlerRegistration.ForType(name, typeof(THandler)));
    }

    /// <summary>
    /// Adds a handler delegate run by the hosted event feed dispatcher under a name, which keys its checkpoint and lease
    /// in the store (keep it stable across releases). It is called for one event at a time, but may run at the same time as
    /// other handlers: what it shares with them must be thread-safe. Adding the same delegate under the same name again
    /// does nothing.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The handler's name: not blank, at most 200 characters.</param>
    /// <param name="handler">Handles one committed event; a thrown exception stops the batch at that event, which comes again later.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">Another handler is already added under <paramref name="name"/>.</exception>
    public static ISalesFlowBuilder AddEventHandler(this ISalesFlowBuilder builder, string name, Func<FeedEvent, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(builder);
        CheckName(name);
        ArgumentNullException.ThrowIfNull(handler);
        return builder.AddEventHandler(EventHandlerRegistration.ForCallback(name, handler));
    }

    /// <summary>
    /// Configures <see cref="EventFeedOptions"/> in code, after the <see cref="EventFeedOptions.SectionName"/> configuration
    /// section is applied.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder ConfigureEventFeed(this ISalesFlowBuilder builder, Action<EventFeedOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        AddEventFeedOptions(builder.Services);
        builder.Services.Configure(configure);
        return builder;
    }

    private static ISalesFlowBuilder AddEventHandler(this ISalesFlowBuilder builder, EventHandlerRegistration registration)
    {
        var existing = builder.Services
            .Where(d => d.ServiceType == typeof(EventHandlerRegistration))
            .Select(d => d.ImplementationInstance)
            .OfType<EventHandlerRegistration>()
            .FirstOrDefault(r => string.Equals(r.Name, registration.Name, StringComparison.Ordinal));
        if (existing is not null)
        {
            return existing.SameHandlerAs(registration)
                ? builder
                : throw new InvalidOperationException(
                    $"An event handler named '{registration.Name}' is already added ({existing.Describe()}); each name keeps one checkpoint, so give this handler ({registration.Describe()}) a name of its own.");
        }

        builder.Services.AddSingleton(registration);
        AddEventFeedOptions(builder.Services);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, EventFeedDispatcher>());
        return builder;
    }

    private static void AddEventFeedOptions(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(IConfigureOptions<EventFeedOptions>) && d.ImplementationType == typeof(EventFeedConfigureOptions)))
        {
            return;
        }

        // Registered before any code configuration, so code wins over the configuration section.
        services.AddSingleton<IConfigureOptions<EventFeedOptions>, EventFeedConfigureOptions>();
        services.AddOptions<EventFeedOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventFeedOptions>, EventFeedOptionsValidator>());
    }

    private static void CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > 200)
        {
            throw new ArgumentException("An event handler name is at most 200 characters.", nameof(name));
        }
    }
}
