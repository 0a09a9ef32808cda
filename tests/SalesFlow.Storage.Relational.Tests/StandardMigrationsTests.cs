using SalesFlow.Storage.Relational.Tests.Support;

namespace SalesFlow.Storage.Relational.Tests;

public sealed class StandardMigrationsTests
{
    [Fact]
    public async Task BackfillStageEnteredSequence_History_TakesTheLatestEventThatEnteredTheCurrentStage()
    {
        await using var connection = await Fixtures.OpenMemoryAsync();
        await connection.ExecuteAsync(
            "CREATE TABLE deals (id TEXT, stage_id TEXT, stage_entered_sequence INTEGER NOT NULL DEFAULT 0);" +
            "CREATE TABLE events (deal_id TEXT, sequence INTEGER, kind TEXT, from_stage TEXT, to_stage TEXT);" +
            "INSERT INTO deals (id, stage_id) VALUES ('moved', 'b'), ('back', 'a'), ('started', 'a'), ('internal', 'b');" +
            "INSERT INTO events VALUES ('moved', 1, 'Started', NULL, 'a'), ('moved', 2, 'Transition', 'a', 'b'), ('moved', 3, 'Activity', 'b', 'b');" +
            "INSERT INTO events VALUES ('back', 1, 'Started', NULL, 'a'), ('back', 2, 'Transition', 'a', 'b'), ('back', 3, 'Transition', 'b', 'a');" +
            "INSERT INTO events VALUES ('started', 1, 'Started', NULL, 'a');" +
            "INSERT INTO events VALUES ('internal', 1, 'Started', NULL, 'a'), ('internal', 2, 'Transition', 'a', 'b'), ('internal', 3, 'Transition', 'b', 'b');");

        await connection.ExecuteAsync(StandardMigrations.BackfillStageEnteredSequence("deals", "deals", "events"));

        (await connection.ScalarAsync("SELECT group_concat(id || '=' || stage_entered_sequence, ',') FROM (SELECT * FROM deals ORDER BY id)"))
            .Should().Be("back=3,internal=2,moved=2,started=1");
    }
}
