using Microsoft.Extensions.Logging;

namespace SalesFlow.DependencyInjection;

/// <summary>Log messages of the dependency-injection integration (event ids 1100+); ids and type names only.</summary>
internal static partial class SalesFlowHostingLog
{
    [LoggerMessage(EventId = 1100, EventName = "EngineCreated", Level = LogLevel.Information, Message = "SalesFlow engine created: pipelines {PipelineIds}, store {StoreType}, {HookTypeCount} hook types per move")]
    public static partial void EngineCreated(ILogger logger, string pipelineIds, string storeType, int hookTypeCount);
}
