using System.Text.Json;
using SalesFlow.Pipelines;

namespace SalesFlow;

/// <summary>
/// The code a JSON pipeline definition refers to by name: guards (<c>"use": "bant.budget"</c>), hooks, follow-up rules
/// and deal data types. Register everything, then load definitions with <see cref="PipelineJson"/>; not meant to be
/// changed while definitions are being loaded from it.
/// </summary>
public sealed class PipelineComponents
{
    private static readonly Lazy<PipelineComponents> BuiltInComponents = new(() => From(SalesPipelines.All));

    private readonly Dictionary<(string Code, Type DataType), RegisteredGuard> _guards = [];
    private readonly Dictionary<string, Func<TransitionContext, CancellationToken, ValueTask>> _hooks = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, Type DataType), RegisteredFollowUp> _followUps = [];
    private readonly Dictionary<string, RegisteredDataType> _dataTypes = new(StringComparer.Ordinal);

    /// <summary>
    /// Gets the guards, follow-up rules and data types of the three built-in pipelines (the showroom with its default
    /// cadence): what the JSON files of the built-in processes refer to. Copy them into your own set with
    /// <see cref="Add(PipelineComponents)"/> to extend them.
    /// </summary>
    public static PipelineComponents BuiltIn => BuiltInComponents.Value;

    internal IReadOnlyDictionary<(string Code, Type DataType), RegisteredGuard> Guards => _guards;

    internal IReadOnlyDictionary<string, Func<TransitionContext, CancellationToken, ValueTask>> Hooks => _hooks;

    internal IReadOnlyDictionary<(string Name, Type DataType), RegisteredFollowUp> FollowUps => _followUps;

    internal IReadOnlyDictionary<string, RegisteredDataType> DataTypes => _dataTypes;

    /// <summary>
    /// Collects what existing definitions refer to by name: their code guards, hooks, follow-up rules and data types, so
    /// their JSON form loads back to an equivalent definition.
    /// </summary>
    /// <param name="definitions">The definitions.</param>
    /// <returns>A new set of components.</returns>
    public static PipelineComponents From(params IEnumerable<PipelineDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var components = new PipelineComponents();
        foreach (var definition in definitions)
        {
            ArgumentNullException.ThrowIfNull(definition);
            components._dataTypes.TryAdd(definition.DataTypeName ?? "", definition.DataTypeRegistration);
            foreach (var transition in definition.Transitions)
            {
                foreach (var guard in transition.Guards.Where(g => g.Condition is null && !g.IsChecklistGuard))
                {
                    components._guards.TryAdd((guard.Code, definition.DataType), new RegisteredGuard(definition.DataType, guard.Predicate, guard.Reason));
                }

                if (transition.FollowUpRule is { } rule)
                {
                    components._followUps.TryAdd((rule, definition.DataType), new RegisteredFollowUp(definition.DataType, transition.FollowUp!));
                }
            }

            foreach (var hook in definition.Hooks)
            {
                components._hooks.TryAdd(hook.Name, hook.Invoke);
            }
        }

        components._dataTypes.Remove("");
        return components;
    }

    /// <summary>Registers a guard whose condition is code.</summary>
    /// <typeparam name="TData">The deal data type it reads.</typeparam>
    /// <param name="code">The guard's stable code, as JSON definitions refer to it (<c>"use": "bant.budget"</c>).</param>
    /// <param name="predicate">A pure condition over the deal's data; <see langword="true"/> allows the move.</param>
    /// <param name="reason">The reason reported when the condition is false, unless the definition gives its own.</param>
    /// <returns>This set.</returns>
    /// <exception cref="ArgumentException">A guard with that code is already registered.</exception>
    public PipelineComponents AddGuard<TData>(string code, Func<TData, bool> predicate, string reason)
        where TData : class
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return AddGuard<TData>(code, (data, _) => predicate(data), reason);
    }

    /// <summary>Registers a guard whose condition is code and also reads the move's arguments.</summary>
    /// <typeparam name="TData">The deal data type it reads.</typeparam>
    /// <param name="code">The guard's stable code.</param>
    /// <param name="predicate">A pure condition; <see langword="true"/> allows the move.</param>
    /// <param name="reason">The reason reported when the condition is false, unless the definition gives its own.</param>
    /// <returns>This set.</returns>
    /// <exception cref="ArgumentException">A guard with that code is already registered.</exception>
    public PipelineComponents AddGuard<TData>(string code, Func<TData, GuardContext, bool> predicate, string reason)
        where TData : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        Add(_guards, (code, typeof(TData)), new RegisteredGuard(typeof(TData), GuardPredicates.Of(code, predicate), reason), $"guard for {typeof(TData).Name} with the code '{code}'");
        return this;
    }

    /// <summary>Registers a hook JSON definitions attach by name (with a phase and a scope of their own).</summary>
    /// <param name="name">The hook's name.</param>
    /// <param name="hook">The hook; before the save it may throw to abort the move.</param>
    /// <returns>This set.</returns>
    /// <exception cref="ArgumentException">A hook with that name is already registered.</exception>
    public PipelineComponents AddHook(string name, Func<TransitionContext, CancellationToken, ValueTask> hook)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(hook);
        Add(_hooks, name, hook, $"hook named '{name}'");
        return this;
    }

    /// <summary>Registers a synchronous hook JSON definitions attach by name.</summary>
    /// <param name="name">The hook's name.</param>
    /// <param name="hook">The hook.</param>
    /// <returns>This set.</returns>
    /// <exception cref="ArgumentException">A hook with that name is already registered.</exception>
    public PipelineComponents AddHook(string name, Action<TransitionContext> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return AddHook(name, (context, _) =>
        {
            hook(context);
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>Registers a rule that schedules a deal's next follow-up when a transition that names it is accepted.</summary>
    /// <typeparam name="TData">The deal data type it reads.</typeparam>
    /// <param name="name">The rule's name.</param>
    /// <param name="schedule">Returns the next follow-up from the deal after the move and the time of the move; <see langword="null"/> clears it.</param>
    /// <returns>This set.</returns>
    /// <exception cref="ArgumentException">A rule with that name is already registered.</exception>
    public PipelineComponents AddFollowUp<TData>(string name, Func<TData, DateTimeOffset, DateTimeOffset?> schedule)
        where TData : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(schedule);
        Add(_followUps, (name, typeof(TData)), new RegisteredFollowUp(typeof(TData), ctx => schedule((TData)ctx.Deal.Data, ctx.Now)), $"follow-up rule for {typeof(TData).Name} named '{name}'");
        return this;
    }

    /// <summary>Registers a deal data type JSON definitions name in <c>"dataType"</c>; a definition without one carries <see cref="JsonDealData"/>.</summary>
    /// <typeparam name="TData">The data type: immutable (records with init-only members and immutable collections).</typeparam>
    /// <param name="name">The name definitions use, for example <c>b2b-deal</c>.</param>
    /// <param name="options">How the data is written to JSON; <see langword="null"/> for the defaults.</param>
    /// <returns>This set.</returns>
    /// <exception cref="ArgumentException">A data type with that name is already registered.</exception>
    public PipelineComponents AddDataType<TData>(string name, JsonSerializerOptions? options = null)
        where TData : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Add(_dataTypes, name, RegisteredDataType.Of<TData>(name, options ?? JsonSerializerOptions.Default), $"data type named '{name}'");
        return this;
    }

    /// <summary>Copies every registration of another set into this one (a name registered in both keeps this set's).</summary>
    /// <param name="other">The other set.</param>
    /// <returns>This set.</returns>
    public PipelineComponents Add(PipelineComponents other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (k, v) in other._guards)
        {
            _guards.TryAdd(k, v);
        }

        foreach (var (k, v) in other._hooks)
        {
            _hooks.TryAdd(k, v);
        }

        foreach (var (k, v) in other._followUps)
        {
            _followUps.TryAdd(k, v);
        }

        foreach (var (k, v) in other._dataTypes)
        {
            _dataTypes.TryAdd(k, v);
        }

        return this;
    }

    private static void Add<TKey, T>(Dictionary<TKey, T> registry, TKey key, T value, string what)
        where TKey : notnull
    {
        if (!registry.TryAdd(key, value))
        {
            throw new ArgumentException($"A {what} is already registered; give this one another name.", nameof(key));
        }
    }
}

