using System.Text.Json;

namespace SalesFlow;

/// <summary>Starts pipeline definitions.</summary>
public static class PipelineBuilder
{
    /// <summary>Starts a pipeline definition.</summary>
    /// <typeparam name="TData">The deal data type the guards read.</typeparam>
    /// <param name="id">The pipeline id, for example <c>renewals</c>.</param>
    /// <param name="version">The version (1 or more).</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder<TData> Create<TData>(string id, int version = 1)
        where TData : class
    {
        ArgumentNullException.ThrowIfNull(id);
        return new PipelineBuilder<TData>(id, version);
    }
}

/// <summary>
/// Builds an immutable <see cref="PipelineDefinition{TData}"/>. Declare stages, then transitions; the
/// guard and follow-up methods apply to the transitions declared last. <see cref="Build"/> validates
/// everything and lists every problem at once. A builder can be built once.
/// </summary>
/// <typeparam name="TData">The deal data type the guards read.</typeparam>
public sealed class PipelineBuilder<TData>
    where TData : class
{
    private readonly string _id;
    private readonly int _version;
    private readonly List<StageBuilder> _stages = [];
    private readonly List<TransitionDraft> _transitions = [];
    private readonly List<HookRegistration> _hooks = [];
    private readonly List<PipelineDiagnostic> _problems = [];
    private readonly List<(string Path, string Pointer)> _personalData = [];
    private List<TransitionDraft> _current = [];
    private int _declarations;
    private string? _initialStage;
    private string? _name;
    private string? _dataTypeName;
    private JsonSerializerOptions? _jsonOptions;
    private PermissionsBuilder? _permissions;
    private bool _built;

    internal PipelineBuilder(string id, int version)
    {
        _id = id;
        _version = version;
    }

    /// <summary>Declares a stage. Stages are ordered 1, 2, 3 … in declaration order unless set.</summary>
    /// <param name="id">The stage id.</param>
    /// <param name="configure">Sets the stage's name, kind, checklist, guidance …</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> Stage(string id, Action<StageBuilder>? configure = null)
    {
        EnsureNotBuilt();
        ArgumentNullException.ThrowIfNull(id);
        var stage = new StageBuilder(id, _stages.Count + 1) { Pointer = $"/stages/{_stages.Count}" };
        configure?.Invoke(stage);
        _stages.Add(stage);
        return this;
    }

    /// <summary>Sets the pipeline's display name.</summary>
    /// <param name="name">The name, for example <c>Renewals</c>.</param>
    /// <value>The default is the pipeline id.</value>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> Name(string name)
    {
        EnsureNotBuilt();
        _name = name ?? throw new ArgumentNullException(nameof(name));
        return this;
    }

    /// <summary>Sets the name JSON definitions use for the deal data type (see <see cref="PipelineComponents.AddDataType{TData}"/>).</summary>
    /// <param name="name">The name, for example <c>renewal-deal</c>.</param>
    /// <value>The default is the type's name.</value>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> DataTypeName(string name)
    {
        EnsureNotBuilt();
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _dataTypeName = name;
        return this;
    }

    /// <summary>Sets the stage new deals start in.</summary>
    /// <param name="stageId">The stage id.</param>
    /// <value>The default is the first stage declared.</value>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> InitialStage(string stageId)
    {
        EnsureNotBuilt();
        ArgumentNullException.ThrowIfNull(stageId);
        _initialStage = stageId;
        return this;
    }

    /// <summary>Declares who may do what on the pipeline's deals, by role (see <see cref="PipelinePermissions"/>); calls add up.</summary>
    /// <param name="configure">Declares the roles: <c>p =&gt; p.Trigger("Win", "manager").Override("director")</c>.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> Permissions(Action<PermissionsBuilder> configure)
    {
        EnsureNotBuilt();
        ArgumentNullException.ThrowIfNull(configure);
        configure(_permissions ??= new PermissionsBuilder());
        return this;
    }

    /// <summary>
    /// Marks a member of the deal data as personal data, for data that cannot carry <see cref="PersonalDataAttribute"/>
    /// (<see cref="JsonDealData"/>, or a type you do not own). It joins <see cref="PipelineDefinition.PersonalDataPaths"/>.
    /// </summary>
    /// <param name="path">The member's path, named as the data is written to JSON, separated by dots; <c>[]</c> after a collection means each of its items (<c>contacts[].email</c>).</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> PersonalData(string path)
    {
        EnsureNotBuilt();
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _personalData.Add((path, $"/dataMembers/{_personalData.Count}/path"));
        return this;
    }

    /// <summary>Declares a move from one stage to another.</summary>
    /// <param name="trigger">The trigger's name.</param>
    /// <param name="from">The stage it starts from.</param>
    /// <param name="to">The stage it leads to.</param>
    /// <returns>This builder; guards declared next apply to this transition.</returns>
    public PipelineBuilder<TData> Transition(string trigger, string from, string to)
    {
        ArgumentNullException.ThrowIfNull(from);
        return Transition(trigger, [from], to);
    }

    /// <summary>Declares the same move from several stages (for example <c>Lose</c> from every open stage).</summary>
    /// <param name="trigger">The trigger's name.</param>
    /// <param name="from">The stages it starts from.</param>
    /// <param name="to">The stage it leads to.</param>
    /// <returns>This builder; guards declared next apply to each of these transitions.</returns>
    public PipelineBuilder<TData> Transition(string trigger, IEnumerable<string> from, string to)
    {
        ArgumentNullException.ThrowIfNull(to);
        return Declare(trigger, from, to, TransitionKind.Transition);
    }

    /// <summary>Declares an internal action: a trigger that stays in the stage and is recorded in the history.</summary>
    /// <param name="trigger">The trigger's name.</param>
    /// <param name="stages">The stages it can be fired in.</param>
    /// <returns>This builder; guards declared next apply to the action.</returns>
    public PipelineBuilder<TData> InternalAction(string trigger, params IEnumerable<string> stages) =>
        Declare(trigger, stages, null, TransitionKind.Internal);

    /// <summary>
    /// Declares a return transition: from <paramref name="from"/> back to the stage the deal was in before
    /// it (for example <c>Reopen</c> from Lost to the stage the deal was lost from).
    /// </summary>
    /// <param name="trigger">The trigger's name.</param>
    /// <param name="from">The stages it starts from.</param>
    /// <returns>This builder; guards declared next apply to the transition.</returns>
    public PipelineBuilder<TData> ReturnTransition(string trigger, params IEnumerable<string> from) =>
        Declare(trigger, from, null, TransitionKind.Return);

    /// <summary>Adds a guard to the transitions declared last.</summary>
    /// <param name="code">The guard's stable code, for example <c>bant.budget</c>.</param>
    /// <param name="predicate">A pure condition over the deal's data; <see langword="true"/> allows the move.</param>
    /// <param name="reason">Why the move is refused when the condition is false.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> When(string code, Func<TData, bool> predicate, string reason)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return AddGuard(code, reason, GuardPredicates.Of<TData>(code ?? "", (data, _) => predicate(data)));
    }

    /// <summary>Adds a guard that also reads the move's arguments (reason, named arguments) or the deal itself.</summary>
    /// <param name="code">The guard's stable code.</param>
    /// <param name="predicate">A pure condition; <see langword="true"/> allows the move.</param>
    /// <param name="reason">Why the move is refused when the condition is false.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> When(string code, Func<TData, GuardContext, bool> predicate, string reason)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return AddGuard(code, reason, GuardPredicates.Of(code ?? "", predicate));
    }

    /// <summary>Adds a guard whose condition is data, not code: it reads members of the deal's data by path, and a JSON definition can hold it.</summary>
    /// <param name="code">The guard's stable code, for example <c>amount.minimum</c>.</param>
    /// <param name="condition">The condition, for example <c>GuardCondition.AtLeast("Amount", 1000)</c>.</param>
    /// <param name="reason">Why the move is refused when the condition does not hold.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> When(string code, GuardCondition condition, string reason)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(reason);
        return AddGuard(new GuardDefinition(code, reason, condition));
    }

    /// <summary>
    /// Makes the transitions declared last schedule the deal's next follow-up when they are accepted
    /// (for example a return visit due by customer grade).
    /// </summary>
    /// <param name="schedule">Returns the next follow-up time from the deal after the move and the time of the move; <see langword="null"/> clears it.</param>
    /// <param name="name">The rule's name, as the definition's JSON form refers to it; <see langword="null"/> for a generated one.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> SchedulesFollowUp(Func<TData, DateTimeOffset, DateTimeOffset?> schedule, string? name = null)
    {
        EnsureNotBuilt();
        ArgumentNullException.ThrowIfNull(schedule);
        if (_current.Count == 0)
        {
            throw new InvalidOperationException("SchedulesFollowUp has no transition: declare a Transition or InternalAction first.");
        }

        Func<DealFollowUpContext, DateTimeOffset?> followUp = ctx => schedule((TData)ctx.Deal.Data, ctx.Now);
        foreach (var draft in _current)
        {
            draft.FollowUp = followUp;
            draft.FollowUpName = name ?? $"follow-up:{draft.Trigger}:{draft.Declaration}";
        }

        return this;
    }

    /// <summary>Adds a hook run before every move is saved; throw to abort the move.</summary>
    /// <param name="hook">The hook.</param>
    /// <param name="name">The name reported when the hook fails.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> OnTransitioning(Action<TransitionContext> hook, string? name = null) =>
        AddHook(HookPhase.Transitioning, HookScope.Global, Wrap(hook), name);

    /// <summary>Adds an asynchronous hook run before every move is saved; throw to abort the move.</summary>
    /// <param name="hook">The hook.</param>
    /// <param name="name">The name reported when the hook fails.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> OnTransitioning(Func<TransitionContext, CancellationToken, ValueTask> hook, string? name = null) =>
        AddHook(HookPhase.Transitioning, HookScope.Global, hook, name);

    /// <summary>Adds a hook run before the moves of <paramref name="scope"/> are saved; throw to abort the move.</summary>
    /// <param name="scope">Which moves (a trigger, a stage entered or exited).</param>
    /// <param name="hook">The hook.</param>
    /// <param name="name">The name reported when the hook fails.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> OnTransitioning(HookScope scope, Action<TransitionContext> hook, string? name = null) =>
        AddHook(HookPhase.Transitioning, scope, Wrap(hook), name);

    /// <summary>Adds an asynchronous hook run before the moves of <paramref name="scope"/> are saved.</summary>
    /// <param name="scope">Which moves (a trigger, a stage entered or exited).</param>
    /// <param name="hook">The hook.</param>
    /// <param name="name">The name reported when the hook fails.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> OnTransitioning(HookScope scope, Func<TransitionContext, CancellationToken, ValueTask> hook, string? name = null) =>
        AddHook(HookPhase.Transitioning, scope, hook, name);

    /// <summary>Adds a hook run after every move is saved; a failure is reported, the move stays.</summary>
    /// <param name="hook">The hook.</param>
    /// <param name="name">The name reported when the hook fails.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> OnTransitioned(Action<TransitionContext> hook, string? name = null) =>
        AddHook(HookPhase.Transitioned, HookScope.Global, Wrap(hook), name);

    /// <summary>Adds an asynchronous hook run after every move is saved.</summary>
    /// <param name="hook">The hook.</param>
    /// <param name="name">The name reported when the hook fails.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> OnTransitioned(Func<TransitionContext, CancellationToken, ValueTask> hook, string? name = null) =>
        AddHook(HookPhase.Transitioned, HookScope.Global, hook, name);

    /// <summary>Adds a hook run after the moves of <paramref name="scope"/> are saved.</summary>
    /// <param name="scope">Which moves (a trigger, a stage entered or exited).</param>
    /// <param name="hook">The hook.</param>
    /// <param name="name">The name reported when the hook fails.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> OnTransitioned(HookScope scope, Action<TransitionContext> hook, string? name = null) =>
        AddHook(HookPhase.Transitioned, scope, Wrap(hook), name);

    /// <summary>Adds an asynchronous hook run after the moves of <paramref name="scope"/> are saved.</summary>
    /// <param name="scope">Which moves (a trigger, a stage entered or exited).</param>
    /// <param name="hook">The hook.</param>
    /// <param name="name">The name reported when the hook fails.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> OnTransitioned(HookScope scope, Func<TransitionContext, CancellationToken, ValueTask> hook, string? name = null) =>
        AddHook(HookPhase.Transitioned, scope, hook, name);

    /// <summary>Sets how deal data is written to and read from JSON (by database stores and to copy data before a change).</summary>
    /// <param name="options">The serializer options.</param>
    /// <value>The default is <see cref="JsonSerializerOptions.Default"/> settings.</value>
    /// <returns>This builder.</returns>
    public PipelineBuilder<TData> SerializeDataWith(JsonSerializerOptions options)
    {
        EnsureNotBuilt();
        _jsonOptions = options ?? throw new ArgumentNullException(nameof(options));
        return this;
    }

    /// <summary>Validates the definition and builds it.</summary>
    /// <returns>The immutable, thread-safe definition.</returns>
    /// <exception cref="PipelineDefinitionException">The definition is invalid; the exception lists every problem.</exception>
    /// <exception cref="InvalidOperationException">The builder was already built.</exception>
    public PipelineDefinition<TData> Build()
    {
        EnsureNotBuilt();
        _built = true;
        var parts = new PipelineParts
        {
            Id = _id,
            Version = _version,
            Name = _name,
            DataTypeName = typeof(TData) == typeof(JsonDealData) ? null : _dataTypeName,
            InitialStage = _initialStage,
            Stages = _stages,
            Transitions = _transitions,
            Hooks = _hooks,
            Permissions = _permissions,
            PersonalData = _personalData,
            Diagnostics = _problems,
        };
        var result = PipelineFactory.Create<TData>(parts, _jsonOptions ?? JsonSerializerOptions.Default);
        return result.Definition as PipelineDefinition<TData> ?? throw new PipelineDefinitionException(_id, result.Diagnostics);
    }

    /// <summary>Validates the definition without building it: every error and warning, as <see cref="Build"/> would find them.</summary>
    /// <returns>The diagnostics; empty when the definition is fine.</returns>
    public IReadOnlyList<PipelineDiagnostic> Validate()
    {
        EnsureNotBuilt();
        var parts = new PipelineParts
        {
            Id = _id,
            Version = _version,
            Name = _name,
            InitialStage = _initialStage,
            Stages = _stages,
            Transitions = _transitions,
            Hooks = _hooks,
            Permissions = _permissions,
            PersonalData = _personalData,
            Diagnostics = [.. _problems],
        };
        return PipelineFactory.Create<TData>(parts, _jsonOptions ?? JsonSerializerOptions.Default).Diagnostics;
    }

    private PipelineBuilder<TData> AddGuard(string code, string reason, Func<GuardContext, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(reason);
        return AddGuard(new GuardDefinition(code, reason, predicate));
    }

    private PipelineBuilder<TData> AddGuard(GuardDefinition guard)
    {
        EnsureNotBuilt();
        if (_current.Count == 0)
        {
            throw new InvalidOperationException($"When('{guard.Code}') has no transition to guard: declare a Transition, InternalAction or ReturnTransition first.");
        }

        foreach (var draft in _current)
        {
            draft.Guards.Add(guard);
        }

        return this;
    }

    private PipelineBuilder<TData> Declare(string trigger, IEnumerable<string> from, string? to, TransitionKind kind)
    {
        EnsureNotBuilt();
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentNullException.ThrowIfNull(from);
        _current = [];
        var declaration = _declarations++;
        var stages = from.ToList();
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            var draft = new TransitionDraft(trigger, stage ?? "", kind == TransitionKind.Internal ? stage : to, kind)
            {
                Declaration = declaration,
                Pointer = $"/transitions/{declaration}",
                FromPointer = stages.Count == 1 ? $"/transitions/{declaration}/from" : $"/transitions/{declaration}/from/{i}",
            };
            _transitions.Add(draft);
            _current.Add(draft);
        }

        if (_current.Count == 0)
        {
            _problems.Add(DiagnosticCodes.Error(DiagnosticCodes.NoFromStage, $"Trigger '{trigger}' is declared without any stage to start from.", $"/transitions/{declaration}/from"));
        }

        return this;
    }

    private PipelineBuilder<TData> AddHook(HookPhase phase, HookScope scope, Func<TransitionContext, CancellationToken, ValueTask> hook, string? name)
    {
        EnsureNotBuilt();
        ArgumentNullException.ThrowIfNull(hook);
        var scopeName = scope.Kind == HookScopeKind.Global ? "global" : $"{scope.Kind.ToString().ToLowerInvariant()}:{scope.Key}";
        _hooks.Add(new HookRegistration(name ?? $"{phase}[{scopeName}]#{_hooks.Count + 1}", phase, scope, hook) { Pointer = $"/hooks/{_hooks.Count}" });
        return this;
    }

    private static Func<TransitionContext, CancellationToken, ValueTask> Wrap(Action<TransitionContext> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return (context, _) =>
        {
            hook(context);
            return ValueTask.CompletedTask;
        };
    }

    private void EnsureNotBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException($"The builder of pipeline '{_id}' was already built; start a new builder with PipelineBuilder.Create.");
        }
    }
}

internal sealed class TransitionDraft(string trigger, string from, string? to, TransitionKind kind)
{
    public string Trigger { get; } = trigger;

    public string From { get; } = from;

    public string? To { get; } = to;

    public TransitionKind Kind { get; } = kind;

    public List<GuardDefinition> Guards { get; } = [];

    public Func<DealFollowUpContext, DateTimeOffset?>? FollowUp { get; set; }

    public string? FollowUpName { get; set; }

    public int Declaration { get; init; }

    public string Pointer { get; init; } = "";

    public string FromPointer { get; init; } = "";
}
