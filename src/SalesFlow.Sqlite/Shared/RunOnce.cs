namespace SalesFlow.Storage.Internal;

// Shared by the SQLite and PostgreSQL stores (compiled into both): runs asynchronous work (the schema migration)
// once per store object, however many callers arrive at the same time; a failed run is tried again by the next.
internal sealed class RunOnce : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _done;

    public bool Done => _done;

    public async ValueTask RunAsync(Func<CancellationToken, ValueTask> work, CancellationToken cancellationToken)
    {
        if (_done)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_done)
            {
                await work(cancellationToken).ConfigureAwait(false);
                _done = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
