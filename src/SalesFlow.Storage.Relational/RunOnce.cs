namespace SalesFlow.Storage.Relational;

/// <summary>
/// Runs asynchronous work (a store's schema migration) once per store object, however many callers arrive at the
/// same time; a run that fails is tried again by the next caller.
/// </summary>
public sealed class RunOnce : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _done;

    /// <summary>Gets a value indicating whether the work has run to completion.</summary>
    public bool Done => _done;

    /// <summary>Runs the work unless it has completed before; callers that arrive meanwhile wait for the running one.</summary>
    /// <param name="work">The work.</param>
    /// <param name="cancellationToken">Cancels the wait (and is passed to the work).</param>
    /// <returns>A task that completes when the work has completed once.</returns>
    public async ValueTask RunAsync(Func<CancellationToken, ValueTask> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
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

    /// <summary>Releases the gate.</summary>
    public void Dispose() => _gate.Dispose();
}
