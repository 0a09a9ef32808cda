using System.Globalization;

namespace SalesFlow.Testing;

/// <summary>
/// Runs test paths against a real <see cref="SalesFlowEngine"/>: for each path it starts a deal, and for each step it
/// satisfies the step's guards (with the registered <see cref="GuardSatisfiers"/>; required checklist items are completed
/// by the harness), refuses the alternatives the step must not take, fires the trigger, and checks that the move is
/// accepted and lands in the planned stage with the planned previous stage.
/// </summary>
/// <typeparam name="TData">The pipeline's data type.</typeparam>
/// <example>
/// <code>
/// var satisfiers = new GuardSatisfiers()
///     .AddData&lt;RenewalData&gt;("contract.signed", d =&gt; d with { Signed = true })
///     .AddRequest("lost.reason", r =&gt; r with { Reason = "No budget" });
/// var report = await new TestPathHarness&lt;RenewalData&gt;(pipeline, new RenewalData(), satisfiers).RunAsync();
/// </code>
/// </example>
public sealed class TestPathHarness<TData>
    where TData : class
{
    private const string ChecklistGuardPrefix = "checklist.";

    // Required checklist items: the harness completes them through the engine's activity API.
    private static readonly GuardSatisfier ChecklistSatisfier = GuardSatisfier.Create(
        async (context, ct) => await context.Engine.CompleteChecklistItemAsync(context.DealId, ChecklistItemId(context.Guard), context.Actor, ct).ConfigureAwait(false));

    private readonly TData _initialData;
    private readonly TestPathHarnessOptions _options;

    /// <summary>Initializes a new instance of the <see cref="TestPathHarness{TData}"/> class.</summary>
    /// <param name="pipeline">The pipeline to run paths of.</param>
    /// <param name="initialData">The data every path's deal starts with (immutable; shared by the deals).</param>
    /// <param name="satisfiers">The satisfiers of the pipeline's guards.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults (an in-memory store).</param>
    /// <exception cref="ArgumentException">The options' actor is blank.</exception>
    public TestPathHarness(PipelineDefinition<TData> pipeline, TData initialData, GuardSatisfiers satisfiers, TestPathHarnessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(initialData);
        ArgumentNullException.ThrowIfNull(satisfiers);
        options ??= new TestPathHarnessOptions();
        if (string.IsNullOrWhiteSpace(options.Actor))
        {
            throw new ArgumentException("The harness needs an actor: set TestPathHarnessOptions.Actor to a user or system id.", nameof(options));
        }

        Pipeline = pipeline;
        Satisfiers = satisfiers;
        _initialData = initialData;
        _options = options;
    }

    /// <summary>Gets the pipeline the paths run on.</summary>
    public PipelineDefinition<TData> Pipeline { get; }

    /// <summary>Gets the satisfiers of the pipeline's guards.</summary>
    public GuardSatisfiers Satisfiers { get; }

    /// <summary>
    /// Lists every satisfier the plan needs and does not have: guards of its steps without one (checklist guards excepted),
    /// and alternatives to refuse with no guard that a satisfier can make unmet (or that is a checklist guard).
    /// </summary>
    /// <param name="plan">The plan.</param>
    /// <returns>The missing satisfiers; empty when the plan can run.</returns>
    /// <exception cref="ArgumentException">The plan is for another pipeline.</exception>
    public IReadOnlyList<MissingGuardSatisfier> FindMissingSatisfiers(TestPathPlan plan)
    {
        CheckPlan(plan);
        var missing = new Dictionary<string, (List<GuardDefinition> Guards, bool Refuse, List<string> Steps)>(StringComparer.Ordinal);
        foreach (var path in plan.Paths)
        {
            foreach (var step in path.Steps)
            {
                var where = $"path {path.Number}, step {step.Number} ({step.Trigger}: {step.From} -> {step.To})";
                foreach (var guard in step.Guards.Where(g => Resolve(g) is null))
                {
                    Add(guard.Code, [guard], refuse: false, where);
                }

                foreach (var alternative in step.PrecedingAlternatives.Where(a => !a.GuardsToLeaveUnmet.Any(CanLeaveUnmet)))
                {
                    Add("refuse " + string.Join(",", alternative.GuardsToLeaveUnmet.Select(g => g.Code)), [.. alternative.GuardsToLeaveUnmet], refuse: true, where);
                }
            }
        }

        return [.. missing.Values.Select(m => new MissingGuardSatisfier(m.Guards, m.Refuse, m.Steps))];

        void Add(string key, List<GuardDefinition> guards, bool refuse, string where)
        {
            if (!missing.TryGetValue(key, out var entry))
            {
                missing[key] = entry = (guards, refuse, []);
            }

            entry.Steps.Add(where);
        }
    }

    /// <summary>Generates the pipeline's test paths (<see cref="TestPathGenerator.Generate"/>) and runs them.</summary>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What was run.</returns>
    /// <exception cref="GuardSatisfiersMissingException">Guards on the paths have no satisfier; nothing was run.</exception>
    /// <exception cref="TestPathFailedException">A step was refused or landed elsewhere than planned.</exception>
    public ValueTask<TestPathRunReport> RunAsync(CancellationToken cancellationToken = default) =>
        RunAsync(TestPathGenerator.Generate(Pipeline), cancellationToken);

    /// <summary>Runs the paths of a plan, each on a new deal, and checks every step.</summary>
    /// <param name="plan">The plan, generated for <see cref="Pipeline"/>.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What was run.</returns>
    /// <exception cref="ArgumentException">The plan is for another pipeline.</exception>
    /// <exception cref="GuardSatisfiersMissingException">Guards on the paths have no satisfier; nothing was run.</exception>
    /// <exception cref="TestPathFailedException">A step was refused or landed elsewhere than planned.</exception>
    public async ValueTask<TestPathRunReport> RunAsync(TestPathPlan plan, CancellationToken cancellationToken = default)
    {
        if (FindMissingSatisfiers(plan) is { Count: > 0 } missing)
        {
            throw new GuardSatisfiersMissingException(Pipeline, missing);
        }

        var engine = CreateEngine(plan);
        var prefix = _options.DealIdPrefix ?? $"test-path-{Guid.NewGuid().ToString("N")[..8]}-";
        var dealIds = new List<string>(plan.Paths.Count);
        var fired = new SortedSet<int>();
        var steps = 0;
        foreach (var path in plan.Paths)
        {
            var dealId = prefix + path.Number.ToString(CultureInfo.InvariantCulture);
            dealIds.Add(dealId);
            await engine.StartAsync(Pipeline.Id, dealId, _initialData, new StartRequest(_options.Actor) { PipelineVersion = Pipeline.Version }, cancellationToken)
                .ConfigureAwait(false);
            foreach (var step in path.Steps)
            {
                await RunStepAsync(engine, path, step, dealId, cancellationToken).ConfigureAwait(false);
                fired.Add(step.TransitionIndex);
                steps++;
            }
        }

        return new TestPathRunReport(plan, engine, dealIds, steps, [.. fired.Select(i => Pipeline.Transitions[i])]);
    }

    private async ValueTask RunStepAsync(SalesFlowEngine engine, TestPath path, TestPathStep step, string dealId, CancellationToken cancellationToken)
    {
        var before = await engine.GetAsync(dealId, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(before.StageId, step.From, StringComparison.Ordinal) || !string.Equals(before.PreviousStageId, step.PreviousStage, StringComparison.Ordinal))
        {
            throw Fail(path, step, dealId, null, [], $"the deal is in '{before.StageId}' (previous '{before.PreviousStageId}') before the step, not in '{step.From}' (previous '{step.PreviousStage}'); a satisfier moved it.");
        }

        var request = new GuardSatisfierContext.StepRequest(new FireRequest(_options.Actor));
        var overrides = new HashSet<string>(StringComparer.Ordinal);
        foreach (var guard in step.Guards)
        {
            var satisfier = Resolve(guard)!;
            if (satisfier.IsOverride)
            {
                overrides.Add(guard.Code);
            }

            await satisfier.SatisfyAsync(Context(engine, path, step, dealId, guard, request), cancellationToken).ConfigureAwait(false);
        }

        foreach (var alternative in step.PrecedingAlternatives)
        {
            await RefuseAsync(engine, path, step, dealId, alternative, request, cancellationToken).ConfigureAwait(false);
        }

        var result = await engine.FireAsync(dealId, step.Trigger, request.Value, cancellationToken).ConfigureAwait(false);
        if (!result.Accepted)
        {
            var why = result.Status switch
            {
                FireStatus.Forbidden => $"the move was forbidden: {result.ForbiddenReason}.",
                FireStatus.Rejected => "the move was rejected; the satisfiers of these guards did not make them met.",
                FireStatus.NotPermitted => $"the trigger is not permitted from '{result.Deal.StageId}' (permitted: {string.Join(", ", result.PermittedTriggers)}).",
                FireStatus.Aborted => $"hook '{result.FailedHook?.HookName}' aborted the move: {result.FailedHook?.Exception.Message}",
                _ => $"the move ended {result.Status}.",
            };
            throw Fail(path, step, dealId, result.Status, result.UnmetGuards, why);
        }

        var expectedPrevious = step.Kind == TransitionKind.Internal ? step.PreviousStage : step.From;
        if (!string.Equals(result.Deal.StageId, step.To, StringComparison.Ordinal) || !string.Equals(result.Deal.PreviousStageId, expectedPrevious, StringComparison.Ordinal))
        {
            throw Fail(path, step, dealId, result.Status, [], $"the move was accepted but the deal is in '{result.Deal.StageId}' (previous '{result.Deal.PreviousStageId}'), "
                + $"not in '{step.To}' (previous '{expectedPrevious}'): another transition of the trigger was taken, refuse it by leaving one of its own guards unmet.");
        }

        if (result.UnmetGuards.Where(g => !overrides.Contains(g.Code)).ToList() is { Count: > 0 } bypassed)
        {
            throw Fail(path, step, dealId, result.Status, bypassed, "the move was accepted only by an override that also bypassed guards without an override satisfier.");
        }
    }

    private async ValueTask RefuseAsync(
        SalesFlowEngine engine, TestPath path, TestPathStep step, string dealId, TestPathAlternative alternative, GuardSatisfierContext.StepRequest request, CancellationToken cancellationToken)
    {
        foreach (var guard in alternative.GuardsToLeaveUnmet)
        {
            if (Resolve(guard) is { CanViolate: true } satisfier)
            {
                await satisfier.ViolateAsync(Context(engine, path, step, dealId, guard, request), cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        // Otherwise a required checklist item not done yet refuses it (items cannot be undone once completed).
        var deal = await engine.GetAsync(dealId, cancellationToken).ConfigureAwait(false);
        if (!alternative.GuardsToLeaveUnmet.Any(g => g.IsChecklistGuard && !deal.CompletedChecklistItems.Contains(ChecklistItemId(g))))
        {
            throw Fail(path, step, dealId, null, [], $"the alternative '{alternative.Transition}' cannot be refused: its checklist items are done and no satisfier can make "
                + $"one of [{string.Join(", ", alternative.GuardsToLeaveUnmet.Select(g => g.Code))}] unmet.");
        }
    }

    private GuardSatisfierContext Context(SalesFlowEngine engine, TestPath path, TestPathStep step, string dealId, GuardDefinition guard, GuardSatisfierContext.StepRequest request) =>
        new(engine, Pipeline, dealId, _options.Actor, path, step, guard, request);

    private GuardSatisfier? Resolve(GuardDefinition guard) =>
        Satisfiers.Find(guard) ?? (guard.IsChecklistGuard ? ChecklistSatisfier : null);

    private bool CanLeaveUnmet(GuardDefinition guard) => guard.IsChecklistGuard || Resolve(guard) is { CanViolate: true };

    private SalesFlowEngine CreateEngine(TestPathPlan plan)
    {
        var engineOptions = new SalesFlowEngineOptions();
        _options.ConfigureEngine?.Invoke(engineOptions);
        if (plan.Paths.SelectMany(p => p.Steps).SelectMany(s => s.Guards).Any(g => Resolve(g)?.IsOverride == true))
        {
            engineOptions.OverrideActors.Add(_options.Actor);
        }

        return new SalesFlowEngine(new PipelineRegistry(Pipeline), _options.Store ?? new InMemoryDealStore(engineOptions.TimeProvider), engineOptions);
    }

    private void CheckPlan(TestPathPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!ReferenceEquals(plan.Pipeline, Pipeline))
        {
            throw new ArgumentException($"The plan is for {plan.Pipeline}, not for {Pipeline}: generate it from the harness's pipeline.", nameof(plan));
        }
    }

    private static TestPathFailedException Fail(TestPath path, TestPathStep step, string dealId, FireStatus? status, IReadOnlyList<UnmetGuard> unmet, string problem) =>
        new(path, step, dealId, status, unmet, problem);

    private static string ChecklistItemId(GuardDefinition guard) => guard.Code[ChecklistGuardPrefix.Length..];
}
