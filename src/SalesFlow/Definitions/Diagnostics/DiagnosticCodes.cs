namespace SalesFlow;

/// <summary>The stable codes of <see cref="PipelineDiagnostic"/>s; docs/pipelines-json.md lists them with what to do.</summary>
internal static class DiagnosticCodes
{
    // SF0xxx: the file itself.
    public const string MalformedJson = "SF0001";
    public const string SchemaViolation = "SF0002";
    public const string UnsupportedFormat = "SF0003";

    // SF1xxx: the structure of the process.
    public const string EmptyPipelineId = "SF1001";
    public const string BadVersion = "SF1002";
    public const string EmptyStageId = "SF1003";
    public const string EmptyStageName = "SF1004";
    public const string ProbabilityOutOfRange = "SF1005";
    public const string IdleThresholdNotPositive = "SF1006";
    public const string EmptyChecklistId = "SF1007";
    public const string DuplicateChecklistId = "SF1008";
    public const string EmptyChecklistText = "SF1009";
    public const string DuplicateStageId = "SF1010";
    public const string NoInitialStage = "SF1011";
    public const string UnknownInitialStage = "SF1012";
    public const string InitialStageNotOpen = "SF1013";
    public const string NoWonStage = "SF1014";
    public const string NoLostStage = "SF1015";
    public const string EmptyTrigger = "SF1016";
    public const string UnknownFromStage = "SF1017";
    public const string UnknownToStage = "SF1018";
    public const string EmptyGuardCode = "SF1019";
    public const string DuplicateGuard = "SF1020";
    public const string EmptyGuardReason = "SF1021";
    public const string AmbiguousAlternatives = "SF1022";
    public const string UnreachableStage = "SF1023";
    public const string NoWayOut = "SF1024";
    public const string HookUnknownTrigger = "SF1025";
    public const string HookUnknownStage = "SF1026";
    public const string NoFromStage = "SF1027";
    public const string CannotReachWon = "SF1028";
    public const string CannotReachEnd = "SF1029";
    public const string MutableData = "SF1030";
    public const string PermissionBadRole = "SF1031";

    // SF2xxx: names the definition refers to.
    public const string UnknownGuard = "SF2001";
    public const string GuardForOtherData = "SF2002";
    public const string UnknownHook = "SF2003";
    public const string UnknownFollowUp = "SF2004";
    public const string UnknownDataType = "SF2005";
    public const string UnknownDataPath = "SF2006";
    public const string FollowUpForOtherData = "SF2007";
    public const string PermissionUnknownTrigger = "SF2008";
    public const string PermissionUnknownStage = "SF2009";

    // SF3xxx: warnings.
    public const string NoGuidance = "SF3001";
    public const string ProbabilityFalls = "SF3002";

    public static PipelineDiagnostic Error(string code, string message, string pointer) =>
        new(DiagnosticSeverity.Error, code, message, new DiagnosticLocation(pointer));

    public static PipelineDiagnostic Warning(string code, string message, string pointer) =>
        new(DiagnosticSeverity.Warning, code, message, new DiagnosticLocation(pointer));
}
