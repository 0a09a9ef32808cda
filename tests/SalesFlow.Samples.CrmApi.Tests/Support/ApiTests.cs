namespace SalesFlow.Samples.CrmApi.Tests.Support;

/// <summary>The endpoint tests' ground: the app on its own temporary SQLite file, and a client for it.</summary>
public abstract class ApiTests : IAsyncLifetime
{
    protected CrmApiFactory Factory { get; } = new();

    protected HttpClient Client { get; private set; } = null!;

    public virtual Task InitializeAsync()
    {
        Client = Factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}
