namespace SalesFlow.Benchmarks;

public static class ThroughputHarness
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(0);
}
