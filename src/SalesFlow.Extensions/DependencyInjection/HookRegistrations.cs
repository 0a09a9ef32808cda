namespace SalesFlow.DependencyInjection;

/// <summary>A hook instance added through the builder; it runs around every move.</summary>
internal sealed class HookInstanceRegistration(IDealHook hook)
{
    public IDealHook Hook { get; } = hook;
}

/// <summary>A hook type added through the builder; an instance is resolved from a new scope for every move.</summary>
internal interface IHookTypeRegistration
{
    Type HookType { get; }
}

/// <summary>One registration per hook type: <c>TryAddEnumerable</c> tells them apart by this generic type.</summary>
internal sealed class HookTypeRegistration<THook> : IHookTypeRegistration
    where THook : class, IDealHook
{
    public Type HookType => typeof(THook);
}
