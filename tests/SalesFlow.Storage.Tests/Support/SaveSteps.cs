using SalesFlow.Storage.Relational;

namespace SalesFlow.Storage.Tests.Support;

/// <summary>Builds a store's save-step seam (<c>OnSaveStep</c>) that acts at one step only.</summary>
internal static class SaveSteps
{
    internal static Func<SaveStep, TConnection, CancellationToken, Task> At<TConnection>(SaveStep at, Func<TConnection, CancellationToken, Task> action) =>
        (step, connection, cancellationToken) => step == at ? action(connection, cancellationToken) : Task.CompletedTask;
}
