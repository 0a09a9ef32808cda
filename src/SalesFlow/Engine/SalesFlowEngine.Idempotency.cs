namespace SalesFlow;

// Idempotency keys (issue 13 §5): a request repeated with the key of an accepted one returns that outcome and writes
// nothing. The key is saved with the event the request wrote, unique per deal, so it is remembered atomically with the
// write; refusals write nothing and are not remembered. Each path looks the key up before it decides, and again after
// a conflict (its retry loop comes back here), which is how a repeat racing the first request finds it.
public sealed partial class SalesFlowEngine
{
    private async ValueTask<Deal?> RepeatedStartAsync(string dealId, StartRequest request, CancellationToken cancellationToken)
    {
        if (request.IdempotencyKey is not { } key
            || await _store.FindByIdempotencyKeyAsync(dealId, key, cancellationToken).ConfigureAwait(false) is not { } first)
        {
            return null;
        }

        EnsureSameRequest(first, DealEventKind.Started, null, "StartRequest");
        return await _store.GetAsync(dealId, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<FireResult?> RepeatedFireAsync(Deal deal, string trigger, FireRequest request, int attempt, CancellationToken cancellationToken)
    {
        if (request.IdempotencyKey is not { } key
            || await _store.FindByIdempotencyKeyAsync(deal.Id, key, cancellationToken).ConfigureAwait(false) is not { } first)
        {
            return null;
        }

        EnsureSameRequest(first, DealEventKind.Transition, trigger, "FireRequest");
        return FireResult.ForRepeat(trigger, deal, first, attempt);
    }

    private async ValueTask<bool> IsRepeatedActivityAsync(Deal deal, string activity, ActivityRequest request, CancellationToken cancellationToken)
    {
        if (request.IdempotencyKey is not { } key
            || await _store.FindByIdempotencyKeyAsync(deal.Id, key, cancellationToken).ConfigureAwait(false) is not { } first)
        {
            return false;
        }

        EnsureSameRequest(first, DealEventKind.Activity, activity, "ActivityRequest");
        return true;
    }

    // A key names one request: the same key sent with another kind of write or another trigger is a caller's mistake.
    private static void EnsureSameRequest(DealEvent first, DealEventKind kind, string? name, string request)
    {
        var firstName = kind == DealEventKind.Activity ? first.Activity : first.Trigger;
        if (first.Kind != kind || (name is not null && !string.Equals(firstName, name, StringComparison.Ordinal)))
        {
            throw new ArgumentException(
                $"{request}.IdempotencyKey was already used on deal '{first.DealId}' by another request (event {first.Sequence}, "
                + $"{first.Kind}{(firstName is null ? "" : " " + firstName)}). Use a new key for a new request.",
                nameof(request));
        }
    }
}
