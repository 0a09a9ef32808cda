namespace SalesFlow.Storage.Relational.Tests;

public sealed class RunOnceTests
{
    [Fact]
    public async Task RunAsync_ManyCallersAtOnce_RunTheWorkOnce()
    {
        using var once = new RunOnce();
        var runs = 0;

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () => await once.RunAsync(
            async ct =>
            {
                Interlocked.Increment(ref runs);
                await Task.Delay(50, ct);
            },
            CancellationToken.None))));

        runs.Should().Be(1);
        once.Done.Should().BeTrue();
    }

    [Fact]
    public async Task RunAsync_FailedRun_IsTriedAgainByTheNextCaller()
    {
        using var once = new RunOnce();
        var runs = 0;
        ValueTask Work(CancellationToken ct) => ++runs == 1 ? throw new InvalidOperationException("first fails") : ValueTask.CompletedTask;

        var first = async () => await once.RunAsync(Work, CancellationToken.None);
        await first.Should().ThrowAsync<InvalidOperationException>();
        await once.RunAsync(Work, CancellationToken.None);

        runs.Should().Be(2);
        once.Done.Should().BeTrue();
    }
}
