using Microsoft.Extensions.Logging;

namespace SalesFlow;

/// <summary>
/// The engine's log messages, with fixed event ids. They carry ids, stage and trigger names and guard
/// codes only, never deal data or notes, so no personal data reaches the logs.
/// </summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 1000, EventName = "DealStarted", Level = LogLevel.Information, Message = "Deal {DealId} started on pipeline {PipelineId} v{PipelineVersion} in stage {Stage}")]
    public static partial void DealStarted(ILogger logger, string dealId, string pipelineId, int pipelineVersion, string stage);

    [LoggerMessage(EventId = 1001, EventName = "MoveAccepted", Level = LogLevel.Information, Message = "Deal {DealId} moved by {Trigger} from {FromStage} to {ToStage} (pipeline {PipelineId})")]
    public static partial void MoveAccepted(ILogger logger, string dealId, string trigger, string fromStage, string toStage, string pipelineId);

    [LoggerMessage(EventId = 1002, EventName = "MoveRejected", Level = LogLevel.Information, Message = "Deal {DealId}: {Trigger} refused in stage {Stage}; unmet guards: {GuardCodes}")]
    public static partial void MoveRejected(ILogger logger, string dealId, string trigger, string stage, string guardCodes);

    [LoggerMessage(EventId = 1003, EventName = "MoveNotPermitted", Level = LogLevel.Information, Message = "Deal {DealId}: {Trigger} is not a move from stage {Stage}")]
    public static partial void MoveNotPermitted(ILogger logger, string dealId, string trigger, string stage);

    [LoggerMessage(EventId = 1004, EventName = "MoveConflict", Level = LogLevel.Warning, Message = "Deal {DealId}: {Trigger} gave up after {Retries} concurrency retries")]
    public static partial void MoveConflict(ILogger logger, string dealId, string trigger, int retries);

    [LoggerMessage(EventId = 1005, EventName = "MoveAborted", Level = LogLevel.Warning, Message = "Deal {DealId}: {Trigger} aborted by hook {HookName}; nothing was saved")]
    public static partial void MoveAborted(ILogger logger, Exception exception, string dealId, string trigger, string hookName);

    [LoggerMessage(EventId = 1006, EventName = "HookFailed", Level = LogLevel.Error, Message = "Deal {DealId}: hook {HookName} failed after {Trigger} was saved; the move stays")]
    public static partial void HookFailed(ILogger logger, Exception exception, string dealId, string trigger, string hookName);

    [LoggerMessage(EventId = 1007, EventName = "MoveOverridden", Level = LogLevel.Warning, Message = "Deal {DealId}: {Trigger} forced by {Actor} past guards {GuardCodes}")]
    public static partial void MoveOverridden(ILogger logger, string dealId, string trigger, string actor, string guardCodes);

    [LoggerMessage(EventId = 1008, EventName = "ActivityRecorded", Level = LogLevel.Information, Message = "Deal {DealId}: activity {Activity} recorded in stage {Stage} (pipeline {PipelineId})")]
    public static partial void ActivityRecorded(ILogger logger, string dealId, string activity, string stage, string pipelineId);

    [LoggerMessage(EventId = 1009, EventName = "DealMigrated", Level = LogLevel.Information, Message = "Deal {DealId} migrated from pipeline {PipelineId} v{FromVersion} stage {FromStage} to v{ToVersion} stage {ToStage}")]
    public static partial void DealMigrated(ILogger logger, string dealId, string pipelineId, int fromVersion, string fromStage, int toVersion, string toStage);

    [LoggerMessage(EventId = 1010, EventName = "MigrationApplied", Level = LogLevel.Information, Message = "Migration of pipeline {PipelineId} v{FromVersion} to v{ToVersion}: {Migrated} migrated, {AlreadyMigrated} already migrated, {Unmapped} unmapped, {UnmetGuards} skipped for unmet guards, {Failed} failed")]
    public static partial void MigrationApplied(ILogger logger, string pipelineId, int fromVersion, int toVersion, int migrated, int alreadyMigrated, int unmapped, int unmetGuards, int failed);

    // The reason is left out: a host's authorizer writes it, and the log must not depend on it holding no personal data.
    [LoggerMessage(EventId = 1011, EventName = "Forbidden", Level = LogLevel.Information, Message = "Deal {DealId}: {Action} {Name} forbidden in stage {Stage}")]
    public static partial void Forbidden(ILogger logger, string dealId, DealAction action, string name, string stage);
}
