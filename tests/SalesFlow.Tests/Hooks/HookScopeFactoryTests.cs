using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Hooks;

/// <summary>The engine's per-move hook scope (<see cref="IDealHookScopeFactory"/>), used by dependency injection.</summary>
public class HookScopeFactoryTests
{
    [Fact]
    public async Task FireAsync_WithScopeFactory_OneScopePerWriteRunAfterEngineHooksAndDisposed()
    {
        var order = new List<string>();
        var factory = new RecordingScopeFactory(order);
        var test = new TestEngine(configure: o =>
        {
            o.Hooks.Add(new NamedHook("engine", order));
            o.HookScopeFactory = factory;
        });
        await test.StartReadyAsync();
        factory.Scopes.Should().HaveCount(2, "the start and the checklist activity each had their scope").And.OnlyContain(s => s.Disposed);
        factory.Scopes.Clear();
        order.Clear();

        (await test.FireAsync("advance")).EnsureAccepted();
        (await test.FireAsync("lose", reason: "budget cut")).EnsureAccepted();

        factory.Scopes.Should().HaveCount(2);
        factory.Scopes.Should().OnlyContain(s => s.Disposed);
        order.Should().Equal(
            "engine:transitioning", "scope1:transitioning", "engine:transitioned", "scope1:transitioned",
            "engine:transitioning", "scope2:transitioning", "engine:transitioned", "scope2:transitioned");
    }

    [Fact]
    public async Task FireAsync_RefusedMove_CreatesNoScope()
    {
        var factory = new RecordingScopeFactory([]);
        var test = new TestEngine(configure: o => o.HookScopeFactory = factory);
        await test.StartAsync();
        factory.Scopes.Clear();

        var result = await test.FireAsync("advance");

        result.Status.Should().Be(FireStatus.Rejected);
        factory.Scopes.Should().BeEmpty("a scope is created for a write that reaches its hooks, not for a refusal");
    }

    [Fact]
    public async Task FireAsync_ScopeHookThrowsBeforeSave_AbortsAndSavesNothing()
    {
        var factory = new RecordingScopeFactory([], throwBeforeSave: true);
        var test = new TestEngine(configure: o => o.HookScopeFactory = factory);
        await test.StartReadyAsync();
        factory.Scopes.Clear();

        var result = await test.FireAsync("advance");

        result.Status.Should().Be(FireStatus.Aborted);
        (await test.Engine.GetAsync("deal-1")).StageId.Should().Be("open");
        factory.Scopes.Should().ContainSingle().Which.Disposed.Should().BeTrue();
    }

    private sealed class NamedHook(string name, List<string> order, bool throwBeforeSave = false) : IDealHook
    {
        public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken)
        {
            order.Add(name + ":transitioning");
            return throwBeforeSave && context.Kind == DealEventKind.Transition ? throw new InvalidOperationException("no") : ValueTask.CompletedTask;
        }

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken)
        {
            order.Add(name + ":transitioned");
            return ValueTask.CompletedTask;
        }
    }

    private sealed class RecordingScopeFactory(List<string> order, bool throwBeforeSave = false) : IDealHookScopeFactory
    {
        public List<RecordingScope> Scopes { get; } = [];

        public IDealHookScope CreateScope()
        {
            var scope = new RecordingScope(new NamedHook("scope" + (Scopes.Count + 1), order, throwBeforeSave));
            Scopes.Add(scope);
            return scope;
        }
    }

    private sealed class RecordingScope(IDealHook hook) : IDealHookScope
    {
        public bool HooksRead { get; private set; }

        public bool Disposed { get; private set; }

        public IReadOnlyList<IDealHook> Hooks
        {
            get
            {
                HooksRead = true;
                return [hook];
            }
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
