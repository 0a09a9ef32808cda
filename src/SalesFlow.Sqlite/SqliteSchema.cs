using SalesFlow.Storage.Relational;

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

        // 2: the sequence of the event that entered the current stage.
        "ALTER TABLE salesflow_deals ADD COLUMN stage_entered_sequence INTEGER NOT NULL DEFAULT 0;\n" +
        StandardMigrations.BackfillStageEnteredSequence("salesflow_deals", "salesflow_deals", "salesflow_deal_events") + ";",

        // 3: the event feed. Events get a position in commit order: SQLite has one writer at a time, so insertion order is
        // commit order, and a new row id is one above the largest (events are never deleted, so none is reused; without
        // AUTOINCREMENT no counter table is written on every insert). Existing events keep the order they were written in.
        """
        CREATE TABLE salesflow_deal_events_v3 (
            position    INTEGER PRIMARY KEY,
            deal_id     TEXT    NOT NULL REFERENCES salesflow_deals (id),
            sequence    INTEGER NOT NULL,
            kind        TEXT    NOT NULL,
            occurred_at INTEGER NOT NULL,
            actor       TEXT    NOT NULL,
            trigger     TEXT    NULL,
            from_stage  TEXT    NULL,
            to_stage    TEXT    NOT NULL,
            payload     TEXT    NOT NULL,
            UNIQUE (deal_id, sequence)
        );
        INSERT INTO salesflow_deal_events_v3 (deal_id, sequence, kind, occurred_at, actor, trigger, from_stage, to_stage, payload)
            SELECT deal_id, sequence, kind, occurred_at, actor, trigger, from_stage, to_stage, payload FROM salesflow_deal_events ORDER BY rowid;
        DROP TABLE salesflow_deal_events;
        ALTER TABLE salesflow_deal_events_v3 RENAME TO salesflow_deal_events;
        CREATE TABLE salesflow_feed_handlers (
            name              TEXT    NOT NULL PRIMARY KEY,
            checkpoint_commit INTEGER NOT NULL DEFAULT 0,
            checkpoint_offset INTEGER NOT NULL DEFAULT 0,
            lease_owner       TEXT    NULL,
            lease_expires_at  INTEGER NULL
        );
        """,

        // 4: idempotency keys, unique per deal.
        StandardMigrations.AddEventIdempotencyKey("salesflow_deal_events", "ux_salesflow_deal_events_idempotency_key"),

        // 5: tenants. Every key starts with the tenant; what was stored belongs to the default tenant. SQLite cannot change
        // a primary key in place, so each table is rebuilt: the old ones are renamed away (a rename carries the foreign key
        // of the old events to the old deals with it), the new ones created and filled, the old ones dropped, children
        // first. Events keep their feed positions. The renames are legacy ones: a modern rename would also point a host's
        // views on these tables at the old ones, which are dropped.
        """
        PRAGMA legacy_alter_table = ON;
        ALTER TABLE salesflow_deal_events RENAME TO salesflow_deal_events_v4;
        ALTER TABLE salesflow_deals RENAME TO salesflow_deals_v4;
        ALTER TABLE salesflow_feed_handlers RENAME TO salesflow_feed_handlers_v4;
        PRAGMA legacy_alter_table = OFF;
        CREATE TABLE salesflow_deals (
            tenant_id              TEXT    NOT NULL,
            id                     TEXT    NOT NULL,
            pipeline_id            TEXT    NOT NULL,
            pipeline_version       INTEGER NOT NULL,
            stage_id               TEXT    NOT NULL,
            previous_stage_id      TEXT    NULL,
            version                INTEGER NOT NULL,
            last_sequence          INTEGER NOT NULL,
            created_at             INTEGER NOT NULL,
            updated_at             INTEGER NOT NULL,
            stage_entered_at       INTEGER NOT NULL,
            last_activity_at       INTEGER NOT NULL,
            owner                  TEXT    NULL,
            amount                 TEXT    NULL,
            outcome                TEXT    NOT NULL,
            outcome_reason         TEXT    NULL,
            next_follow_up_at      INTEGER NULL,
            checklist              TEXT    NOT NULL,
            data                   TEXT    NOT NULL,
            stage_entered_sequence INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (tenant_id, id)
        );
        INSERT INTO salesflow_deals (tenant_id, id, pipeline_id, pipeline_version, stage_id, previous_stage_id, version, last_sequence, created_at, updated_at,
                stage_entered_at, last_activity_at, owner, amount, outcome, outcome_reason, next_follow_up_at, checklist, data, stage_entered_sequence)
            SELECT 'default', id, pipeline_id, pipeline_version, stage_id, previous_stage_id, version, last_sequence, created_at, updated_at,
                stage_entered_at, last_activity_at, owner, amount, outcome, outcome_reason, next_follow_up_at, checklist, data, stage_entered_sequence
            FROM salesflow_deals_v4;
        CREATE TABLE salesflow_deal_events (
            position        INTEGER PRIMARY KEY,
            tenant_id       TEXT    NOT NULL,
            deal_id         TEXT    NOT NULL,
            sequence        INTEGER NOT NULL,
            kind            TEXT    NOT NULL,
            occurred_at     INTEGER NOT NULL,
            actor           TEXT    NOT NULL,
            trigger         TEXT    NULL,
            from_stage      TEXT    NULL,
            to_stage        TEXT    NOT NULL,
            payload         TEXT    NOT NULL,
            idempotency_key TEXT    NULL,
            UNIQUE (tenant_id, deal_id, sequence),
            FOREIGN KEY (tenant_id, deal_id) REFERENCES salesflow_deals (tenant_id, id)
        );
        INSERT INTO salesflow_deal_events (position, tenant_id, deal_id, sequence, kind, occurred_at, actor, trigger, from_stage, to_stage, payload, idempotency_key)
            SELECT position, 'default', deal_id, sequence, kind, occurred_at, actor, trigger, from_stage, to_stage, payload, idempotency_key
            FROM salesflow_deal_events_v4 ORDER BY position;
        CREATE TABLE salesflow_feed_handlers (
            tenant_id         TEXT    NOT NULL,
            name              TEXT    NOT NULL,
            checkpoint_commit INTEGER NOT NULL DEFAULT 0,
            checkpoint_offset INTEGER NOT NULL DEFAULT 0,
            lease_owner       TEXT    NULL,
            lease_expires_at  INTEGER NULL,
            PRIMARY KEY (tenant_id, name)
        );
        INSERT INTO salesflow_feed_handlers (tenant_id, name, checkpoint_commit, checkpoint_offset, lease_owner, lease_expires_at)
            SELECT 'default', name, checkpoint_commit, checkpoint_offset, lease_owner, lease_expires_at FROM salesflow_feed_handlers_v4;
        DROP TABLE salesflow_feed_handlers_v4;
        DROP TABLE salesflow_deal_events_v4;
        DROP TABLE salesflow_deals_v4;
        CREATE INDEX ix_salesflow_deals_pipeline_stage ON salesflow_deals (tenant_id, pipeline_id, stage_id, id);
        CREATE INDEX ix_salesflow_deals_follow_up ON salesflow_deals (tenant_id, next_follow_up_at) WHERE next_follow_up_at IS NOT NULL;
        CREATE INDEX ix_salesflow_deals_last_activity ON salesflow_deals (tenant_id, last_activity_at);
        CREATE INDEX ix_salesflow_deals_owner ON salesflow_deals (tenant_id, owner) WHERE owner IS NOT NULL;
        CREATE INDEX ix_salesflow_deal_events_feed ON salesflow_deal_events (tenant_id, position);
        CREATE UNIQUE INDEX ux_salesflow_deal_events_idempotency_key ON salesflow_deal_events (tenant_id, deal_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
        """,
    ];

    public static SchemaMigrator Migrator { get; } = new(
        SqliteDialect.Instance,
        VersionTable,
        "CREATE TABLE IF NOT EXISTS " + VersionTable + " (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL)",
        Migrations,
        "SalesFlow.Sqlite",
        "INSERT INTO " + VersionTable + " (version, applied_at) VALUES ($version, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");

    public static int CurrentVersion => Migrations.Length;
}