internal sealed record RegisteredGuard(Type DataType, Func<GuardContext, bool> Predicate, string Reason);

internal sealed record RegisteredFollowUp(Type DataType, Func<DealFollowUpContext, DateTimeOffset?> Schedule);

/// <summary>A deal data type a definition can be built for, with the factory that builds the typed definition.</summary>
internal sealed record RegisteredDataType(string Name, Type Type, JsonSerializerOptions Options, Func<PipelineParts, PipelineBuildResult> Create)
{
    public static RegisteredDataType Of<TData>(string name, JsonSerializerOptions options)
        where TData : class =>
        new(name, typeof(TData), options, parts => PipelineFactory.Create<TData>(parts, options));
}

/// <summary>Wraps guard code so a throwing guard surfaces as a <see cref="GuardFailedException"/> naming its code.</summary>
internal static class GuardPredicates
{
    public static Func<GuardContext, bool> Of<TData>(string code, Func<TData, GuardContext, bool> predicate)
        where TData : class =>
        ctx =>
        {
            try
            {
                return predicate((TData)ctx.Deal.Data, ctx);
            }
            catch (Exception ex) when (ex is not SalesFlowException and not OperationCanceledException)
            {
                throw new GuardFailedException(ctx.Deal.Id, code, ex);
            }
        };
}
