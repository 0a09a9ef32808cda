namespace SalesFlow.Sqlite;

// The store's schema as ordered migrations: migration n brings a database from version n-1 to n.
internal static class SqliteSchema
{
    public const string VersionTable = "salesflow_schema_version";

    public static readonly string[] Migrations =
    [
        // 1: deals and their events.
        """
        CREATE TABLE salesflow_deals (
            id                TEXT    NOT NULL PRIMARY KEY,
            pipeline_id       TEXT    NOT NULL,
            pipeline_version  INTEGER NOT NULL,
            stage_id          TEXT    NOT NULL,
            previous_stage_id TEXT    NULL,
            version           INTEGER NOT NULL,
            last_sequence     INTEGER NOT NULL,
            created_at        INTEGER NOT NULL,
            updated_at        INTEGER NOT NULL,
            stage_entered_at  INTEGER NOT NULL,
            last_activity_at  INTEGER NOT NULL,
            owner             TEXT    NULL,
            amount            TEXT    NULL,
            outcome           TEXT    NOT NULL,
            outcome_reason    TEXT    NULL,
            next_follow_up_at INTEGER NULL,
            checklist         TEXT    NOT NULL,
            data              TEXT    NOT NULL
        );
        CREATE INDEX ix_salesflow_deals_pipeline_stage ON salesflow_deals (pipeline_id, stage_id, id);
        CREATE INDEX ix_salesflow_deals_follow_up ON salesflow_deals (next_follow_up_at) WHERE next_follow_up_at IS NOT NULL;
        CREATE INDEX ix_salesflow_deals_last_activity ON salesflow_deals (last_activity_at);
        CREATE INDEX ix_salesflow_deals_owner ON salesflow_deals (owner) WHERE owner IS NOT NULL;
        CREATE TABLE salesflow_deal_events (
            deal_id     TEXT    NOT NULL REFERENCES salesflow_deals (id),
            sequence    INTEGER NOT NULL,
            kind        TEXT    NOT NULL,
            occurred_at INTEGER NOT NULL,
            actor       TEXT    NOT NULL,
            trigger     TEXT    NULL,
            from_stage  TEXT    NULL,
            to_stage    TEXT    NOT NULL,
            payload     TEXT    NOT NULL,
            PRIMARY KEY (deal_id, sequence)
        );
        """,
    ];

    public static int CurrentVersion => Migrations.Length;
}
