using Microsoft.Extensions.Options;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Pipelines.Showroom;
using SalesFlow.Samples.CrmApi.Http;

namespace SalesFlow.Samples.CrmApi.Endpoints;

/// <summary>
/// <c>POST /api/import</c>: a CRM export (CSV, form part <c>file</c>) through a mapping (JSON, form part <c>mapping</c>, a file or
/// a text field; docs/import.md). Returns the counts and every rejected row with its line number. Importing again imports
/// nothing twice. The deals go to the caller's tenant (<see cref="CrmTenant"/>).
/// </summary>
internal static partial class ImportEndpoints
{
    public const long MaxUploadBytes = 50 * 1024 * 1024;

    public static RouteGroupBuilder MapImportEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/import", ImportAsync)
            .WithTags("Import")
            .WithName("ImportCsv")
            .WithSummary("Imports a CRM export (multipart: 'file' the CSV, 'mapping' the mapping JSON).")
            .Accepts<IFormFile>("multipart/form-data")
            .Produces<ImportResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .DisableAntiforgery();
        return api;
    }

    private static async Task<IResult> ImportAsync(HttpRequest request, CrmTenant tenant, IOptions<SalesFlowEngineOptions> engineOptions, ILoggerFactory loggers, CancellationToken ct)
    {
        var engine = tenant.Engine;
        if (!request.HasFormContentType)
        {
            return DealProblems.Invalid("body", "Send multipart/form-data with a 'file' part (the CSV) and a 'mapping' part (the mapping JSON).");
        }

        var form = await request.ReadFormAsync(ct);
        var errors = new Dictionary<string, string[]>();
        var csv = form.Files.GetFile("file");
        if (csv is null || csv.Length == 0)
        {
            errors["file"] = ["The 'file' part (the CSV export) is missing or empty."];
        }
        else if (csv.Length > MaxUploadBytes)
        {
            errors["file"] = [$"The CSV is larger than {MaxUploadBytes / (1024 * 1024)} MB."];
        }

        var mappingText = form.Files.GetFile("mapping") is { } mappingFile ? await ReadAsync(mappingFile, ct) : form["mapping"].ToString();
        ImportMapping? mapping = null;
        if (string.IsNullOrWhiteSpace(mappingText))
        {
            errors["mapping"] = ["The 'mapping' part (the mapping JSON, see docs/import.md) is missing."];
        }
        else
        {
            var loaded = ImportMapping.Load(mappingText);
            mapping = loaded.Mapping;
            if (mapping is null)
            {
                errors["mapping"] = [.. loaded.Diagnostics.Where(d => d.IsError).Select(d => d.ToString())];
            }
            else if (mapping.PipelineId is null)
            {
                errors["mapping"] = ["The mapping names no pipeline: add \"pipeline\"."];
            }
        }

        if (errors.Count > 0)
        {
            return DealProblems.Invalid(errors);
        }

        var pipeline = engine.Pipelines.Get(mapping!.PipelineId!);
        if (!TryDataFactory(pipeline, out var factory))
        {
            return DealProblems.Invalid("mapping", $"Pipeline '{pipeline.Id}' carries {pipeline.DataType.Name} data, which this endpoint cannot make.");
        }

        var importer = new CrmImporter(engine.Store, pipeline, mapping, new CrmImportOptions
        {
            DataFactory = factory,
            User = Caller.From(request.HttpContext).User,
            Authorizer = engineOptions.Value.Authorizer,
        });
        using var reader = new StreamReader(csv!.OpenReadStream());
        var result = await importer.ImportAsync(reader, ct);
        var logger = loggers.CreateLogger("SalesFlow.Samples.CrmApi.Import");
        Log.Imported(logger, pipeline.Id, result.RowsRead, result.DealsImported, result.DealsSkipped, result.Rejected.Count);
        return TypedResults.Ok(new ImportResponse(pipeline.Id, result.RowsRead, result.DealsImported, result.EventsImported, result.DealsSkipped, [.. result.Rejected.OrderBy(r => r.Line)]));
    }

    private static async Task<string> ReadAsync(IFormFile file, CancellationToken ct)
    {
        using var reader = new StreamReader(file.OpenReadStream());
        return await reader.ReadToEndAsync(ct);
    }

    // The built-in processes carry typed data: an imported deal starts with empty data of its type (JSON pipelines need none).
    private static bool TryDataFactory(PipelineDefinition pipeline, out Func<ImportedDeal, object>? factory)
    {
        factory = pipeline.DataType switch
        {
            var t when t == typeof(B2BDeal) => _ => new B2BDeal(),
            var t when t == typeof(ShowroomDeal) => _ => new ShowroomDeal(),
            var t when t == typeof(RetailDeal) => _ => new RetailDeal(),
            _ => null,
        };
        return factory is not null || pipeline.DataType == typeof(JsonDealData);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2100, Level = LogLevel.Information,
            Message = "Imported into {PipelineId}: {RowsRead} rows read, {DealsImported} deals imported, {DealsSkipped} skipped, {RejectedRows} rows rejected")]
        public static partial void Imported(ILogger logger, string pipelineId, long rowsRead, int dealsImported, int dealsSkipped, int rejectedRows);
    }
}
