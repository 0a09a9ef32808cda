using System.Text.RegularExpressions;
using SalesFlow.Storage.Relational;

namespace SalesFlow.PostgreSql;

// The store's SQL: schema migrations (migration n brings a schema from version n-1 to n) and the statements,
// all built once for one validated schema name.
internal sealed partial class PostgreSqlSchema
{
    // The writing transaction's id as a bigint: xid8 has no direct cast.
    private const string CurrentTransaction = "pg_current_xact_id()::text::bigint";

    private static readonly string[] MigrationTemplates =
    [
        // 1: deals and their events. Ids use the "C" collation so ORDER BY and keyset paging compare bytes.
        """
        CREATE TABLE {s}.deals (
            id                text COLLATE "C" NOT NULL PRIMARY KEY,
            pipeline_id       text COLLATE "C" NOT NULL,
            pipeline_version  integer          NOT NULL,
            stage_id          text COLLATE "C" NOT NULL,
            previous_stage_id text             NULL,
            version           bigint           NOT NULL,
            last_sequence     bigint           NOT NULL,
            created_at        timestamptz      NOT NULL,
            updated_at        timestamptz      NOT NULL,
            stage_entered_at  timestamptz      NOT NULL,
            last_activity_at  timestamptz      NOT NULL,
            owner             text             NULL,
            amount            numeric          NULL,
            outcome           text             NOT NULL,
            outcome_reason    text             NULL,
            next_follow_up_at timestamptz      NULL,
            checklist         text[]           NOT NULL,
            data              jsonb            NOT NULL
        );
        CREATE INDEX ix_deals_pipeline_stage ON {s}.deals (pipeline_id, stage_id, id);
        CREATE INDEX ix_deals_follow_up ON {s}.deals (next_follow_up_at) WHERE next_follow_up_at IS NOT NULL;
        CREATE INDEX ix_deals_last_activity ON {s}.deals (last_activity_at);
        CREATE INDEX ix_deals_owner ON {s}.deals (owner) WHERE owner IS NOT NULL;
        CREATE TABLE {s}.deal_events (
            deal_id     text COLLATE "C" NOT NULL REFERENCES {s}.deals (id),
            sequence    bigint           NOT NULL,
            kind        text             NOT NULL,
            occurred_at timestamptz      NOT NULL,
            actor       text             NOT NULL,
            trigger     text             NULL,
            from_stage  text             NULL,
            to_stage    text             NOT NULL,
            payload     jsonb            NOT NULL,
            PRIMARY KEY (deal_id, sequence)
        );
        """,

        // 2: the sequence of the event that entered the current stage.
        "ALTER TABLE {s}.deals ADD COLUMN stage_entered_sequence bigint NOT NULL DEFAULT 0;\n" +
        StandardMigrations.BackfillStageEnteredSequence("{s}.deals", "deals", "{s}.deal_events") + ";",

        // 3: the event feed. Every event keeps the id of the transaction that wrote it (existing ones: this migration's)
        // and a row id; the feed reads in (tx, id) order, only transactions older than every running one.
        """
        ALTER TABLE {s}.deal_events
            ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY,
            ADD COLUMN tx bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
        CREATE INDEX ix_deal_events_feed ON {s}.deal_events (tx, id);
        CREATE TABLE {s}.feed_handlers (
            name              text COLLATE "C" NOT NULL PRIMARY KEY,
            checkpoint_commit bigint           NOT NULL DEFAULT 0,
            checkpoint_offset bigint           NOT NULL DEFAULT 0,
            lease_owner       text             NULL,
            lease_expires_at  timestamptz      NULL
        );
        """,

        // 4: idempotency keys, unique per deal.
        StandardMigrations.AddEventIdempotencyKey("{s}.deal_events", "ux_deal_events_idempotency_key"),

        // 5: tenants. Every key and index starts with the tenant; what was stored belongs to the default tenant. The
        // column's default only fills the existing rows: every statement names the tenant.
        """
        ALTER TABLE {s}.deal_events DROP CONSTRAINT deal_events_deal_id_fkey;
        ALTER TABLE {s}.deal_events DROP CONSTRAINT deal_events_pkey;
        ALTER TABLE {s}.deals DROP CONSTRAINT deals_pkey;
        ALTER TABLE {s}.feed_handlers DROP CONSTRAINT feed_handlers_pkey;
        ALTER TABLE {s}.deals ADD COLUMN tenant_id text COLLATE "C" NOT NULL DEFAULT 'default';
        ALTER TABLE {s}.deal_events ADD COLUMN tenant_id text COLLATE "C" NOT NULL DEFAULT 'default';
        ALTER TABLE {s}.feed_handlers ADD COLUMN tenant_id text COLLATE "C" NOT NULL DEFAULT 'default';
        ALTER TABLE {s}.deals ALTER COLUMN tenant_id DROP DEFAULT;
        ALTER TABLE {s}.deal_events ALTER COLUMN tenant_id DROP DEFAULT;
        ALTER TABLE {s}.feed_handlers ALTER COLUMN tenant_id DROP DEFAULT;
        ALTER TABLE {s}.deals ADD PRIMARY KEY (tenant_id, id);
        ALTER TABLE {s}.deal_events ADD PRIMARY KEY (tenant_id, deal_id, sequence);
        ALTER TABLE {s}.deal_events ADD FOREIGN KEY (tenant_id, deal_id) REFERENCES {s}.deals (tenant_id, id);
        ALTER TABLE {s}.feed_handlers ADD PRIMARY KEY (tenant_id, name);
        DROP INDEX {s}.ix_deals_pipeline_stage;
        DROP INDEX {s}.ix_deals_follow_up;
        DROP INDEX {s}.ix_deals_last_activity;
        DROP INDEX {s}.ix_deals_owner;
        DROP INDEX {s}.ix_deal_events_feed;
        DROP INDEX {s}.ux_deal_events_idempotency_key;
        CREATE INDEX ix_deals_pipeline_stage ON {s}.deals (tenant_id, pipeline_id, stage_id, id);
        CREATE INDEX ix_deals_follow_up ON {s}.deals (tenant_id, next_follow_up_at) WHERE next_follow_up_at IS NOT NULL;
        CREATE INDEX ix_deals_last_activity ON {s}.deals (tenant_id, last_activity_at);
        CREATE INDEX ix_deals_owner ON {s}.deals (tenant_id, owner) WHERE owner IS NOT NULL;
        CREATE INDEX ix_deal_events_feed ON {s}.deal_events (tenant_id, tx, id);
        CREATE UNIQUE INDEX ux_deal_events_idempotency_key ON {s}.deal_events (tenant_id, deal_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
        """,
    ];

