using System.Text.RegularExpressions;

namespace SalesFlow.PostgreSql;

// The store's SQL: schema migrations (migration n brings a schema from version n-1 to n) and the statements,
// all built once for one validated schema name.
internal sealed partial class PostgreSqlSchema
{
    private const string DealColumnList =
        "id, pipeline_id, pipeline_version, stage_id, previous_stage_id, version, last_sequence, created_at, updated_at, " +
        "stage_entered_at, last_activity_at, owner, amount, outcome, outcome_reason, next_follow_up_at, checklist, data";

    private const string EventValues =
        "unnest(@sequences, @kinds, @occurred_at, @actors, @triggers, @from_stages, @to_stages, @payloads) " +
        "AS e (sequence, kind, occurred_at, actor, trigger, from_stage, to_stage, payload)";

    private const string EventColumnList = "deal_id, sequence, kind, occurred_at, actor, trigger, from_stage, to_stage, payload";

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
    ];

    public PostgreSqlSchema(string schema)
    {
        if (schema is null || !IdentifierPattern().IsMatch(schema))
        {
            throw new ArgumentException(
                "PostgreSqlDealStoreOptions.Schema must be a plain identifier: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters.",
                nameof(schema));
        }

        Name = schema;
        var s = "\"" + schema + "\"";
        Migrations = [.. MigrationTemplates.Select(m => m.Replace("{s}", s, StringComparison.Ordinal))];
        CreateSchema = "CREATE SCHEMA IF NOT EXISTS " + s;
        CreateVersionTable = "CREATE TABLE IF NOT EXISTS " + s + ".schema_version (version integer NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())";
        ReadVersion = "SELECT COALESCE(MAX(version), 0) FROM " + s + ".schema_version";
        RecordVersion = "INSERT INTO " + s + ".schema_version (version) VALUES (@version)";
        SelectDeals = "SELECT " + DealColumnList + " FROM " + s + ".deals";
        SelectDeal = SelectDeals + " WHERE id = @id";
        var dealValues = "(@id, @pipeline_id, @pipeline_version, @stage_id, @previous_stage_id, @version, @last_sequence, @created_at, " +
            "@updated_at, @stage_entered_at, @last_activity_at, @owner, @amount, @outcome, @outcome_reason, @next_follow_up_at, @checklist, @data)";
        var insertEvents = "INSERT INTO " + s + ".deal_events (" + EventColumnList + ") " +
            "SELECT changed.id, e.sequence, e.kind, e.occurred_at, e.actor, e.trigger, e.from_stage, e.to_stage, e.payload FROM changed CROSS JOIN " + EventValues;

        // One statement per save: the deal row change and the events, or nothing when the row did not qualify.
        CreateDealWithEvents =
            "WITH changed AS (INSERT INTO " + s + ".deals (" + DealColumnList + ") VALUES " + dealValues +
            " ON CONFLICT (id) DO NOTHING RETURNING id) " + insertEvents;
        UpdateDealWithEvents =
            "WITH changed AS (UPDATE " + s + ".deals SET pipeline_id = @pipeline_id, pipeline_version = @pipeline_version, " +
            "stage_id = @stage_id, previous_stage_id = @previous_stage_id, version = @version, last_sequence = @last_sequence, " +
            "created_at = @created_at, updated_at = @updated_at, stage_entered_at = @stage_entered_at, last_activity_at = @last_activity_at, " +
            "owner = @owner, amount = @amount, outcome = @outcome, outcome_reason = @outcome_reason, next_follow_up_at = @next_follow_up_at, " +
            "checklist = @checklist, data = @data " +
            "WHERE id = @id AND version = @expected_version AND last_sequence = @previous_sequence RETURNING id) " + insertEvents;
        SelectEvents =
            "SELECT sequence, kind, occurred_at, actor, trigger, from_stage, to_stage, payload FROM " + s + ".deal_events " +
            "WHERE deal_id = @deal_id AND sequence > @after ORDER BY sequence LIMIT @limit";
        SelectExistingIds = "SELECT id FROM " + s + ".deals WHERE id = ANY(@ids)";
        CopyDeals = "COPY " + s + ".deals (" + DealColumnList + ") FROM STDIN (FORMAT BINARY)";
        CopyEvents = "COPY " + s + ".deal_events (" + EventColumnList + ") FROM STDIN (FORMAT BINARY)";
    }

    public string Name { get; }

    public int CurrentVersion => Migrations.Length;

    public string[] Migrations { get; }

    public string CreateSchema { get; }

    public string CreateVersionTable { get; }

    public string ReadVersion { get; }

    public string RecordVersion { get; }

    public string SelectDeals { get; }

    public string SelectDeal { get; }

    public string CreateDealWithEvents { get; }

    public string UpdateDealWithEvents { get; }

    public string SelectEvents { get; }

    public string SelectExistingIds { get; }

    public string CopyDeals { get; }

    public string CopyEvents { get; }

    public static int LatestVersion => MigrationTemplates.Length;

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
