using Microsoft.Extensions.Logging;

namespace SalesFlow;

/// <summary>The log messages of erasures and exports of personal data: ids and counts only, never a value.</summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 1050, EventName = "PersonalDataErased", Level = LogLevel.Information, Message = "Deal {DealId}: personal data erased ({MemberCount} data members, {EventCount} events redacted)")]
    public static partial void PersonalDataErased(ILogger logger, string dealId, int memberCount, int eventCount);

    [LoggerMessage(EventId = 1051, EventName = "PersonalDataExported", Level = LogLevel.Information, Message = "Deal {DealId}: personal data exported ({ValueCount} values, {EventCount} events)")]
    public static partial void PersonalDataExported(ILogger logger, string dealId, int valueCount, int eventCount);
}
