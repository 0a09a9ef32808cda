using Microsoft.Net.Http.Headers;

namespace SalesFlow.Samples.CrmApi.Http;

/// <summary>
/// The deal's concurrency version as a strong ETag (<c>"7"</c>), and the <c>If-Match</c> precondition a write can carry.
/// A stale <c>If-Match</c> is refused with 412 Precondition Failed and nothing is saved; <c>If-Match: *</c> or no header
/// writes to whatever version is current.
/// </summary>
internal static class DealETag
{
    private const string ItemKey = "SalesFlow.IfMatch";

    public static string For(Deal deal) => For(deal.Version);

    public static string For(long version) => "\"" + version.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"";

    public static void Set(HttpResponse response, Deal deal) => response.Headers.ETag = For(deal);

    /// <summary>Reads <c>If-Match</c>: <see langword="null"/> when there is none or it is <c>*</c>; the versions it names otherwise.</summary>
    /// <returns><see langword="false"/> when the header is malformed.</returns>
    public static bool TryReadIfMatch(HttpRequest request, out IfMatch? ifMatch)
    {
        ifMatch = null;
        var values = request.Headers.IfMatch;
        if (values.Count == 0)
        {
            return true;
        }

        if (!EntityTagHeaderValue.TryParseList(values, out var tags) || tags.Count == 0)
        {
            return false;
        }

        if (tags.Any(t => t.Equals(EntityTagHeaderValue.Any)))
        {
            return true;
        }

        // If-Match compares strongly (RFC 9110 13.1.1): a weak tag never matches, and neither does a tag that is not a version.
        var versions = tags.Where(t => !t.IsWeak)
            .Select(t => long.TryParse(t.Tag.AsSpan().Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1)
            .Where(v => v >= 0)
            .ToHashSet();
        ifMatch = new IfMatch(values.ToString(), versions);
        return true;
    }

    /// <summary>Keeps the precondition on the request, where <see cref="IfMatchHook"/> checks it again inside the write.</summary>
    public static void Require(HttpContext context, IfMatch? ifMatch)
    {
        if (ifMatch is not null)
        {
            context.Items[ItemKey] = ifMatch;
        }
    }

    public static IfMatch? Required(HttpContext? context) => context?.Items[ItemKey] as IfMatch;
}

/// <summary>The versions an <c>If-Match</c> header accepts.</summary>
internal sealed record IfMatch(string Header, IReadOnlySet<long> Versions)
{
    public bool Matches(long version) => Versions.Contains(version);
}

/// <summary>The deal changed since the caller read it: its version no longer matches the caller's <c>If-Match</c>.</summary>
internal sealed class StaleDealVersionException(string dealId, long currentVersion)
    : Exception($"Deal '{dealId}' is at version {currentVersion}, which the request's If-Match does not name; nothing was saved. Read the deal again.")
{
    public string DealId { get; } = dealId;

    public long CurrentVersion { get; } = currentVersion;
}

/// <summary>
/// Checks a request's <c>If-Match</c> inside the write itself, before the save: the endpoint checks it first, and this hook
/// closes the gap between that read and the save (a conflict retry runs it again on the fresh deal, which then fails it).
/// Writes that do not come from an HTTP request carrying <c>If-Match</c> pass.
/// </summary>
internal sealed class IfMatchHook(IHttpContextAccessor http) : IDealHook
{
    public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken)
    {
        if (context.Before is { } before && DealETag.Required(http.HttpContext) is { } ifMatch && !ifMatch.Matches(before.Version))
        {
            throw new StaleDealVersionException(before.Id, before.Version);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
