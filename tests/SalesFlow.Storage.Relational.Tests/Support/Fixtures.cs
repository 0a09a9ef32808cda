using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace SalesFlow.Storage.Relational.Tests.Support;

/// <summary>The portable dialect as a store author would start from it: every default kept.</summary>
public sealed class PortableDialect() : RelationalDialect('$')
{
    public static PortableDialect Instance { get; } = new();
}

public sealed record TestData
{
    public string? Customer { get; init; }

    public int Counter { get; init; }
}

public static class Fixtures
{
    public const string PipelineId = "relational-tests";

    public static readonly DateTimeOffset T0 = new(2025, 3, 14, 9, 26, 53, 589, TimeSpan.FromHours(2));

    public static PipelineRegistry Pipelines() => new(
        PipelineBuilder.Create<TestData>(PipelineId, version: 1)
            .Stage("open", s => s.Name("Open"))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("win", from: "open", to: "won")
            .Transition("lose", from: "open", to: "lost")
            .Build());

    public static Deal Deal(string id, string? owner = null) => new()
    {
        Id = id,
        PipelineId = PipelineId,
        PipelineVersion = 1,
        StageId = "open",
        Version = 1,
        LastSequence = 1,
        CreatedAt = T0,
        UpdatedAt = T0.AddMinutes(1),
        StageEnteredAt = T0.AddMinutes(2),
        StageEnteredSequence = 1,
        LastActivityAt = T0.AddMinutes(3),
        Owner = owner,
        Amount = 1200.50m,
        NextFollowUpAt = T0.AddDays(1),
        CompletedChecklistItems = ["b", "a"],
        Data = new TestData { Customer = "c-" + id, Counter = 2 },
    };

    public static DealEvent Started(Deal deal) => new()
    {
        DealId = deal.Id,
        Sequence = 1,
        Kind = DealEventKind.Started,
        Timestamp = deal.CreatedAt,
        Actor = "alice",
        ToStage = deal.StageId,
        Note = "hello",
        OverriddenGuards = ["g1"],
    };

    /// <summary>A reader over rows of the given columns, as a database would return them.</summary>
    public static DbDataReader Reader(IReadOnlyList<StoredColumn> columns, params object?[][] rows)
    {
        var table = new DataTable();
        for (var i = 0; i < columns.Count; i++)
        {
            var type = rows.Select(r => r[i]).FirstOrDefault(v => v is not null)?.GetType() ?? typeof(string);
            table.Columns.Add(columns[i].Name, type);
        }

        foreach (var row in rows)
        {
            table.Rows.Add(row.Select(v => v ?? DBNull.Value).ToArray());
        }

        return table.CreateDataReader();
    }

    public static async Task<SqliteConnection> OpenMemoryAsync()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        return connection;
    }

    public static async Task ExecuteAsync(this SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<object?> ScalarAsync(this SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
