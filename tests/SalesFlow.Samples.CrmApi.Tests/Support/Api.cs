using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using SalesFlow.Pipelines;

namespace SalesFlow.Samples.CrmApi.Tests.Support;

/// <summary>Small helpers over the API, so the tests read as the requests they make.</summary>
public static class Api
{
    public static async Task<HttpResponseMessage> StartAsync(this HttpClient client, string dealId, string pipelineId = SalesPipelines.RetailFloorId, object? extra = null)
    {
        var body = new JsonObject { ["pipelineId"] = pipelineId, ["dealId"] = dealId };
        if (extra is not null)
        {
            foreach (var (key, value) in JsonSerializer.SerializeToNode(extra)!.AsObject())
            {
                body[key] = value?.DeepClone();
            }
        }

        var response = await client.PostAsJsonAsync("/api/deals", body);
        return response;
    }

    public static async Task<HttpResponseMessage> FireAsync(this HttpClient client, string dealId, object body, string? ifMatch = null, string? role = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/deals/{dealId}/fire") { Content = JsonContent.Create(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (role is not null)
        {
            request.Headers.Add("X-Role", role);
        }

        return await client.SendAsync(request);
    }

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    public static async Task<JsonArray> JsonArrayAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();

    public static string? ETag(this HttpResponseMessage response) => response.Headers.ETag?.ToString();

    public static MediaTypeHeaderValue? ContentType(this HttpResponseMessage response) => response.Content.Headers.ContentType;
}
