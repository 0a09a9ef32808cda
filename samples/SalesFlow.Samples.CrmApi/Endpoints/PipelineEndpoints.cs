using SalesFlow.Samples.CrmApi.Http;

namespace SalesFlow.Samples.CrmApi.Endpoints;

/// <summary><c>/api/pipelines</c>: the registered pipelines, one as its JSON definition, its graph.</summary>
internal static class PipelineEndpoints
{
    public static RouteGroupBuilder MapPipelineEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/pipelines").WithTags("Pipelines");

        group.MapGet("/", (PipelineRegistry pipelines) =>
                TypedResults.Ok(pipelines.All.GroupBy(p => p.Id).Select(g => g.MaxBy(p => p.Version)!).OrderBy(p => p.Id, StringComparer.Ordinal).Select(PipelineSummary.Of).ToArray()))
            .WithName("ListPipelines")
            .WithSummary("The registered pipelines (latest version of each), stages in order.");

        group.MapGet("/{pipelineId}", (string pipelineId, int? version, PipelineRegistry pipelines) =>
                Results.Text(PipelineJson.Export(Get(pipelines, pipelineId, version)), "application/json"))
            .WithName("GetPipelineDefinition")
            .WithSummary("The pipeline's definition as JSON (the pipelines-json format).")
            .Produces<string>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{pipelineId}/graph", (string pipelineId, int? version, string? format, PipelineRegistry pipelines) =>
            {
                if (format is not (null or "mermaid" or "dot"))
                {
                    return DealProblems.Invalid("format", $"format must be mermaid or dot, not '{format}'.");
                }

                var pipeline = Get(pipelines, pipelineId, version);
                return format == "dot" ? Results.Text(pipeline.ToDot(), "text/vnd.graphviz") : Results.Text(pipeline.ToMermaid(), "text/plain");
            })
            .WithName("GetPipelineGraph")
            .WithSummary("The pipeline's stage graph as Mermaid (default) or Graphviz DOT text.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain", "text/vnd.graphviz")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return api;
    }

    private static PipelineDefinition Get(PipelineRegistry pipelines, string pipelineId, int? version) =>
        version is { } v ? pipelines.Get(pipelineId, v) : pipelines.Get(pipelineId);
}
