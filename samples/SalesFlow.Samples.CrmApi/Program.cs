using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using SalesFlow.Samples.CrmApi.Endpoints;
using SalesFlow.Samples.CrmApi.Hosting;
using SalesFlow.Samples.CrmApi.Http;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddCrmSalesFlow(builder.Configuration, builder.Environment);
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<SalesFlowExceptionHandler>();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();

app.MapOpenApi();
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync });

app.MapGroup("/api")
    .RequireAuthorization()
    .RequireTenant()
    .MapPipelineEndpoints()
    .MapDealEndpoints()
    .MapReportEndpoints()
    .MapImportEndpoints();

await app.RunAsync();
