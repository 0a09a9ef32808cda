using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SalesFlow.Samples.CrmApi.Hosting;

/// <summary>Writes <c>/health</c> as JSON: the overall status and each check's (the store's among them).</summary>
internal static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(
            context.Response.Body,
            new
            {
                status = report.Status.ToString(),
                checks = report.Entries.ToDictionary(
                    e => e.Key,
                    e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
            },
            cancellationToken: context.RequestAborted);
    }
}
