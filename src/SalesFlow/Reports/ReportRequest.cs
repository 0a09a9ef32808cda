namespace SalesFlow;

/// <summary>What one report call covers: a pipeline, the version whose stages the report lists, and a time window.</summary>
public sealed record ReportRequest
{
    /// <summary>Creates an empty request; set every required member.</summary>
    public ReportRequest()
    {
    }

    /// <summary>Creates a request for a pipeline and a window.</summary>
    /// <param name="pipelineId">The pipeline's id.</param>
    /// <param name="window">The time window.</param>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public ReportRequest(string pipelineId, ReportWindow window)
    {
        PipelineId = pipelineId;
        Window = window;
    }

    /// <summary>Gets the id of the pipeline whose deals the report reads (deals on every version of it).</summary>
    public required string PipelineId { get; init; }

    /// <summary>Gets the time window.</summary>
    public required ReportWindow Window { get; init; }

    /// <summary>
    /// Gets the pipeline version whose stages (ids, names, order, kinds) the report lists, or <see langword="null"/> for the
    /// highest registered version. Deals on other versions are read too; their stages are matched by id.
    /// </summary>
    public int? PipelineVersion { get; init; }

    /// <summary>Checks a request and finds the version whose stages the report lists (what every report does first).</summary>
    /// <param name="request">The request.</param>
    /// <param name="pipelines">The registry holding the pipeline.</param>
    /// <returns><see cref="PipelineVersion"/>'s definition, or the highest registered version's.</returns>
    /// <exception cref="ArgumentException">The request has no pipeline id or no window.</exception>
    /// <exception cref="PipelineNotFoundException">The pipeline or version is not registered.</exception>
    public static PipelineDefinition ReportedVersion(ReportRequest request, PipelineRegistry pipelines)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(pipelines);
        if (string.IsNullOrWhiteSpace(request.PipelineId))
        {
            throw new ArgumentException("ReportRequest.PipelineId is required.", nameof(request));
        }

        if (request.Window is null)
        {
            throw new ArgumentException("ReportRequest.Window is required.", nameof(request));
        }

        return request.PipelineVersion is { } v ? pipelines.Get(request.PipelineId, v) : pipelines.Get(request.PipelineId);
    }
}
