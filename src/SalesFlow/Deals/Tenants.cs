namespace SalesFlow;

/// <summary>
/// Tenants: the companies one SalesFlow store serves. Every deal belongs to one; a store object (and the engine over
/// it) reads and writes one tenant's deals, events, reports and event feed, so an id that exists in another tenant is
/// simply not found. A host that serves one company never names a tenant: everything is in <see cref="Default"/>.
/// </summary>
/// <remarks>
/// Get a tenant's store with <see cref="IDealStore.ForTenant"/> and its engine with
/// <see cref="SalesFlowEngine.ForTenant"/>, on the store (or engine) the host created; a tenant's store cannot open
/// another tenant's.
/// </remarks>
public static class Tenants
{
    /// <summary>The tenant of a host that serves one company, and of every deal stored before tenants existed.</summary>
    public const string Default = "default";

    /// <summary>The longest tenant id, in characters.</summary>
    public const int MaxIdLength = 64;
}
