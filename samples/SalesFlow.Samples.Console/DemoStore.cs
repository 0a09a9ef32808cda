namespace SalesFlow.Samples.Console;

/// <summary>The one place the sample creates its deal store; the demo itself only sees <see cref="IDealStore"/>.</summary>
internal static class DemoStore
{
    public static IDealStore Create() => new InMemoryDealStore();
}
