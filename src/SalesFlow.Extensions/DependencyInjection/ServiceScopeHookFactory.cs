using Microsoft.Extensions.DependencyInjection;

namespace SalesFlow.DependencyInjection;

/// <summary>Resolves the hook types added through the builder from a new service scope for every move.</summary>
internal sealed class ServiceScopeHookFactory(IServiceScopeFactory scopes, Type[] hookTypes) : IDealHookScopeFactory
{
    public IDealHookScope CreateScope() => new Scope(scopes, hookTypes);

    private sealed class Scope(IServiceScopeFactory scopes, Type[] hookTypes) : IDealHookScope
    {
        private AsyncServiceScope? _scope;
        private IDealHook[]? _hooks;

        // Created on first use: a move refused before its hooks run never opens a scope.
        public IReadOnlyList<IDealHook> Hooks => _hooks ??= Resolve();

        public ValueTask DisposeAsync() => _scope is { } scope ? scope.DisposeAsync() : default;

        private IDealHook[] Resolve()
        {
            var scope = scopes.CreateAsyncScope();
            _scope = scope;
            var hooks = new IDealHook[hookTypes.Length];
            for (var i = 0; i < hookTypes.Length; i++)
            {
                hooks[i] = (IDealHook)scope.ServiceProvider.GetRequiredService(hookTypes[i]);
            }

            return hooks;
        }
    }
}