    public PostgreSqlSchema(string schema)
    {
        if (schema is null || !IdentifierPattern().IsMatch(schema))
        {
            throw new ArgumentException(
                "PostgreSqlDealStoreOptions.Schema must be a plain identifier: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters.",
                nameof(schema));
        }

        var d = PostgreSqlDialect.Instance;
        Name = schema;
        var s = "\"" + schema + "\"";
        CreateSchema = "CREATE SCHEMA IF NOT EXISTS " + s;
        Migrator = new SchemaMigrator(
            d,
            s + ".schema_version",
            "CREATE TABLE IF NOT EXISTS " + s + ".schema_version (version integer NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            [.. MigrationTemplates.Select(m => m.Replace("{s}", s, StringComparison.Ordinal))],
            "SalesFlow.PostgreSql");
        DealsTable = s + ".deals";
        SelectDeal = "SELECT " + DealColumns.List + " FROM " + DealsTable + " WHERE tenant_id = @tenant_id AND id = @id";

        // The events of a save as one array parameter per column between deal_id and tenant_id (named like the column),
        // unnested into rows; the deal's id and tenant come from the deal row written.
        var eventColumns = EventColumns.All.Skip(1).SkipLast(1).Select(c => c.Name).ToArray();
        var insertEvents = "INSERT INTO " + s + ".deal_events (" + EventColumns.List + ") " +
            "SELECT changed.id, " + string.Join(", ", eventColumns.Select(c => "e." + c)) + ", changed.tenant_id FROM changed CROSS JOIN " +
            "unnest(" + string.Join(", ", eventColumns.Select(d.Parameter)) + ") AS e (" + string.Join(", ", eventColumns) + ")";

        // One statement per deal: the deal row change and its events, or nothing when the row did not qualify.
        CreateDealWithEvents =
            "WITH changed AS (INSERT INTO " + s + ".deals (" + DealColumns.List + ") VALUES (" + DealColumns.ParameterList(d) + ")" +
            " ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id, tenant_id) " + insertEvents;

        // The update also refuses when the deal's last event was written by a younger transaction than this one (only
        // possible in a save of several deals, whose transaction id was taken earlier): the feed reads in transaction
        // order, so the events of one deal must be written in it too. The caller retries in a new transaction.
        UpdateDealWithEvents =
            "WITH changed AS (UPDATE " + s + ".deals SET " + DealColumns.Assignments(d) +
            " WHERE tenant_id = @tenant_id AND id = @id AND version = @expected_version AND last_sequence = @previous_sequence" +
            " AND NOT EXISTS (SELECT 1 FROM " + s + ".deal_events p WHERE p.tenant_id = @tenant_id AND p.deal_id = @id AND p.sequence = @previous_sequence AND p.tx > " + CurrentTransaction + ")" +
            " RETURNING id, tenant_id) " + insertEvents;
        TakeTransactionId = "SELECT " + CurrentTransaction;
        SelectEvents =
            "SELECT " + EventColumns.List + " FROM " + s + ".deal_events WHERE tenant_id = @tenant_id AND deal_id = @deal_id AND sequence > @after ORDER BY sequence LIMIT @limit";
        ReadFeed =
            "SELECT e.tx, e.id, d.pipeline_id, " + EventColumns.Qualified("e") + " FROM " + s + ".deal_events e JOIN " + s + ".deals d ON d.tenant_id = e.tenant_id AND d.id = e.deal_id " +
            "WHERE e.tenant_id = @tenant_id AND (e.tx, e.id) > (@commit, @offset) AND e.tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint ORDER BY e.tx, e.id LIMIT @limit";
        SelectEventByKey =
            "SELECT " + EventColumns.List + " FROM " + s + ".deal_events WHERE tenant_id = @tenant_id AND deal_id = @deal_id AND idempotency_key = @idempotency_key";
        SelectExistingIds = "SELECT id FROM " + s + ".deals WHERE tenant_id = @tenant_id AND id = ANY(@ids)";
        CopyDeals = "COPY " + s + ".deals (" + DealColumns.List + ") FROM STDIN (FORMAT BINARY)";
        CopyEvents = "COPY " + s + ".deal_events (" + EventColumns.List + ") FROM STDIN (FORMAT BINARY)";
        Handlers = new FeedHandlerTable(d, s + ".feed_handlers", "now()", "now() + @lease_ms * interval '1 millisecond'");
        SelectVersion = "SELECT max(version) FROM " + s + ".schema_version";
        string[] tenantTables = ["deals", "deal_events", "feed_handlers"];
        const string OwnTenant = "tenant_id = current_setting('salesflow.tenant_id', true)";
        EnforceRowLevelSecurity = string.Concat(tenantTables.Select(t =>
            "ALTER TABLE " + s + "." + t + " ENABLE ROW LEVEL SECURITY; ALTER TABLE " + s + "." + t + " FORCE ROW LEVEL SECURITY; " +
            "DROP POLICY IF EXISTS salesflow_tenant ON " + s + "." + t + "; " +
            "CREATE POLICY salesflow_tenant ON " + s + "." + t + " USING (" + OwnTenant + ") WITH CHECK (" + OwnTenant + ");\n"));
        UnforceRowLevelSecurity = "DO $$ BEGIN " + string.Concat(tenantTables.Select(t =>
            "IF to_regclass('" + s + "." + t + "') IS NOT NULL THEN ALTER TABLE " + s + "." + t + " NO FORCE ROW LEVEL SECURITY; END IF; ")) + "END $$";
    }

