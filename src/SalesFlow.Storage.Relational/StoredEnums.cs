namespace SalesFlow.Storage.Relational;

// Enums are stored by name, so the tables read well in SQL and survive a reordering of enum members.
internal static class StoredEnums
{
    public static string ToText(StageKind kind) => kind switch
    {
        StageKind.Open => "Open",
        StageKind.Won => "Won",
        StageKind.Lost => "Lost",
        StageKind.Closed => "Closed",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown stage kind."),
    };

    public static string ToText(DealEventKind kind) => kind switch
    {
        DealEventKind.Started => "Started",
        DealEventKind.Transition => "Transition",
        DealEventKind.Activity => "Activity",
        DealEventKind.Migrated => "Migrated",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown event kind."),
    };

    public static StageKind ParseStageKind(string text) => text switch
    {
        "Open" => StageKind.Open,
        "Won" => StageKind.Won,
        "Lost" => StageKind.Lost,
        "Closed" => StageKind.Closed,
        _ => throw new InvalidDataException($"The stored stage kind '{text}' is unknown."),
    };

    public static DealEventKind ParseEventKind(string text) => text switch
    {
        "Started" => DealEventKind.Started,
        "Transition" => DealEventKind.Transition,
        "Activity" => DealEventKind.Activity,
        "Migrated" => DealEventKind.Migrated,
        _ => throw new InvalidDataException($"The stored event kind '{text}' is unknown."),
    };
}
