using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SalesFlow;
using SalesFlow.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures SalesFlow through an <see cref="ISalesFlowBuilder"/>: store, pipelines, hooks and options.</summary>
public static class SalesFlowBuilderExtensions
{
    /// <summary>
    /// Keeps deals in memory (<see cref="InMemoryDealStore"/>, a singleton, also the <see cref="IEventFeedStore"/>): for
    /// tests, demos and single-process hosts that need no durability. Its leases expire by the container's
    /// <see cref="TimeProvider"/>, if one is registered.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">Another store is registered already; the message names both.</exception>
    public static ISalesFlowBuilder UseInMemoryStore(this ISalesFlowBuilder builder) =>
        builder.UseStore("in-memory (UseInMemoryStore)", static services => new InMemoryDealStore(services.GetService<TimeProvider>()));

    /// <summary>
    /// Uses a store created by a factory as the <see cref="IDealStore"/> singleton (and as the <see cref="IEventFeedStore"/>
    /// when it is one). The factory may resolve <see cref="PipelineRegistry"/>, which then holds every pipeline added
    /// through the builder.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the store once.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">Another store is registered already; the message names both.</exception>
    public static ISalesFlowBuilder UseStore(this ISalesFlowBuilder builder, Func<IServiceProvider, IDealStore> factory) =>
        builder.UseStore("a custom store (UseStore)", factory);

