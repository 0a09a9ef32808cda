namespace SalesFlow;

/// <summary>
/// Cancellation tokens for after-save hooks that fire once their timeout has passed, shared between the writes that
/// start within one slot of time, so a write does not pay for a timer of its own. A token handed out at time t is
/// cancelled between t + timeout and t + timeout + slot, where a slot is an eighth of the timeout (at least 1 ms).
/// </summary>
internal sealed class AfterSaveDeadline(TimeSpan timeout)
{
    private readonly long _timeoutMs = Math.Max(1, (long)timeout.TotalMilliseconds);
    private readonly long _slotMs = Math.Max(1, (long)timeout.TotalMilliseconds / 8);
    private Slot? _current;

    /// <summary>Gets a token cancelled once the timeout has passed from now.</summary>
    public CancellationToken Token
    {
        get
        {
            var now = Environment.TickCount64;
            var slot = now / _slotMs;
            var current = Volatile.Read(ref _current);
            if (current is not null && current.Number == slot)
            {
                return current.Source.Token;
            }

            // The source of a slot fires at the slot's end plus the timeout: never before now + timeout.
            var fresh = new Slot(slot, new CancellationTokenSource(TimeSpan.FromMilliseconds(((slot + 1) * _slotMs) - now + _timeoutMs)));
            var raced = Interlocked.CompareExchange(ref _current, fresh, current);
            if (raced != current && raced is not null && raced.Number == slot)
            {
                fresh.Source.Dispose();
                return raced.Source.Token;
            }

            return fresh.Source.Token;
        }
    }

    private sealed record Slot(long Number, CancellationTokenSource Source);
}