    // Names the tenant for the row-level security policies, for the rest of the session.
    public const string SetTenant = "SELECT set_config('salesflow.tenant_id', @tenant_id, false)";

    // How many of the three tenant tables of a schema have row-level security forced with the tenant policy.
    public const string SecuredTables =
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
        "WHERE n.nspname = @schema AND c.relname IN ('deals', 'deal_events', 'feed_handlers') AND c.relrowsecurity AND c.relforcerowsecurity " +
        "AND EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname AND p.policyname = 'salesflow_tenant')";

    public static int LatestVersion => MigrationTemplates.Length;

    // The schema's version (the version table exists wherever the tables do).
    public string SelectVersion { get; }

    // Row-level security as a second line: every row of the three tenant tables is visible and writable only when the
    // session names its tenant, the table owner included (FORCE). Re-created on every start, so it always matches.
    public string EnforceRowLevelSecurity { get; }

    // Lifts FORCE from the tables that exist, so the owner's migrations see every tenant's rows.
    public string UnforceRowLevelSecurity { get; }

    public string Name { get; }

    public SchemaMigrator Migrator { get; }

    public string CreateSchema { get; }

    public string DealsTable { get; }

    public string SelectDeal { get; }

    public string CreateDealWithEvents { get; }

    public string UpdateDealWithEvents { get; }

    public string TakeTransactionId { get; }

    public string SelectEvents { get; }

    public string ReadFeed { get; }

    public string SelectEventByKey { get; }

    public string SelectExistingIds { get; }

    public string CopyDeals { get; }

    public string CopyEvents { get; }

    public FeedHandlerTable Handlers { get; }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