    /// <summary>
    /// Uses a store of type <typeparamref name="TStore"/>, constructed by the container, as the <see cref="IDealStore"/>
    /// singleton (and as the <see cref="IEventFeedStore"/> when it is one).
    /// </summary>
    /// <typeparam name="TStore">The store type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">Another store is registered already; the message names both.</exception>
    public static ISalesFlowBuilder UseStore<TStore>(this ISalesFlowBuilder builder)
        where TStore : class, IDealStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TStore>();
        return builder.UseStore(typeof(TStore).Name + " (UseStore<" + typeof(TStore).Name + ">)", static services => services.GetRequiredService<TStore>());
    }

    /// <summary>
    /// Uses a store created by a factory, named for error messages: the registration store packages build their
    /// <c>UseXxxStore(...)</c> on. One store per container: a second registration throws, naming both stores.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="storeName">What the store is, as a reader of an error message would recognize it, for example <c>SQLite (UseSqliteStore)</c>.</param>
    /// <param name="factory">Creates the store once.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">Another store is registered already; the message names both.</exception>
    public static ISalesFlowBuilder UseStore(this ISalesFlowBuilder builder, string storeName, Func<IServiceProvider, IDealStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        ArgumentNullException.ThrowIfNull(factory);
        var services = builder.Services;
        var registered = services.FirstOrDefault(d => d.ServiceType == typeof(StoreRegistration))?.ImplementationInstance is StoreRegistration r
            ? r.Name
            : services.FirstOrDefault(d => d.ServiceType == typeof(IDealStore)) is { } own
                ? "the IDealStore the host registered (" + (own.ImplementationType ?? own.ImplementationInstance?.GetType())?.Name + ")"
                : null;
        if (registered is not null)
        {
            throw new InvalidOperationException(
                $"SalesFlow can use one deal store, and two were registered: {registered} first, then {storeName}. Remove one of the two registrations.");
        }

        services.AddSingleton(new StoreRegistration(storeName));
        services.AddSingleton(factory);
        services.TryAddSingleton(static services => services.GetRequiredService<IDealStore>() as IEventFeedStore
            ?? throw new InvalidOperationException($"The registered deal store ({services.GetRequiredService<IDealStore>().GetType().Name}) has no event feed: it does not implement IEventFeedStore."));
        return builder;
    }

    /// <summary>
    /// Uses a store built from options, as store packages register theirs: <typeparamref name="TOptions"/> is registered
    /// with <c>AddOptions</c>, bound from the configuration section <paramref name="sectionName"/> when the container has an
    /// <see cref="IConfiguration"/>, open to the host's own <c>Configure&lt;TOptions&gt;</c>, and validated when the host
    /// starts (or the store is first resolved) with every problem listed. The store is built from
    /// <see cref="IOptions{TOptions}"/> when first resolved.
    /// </summary>
    /// <typeparam name="TOptions">The store's options.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="storeName">What the store is, for error messages, for example <c>SQLite (UseSqliteStore)</c>.</param>
    /// <param name="sectionName">The configuration section the options are bound from, for example <c>SalesFlow:Sqlite</c>.</param>
    /// <param name="validate">Lists every problem of the options; empty when they are usable.</param>
    /// <param name="factory">Builds the store from the container and the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">Another store is registered already; the message names both.</exception>
    public static ISalesFlowBuilder UseStore<TOptions>(
        this ISalesFlowBuilder builder,
        string storeName,
        string sectionName,
        Func<TOptions, IReadOnlyList<string>> validate,
        Func<IServiceProvider, TOptions, IDealStore> factory)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionName);
        ArgumentNullException.ThrowIfNull(validate);
        ArgumentNullException.ThrowIfNull(factory);
        builder.UseStore(storeName, services => factory(services, services.GetRequiredService<IOptions<TOptions>>().Value));
        builder.Services.AddOptions<TOptions>()
            .Configure<IServiceProvider>((options, services) => services.GetService<IConfiguration>()?.GetSection(sectionName).Bind(options))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new ListingValidator<TOptions>(validate));
        return builder;
    }

    /// <summary>Adds a pipeline definition. Adding the same instance again does nothing.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="definition">The built definition.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder AddPipeline(this ISalesFlowBuilder builder, PipelineDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(definition);
        return builder.AddPipeline(definition, _ => definition);
    }

    /// <summary>
    /// Adds a pipeline definition built by a factory, called once when <see cref="PipelineRegistry"/> is first
    /// resolved; it may resolve services (options, a repository of JSON definitions …). Adding the same factory
    /// instance again does nothing.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Builds the definition.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder AddPipeline(this ISalesFlowBuilder builder, Func<IServiceProvider, PipelineDefinition> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        return builder.AddPipeline(factory, factory);
    }

    /// <summary>
    /// Adds a hook type run around every move, after the pipelines' own hooks and the hook instances. An instance is
    /// resolved from a new service scope for every move (both phases of the move share it), so the hook may depend on
    /// scoped services such as a DbContext. <typeparamref name="THook"/> is registered as scoped unless the host
    /// registered it before; adding the same type again does nothing.
    /// </summary>
    /// <typeparam name="THook">The hook type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder AddHook<THook>(this ISalesFlowBuilder builder)
        where THook : class, IDealHook
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddScoped<THook>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHookTypeRegistration, HookTypeRegistration<THook>>());
        return builder;
    }

    /// <summary>
    /// Adds a hook instance run around every move, after the pipelines' own hooks. It must be thread-safe: one
    /// instance serves every move. Adding the same instance again does nothing.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="hook">The hook.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder AddHook(this ISalesFlowBuilder builder, IDealHook hook)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(hook);
        if (!builder.Services.Any(d => d.ServiceType == typeof(HookInstanceRegistration) && d.ImplementationInstance is HookInstanceRegistration r && ReferenceEquals(r.Hook, hook)))
        {
            builder.Services.AddSingleton(new HookInstanceRegistration(hook));
        }

        return builder;
    }

    /// <summary>Configures <see cref="SalesFlowEngineOptions"/> (in addition to earlier configuration).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder Configure(this ISalesFlowBuilder builder, Action<SalesFlowEngineOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>
    /// Binds <see cref="SalesFlowEngineOptions"/> (and <see cref="ShowroomFollowUpOptions"/> to its <c>ShowroomFollowUp</c> subsection) to a section of the host's <see cref="Configuration.IConfiguration"/>
    /// (resolved from the container), for example <c>"SalesFlow"</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="sectionPath">The section's path, with <c>:</c> between levels.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder BindConfiguration(this ISalesFlowBuilder builder, string sectionPath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionPath);
        builder.Services.AddOptions<SalesFlowEngineOptions>().BindConfiguration(sectionPath);
        builder.Services.AddOptions<ShowroomFollowUpOptions>().BindConfiguration(sectionPath + ":ShowroomFollowUp");
        return builder;
    }

    // Which store a builder registered, so a second one is an error that names both.
    private sealed record StoreRegistration(string Name);

    private sealed class ListingValidator<TOptions>(Func<TOptions, IReadOnlyList<string>> validate) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options) =>
            validate(options) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }

    internal static ISalesFlowBuilder AddPipeline(this ISalesFlowBuilder builder, object key, Func<IServiceProvider, PipelineDefinition> factory)
    {
        if (!builder.Services.Any(d => d.ServiceType == typeof(PipelineRegistration) && d.ImplementationInstance is PipelineRegistration r && Equals(r.Key, key)))
        {
            builder.Services.AddSingleton(new PipelineRegistration(key, factory));
        }

        return builder;
    }
}
