namespace SalesFlow.PostgreSql;

// The reports' SQL. Every query starts from the same steps (see docs/reports.md for the definitions they follow):
//   ev: the pipeline's events that matter, each with its instant in .NET ticks; internal actions (a transition from a
//       stage to itself that is not a re-entry pair) are dropped, Activity events too.
//   g:  grp = how many entries (Started or Transition) the deal had up to the event: the events of one stay share it; a
//       Migrated event continues the stay. prev_stage = where the deal stood before the event.
//       entered = when the stay began (0 for migrations before any entry, as the reference's default): the instant of the
//       latest entry so far, found as the running max of [sequence, at]. is_last marks each deal's latest event.
//   x:  prev_entered = when the stay a transition ends began; ends_stay marks a stay's last event (its stage then is
//       the stay's stage after any renaming). One sort of each deal's events serves every window.
// Stage facts come as parameters: @st_ids/@st_kinds/@st_version (kinds 0 open, 1 won, 2 lost, 3 closed; in_version for the
// report version's stages), @re_triggers/@re_stages (re-entry pairs), @bar_ids (the funnel's bars in stage order).
internal static class PostgreSqlReportSql
{
    private const string Base =
        """
        WITH st AS (
            SELECT * FROM unnest(@st_ids::text[], @st_kinds::integer[], @st_version::boolean[]) AS t (id, kind, in_version)
        ),
        re AS (
            SELECT * FROM unnest(@re_triggers::text[], @re_stages::text[]) AS t (trig, stage)
        ),
        ev AS (
            SELECT e.deal_id, e.sequence, e.kind, e.from_stage, e.to_stage,
                   (extract(epoch FROM e.occurred_at) * 1000000)::bigint * 10 + 621355968000000000 AS at
            FROM {s}.deals d JOIN {s}.deal_events e ON e.deal_id = d.id
            WHERE d.pipeline_id = @pipeline_id
              AND e.kind IN ('Started', 'Transition', 'Migrated')
              AND NOT (e.kind = 'Transition' AND coalesce(e.from_stage = e.to_stage, false)
                       AND NOT EXISTS (SELECT 1 FROM re WHERE re.trig = e.trigger AND re.stage = e.to_stage))
        ),
        g AS (
            SELECT ev.*,
                   count(*) FILTER (WHERE ev.kind <> 'Migrated') OVER w AS grp,
                   coalesce((max(ARRAY[ev.sequence, ev.at]) FILTER (WHERE ev.kind <> 'Migrated') OVER w)[2], 0) AS entered,
                   lag(ev.to_stage) OVER w AS prev_stage,
                   lead(ev.kind) OVER w AS next_kind,
                   lead(ev.sequence) OVER w IS NULL AS is_last
            FROM ev
            WINDOW w AS (PARTITION BY ev.deal_id ORDER BY ev.sequence ROWS UNBOUNDED PRECEDING)
        ),
        x AS (
            SELECT g.*,
                   lag(g.entered) OVER (PARTITION BY g.deal_id ORDER BY g.sequence) AS prev_entered,
                   g.next_kind IS NULL OR g.next_kind <> 'Migrated' AS ends_stay
            FROM g
        )
        """;

    // Duration figures of vals (figure, stage, v): count, sum, the two middle values, and the value at rank ⌈0.9·n⌉.
    private const string Stats =
        """
        ,
        ranked AS (
            SELECT vals.figure, vals.stage, vals.v,
                   row_number() OVER (PARTITION BY vals.figure, vals.stage ORDER BY vals.v) AS rn,
                   count(*) OVER (PARTITION BY vals.figure, vals.stage) AS n
            FROM vals
        )
        SELECT ranked.figure, ranked.stage, max(ranked.n) AS n, sum(ranked.v) AS total,
               max(ranked.v) FILTER (WHERE ranked.rn = (ranked.n + 1) / 2) AS lo,
               max(ranked.v) FILTER (WHERE ranked.rn = ranked.n / 2 + 1) AS hi,
               max(ranked.v) FILTER (WHERE ranked.rn = (9 * ranked.n + 9) / 10) AS p90
        FROM ranked GROUP BY ranked.figure, ranked.stage
        """;

    // Time in stage: 'latest' and 'cumulative' stays that ended in the window per deal and stage, 'current' stays of
    // deals in an open stage now, and 'entries' made in the window (a migration moves the entry to the renamed stage).
    private const string TimeInStageTemplate = Base +
        """
        ,
        stays AS (
            SELECT x.deal_id, x.prev_stage AS stage, x.at - x.prev_entered AS ticks, x.sequence
            FROM x JOIN st ON st.id = x.prev_stage AND st.in_version AND st.kind = 0
            WHERE x.kind = 'Transition' AND x.at >= @from AND x.at < @to
        ),
        per_deal AS (
            SELECT stays.stage, (max(ARRAY[stays.sequence, stays.ticks]))[2] AS latest, sum(stays.ticks)::bigint AS cumulative
            FROM stays GROUP BY stays.deal_id, stays.stage
        ),
        entries AS (
            SELECT x.to_stage AS stage, 1 AS n FROM x WHERE x.ends_stay AND x.entered >= @from AND x.entered < @to
            UNION ALL
            SELECT x.to_stage, -1 FROM x WHERE x.grp = 0 AND x.prev_stage IS NULL AND 0 >= @from AND 0 < @to
        ),
        vals AS (
            SELECT 'latest' AS figure, per_deal.stage, per_deal.latest AS v FROM per_deal
            UNION ALL
            SELECT 'cumulative', per_deal.stage, per_deal.cumulative FROM per_deal
            UNION ALL
            SELECT 'current', x.to_stage, @now - x.entered
            FROM x JOIN st ON st.id = x.to_stage AND st.in_version AND st.kind = 0 WHERE x.is_last
        )
        """ + Stats +
        """

        UNION ALL
        SELECT 'entries', entries.stage, sum(entries.n)::bigint, NULL::numeric, NULL::bigint, NULL::bigint, NULL::bigint
        FROM entries GROUP BY entries.stage
        """;

    // The funnel: per bar position, the cohort's counts in the three modes; position -1 carries the cohort's size.
    private const string FunnelTemplate = Base +
        """
        ,
        cohort AS (
            SELECT x.deal_id FROM x GROUP BY x.deal_id
            HAVING (max(ARRAY[x.sequence, x.at]) FILTER (WHERE x.kind = 'Started'))[2] >= @from
               AND (max(ARRAY[x.sequence, x.at]) FILTER (WHERE x.kind = 'Started'))[2] < @to
        ),
        bars AS (
            SELECT b.id, (b.pos - 1)::integer AS pos FROM unnest(@bar_ids::text[]) WITH ORDINALITY AS b (id, pos)
        ),
        touched AS (
            SELECT DISTINCT x.deal_id, bars.pos FROM x JOIN bars ON bars.id = x.to_stage JOIN cohort ON cohort.deal_id = x.deal_id
        ),
        agg AS (
            SELECT r.deal_id, count(*) FILTER (WHERE r.pos = r.rn) AS strict_len, max(r.pos) AS furthest, array_agg(r.pos) AS touched
            FROM (SELECT touched.*, (row_number() OVER (PARTITION BY touched.deal_id ORDER BY touched.pos) - 1)::integer AS rn FROM touched) r
            GROUP BY r.deal_id
        ),
        per_deal AS (
            SELECT coalesce(st.kind, 0) = 2 AS lost, coalesce(agg.strict_len, 0) AS strict_len,
                   coalesce(agg.furthest, -1) AS furthest, coalesce(agg.touched, '{}'::integer[]) AS touched
            FROM x JOIN cohort ON cohort.deal_id = x.deal_id LEFT JOIN st ON st.id = x.to_stage LEFT JOIN agg ON agg.deal_id = x.deal_id
            WHERE x.is_last
        )
        SELECT bars.pos,
               count(*) FILTER (WHERE bars.pos < per_deal.strict_len) AS strict,
               count(*) FILTER (WHERE bars.pos = ANY (per_deal.touched)) AS touched,
               count(*) FILTER (WHERE CASE WHEN per_deal.lost THEN bars.pos = ANY (per_deal.touched) ELSE bars.pos <= per_deal.furthest END) AS implied
        FROM bars CROSS JOIN per_deal GROUP BY bars.pos
        UNION ALL
        SELECT -1, count(*), 0, 0 FROM cohort
        """;

    // Outcomes: each deal's current kind, when it reached it (the latest event that changed its kind into it), and its start.
    private const string OutcomesTemplate = Base +
        """
        ,
        k AS (
            SELECT x.deal_id, x.sequence, x.kind, x.at, x.is_last, coalesce(s.kind, 0) AS k,
                   CASE WHEN x.prev_stage IS NULL THEN -1 ELSE coalesce(p.kind, 0) END AS pk
            FROM x LEFT JOIN st s ON s.id = x.to_stage LEFT JOIN st p ON p.id = x.prev_stage
        ),
        per_deal AS (
            SELECT k.deal_id, max(k.k) FILTER (WHERE k.is_last) AS kind,
                   (max(ARRAY[k.sequence, k.at]) FILTER (WHERE k.k <> 0 AND k.k <> k.pk))[2] AS closed_at,
                   (max(ARRAY[k.sequence, k.at]) FILTER (WHERE k.kind = 'Started'))[2] AS started_at
            FROM k GROUP BY k.deal_id
        ),
        closed AS (
            SELECT p.kind, CASE WHEN p.closed_at - p.started_at >= 0 THEN p.closed_at - p.started_at END AS cycle, d.amount
            FROM per_deal p JOIN {s}.deals d ON d.id = p.deal_id
            WHERE p.kind <> 0 AND p.closed_at >= @from AND p.closed_at < @to
        ),
        vals AS (
            SELECT CASE closed.kind WHEN 1 THEN 'won_cycle' ELSE 'lost_cycle' END AS figure, '' AS stage, closed.cycle AS v
            FROM closed WHERE closed.kind IN (1, 2) AND closed.cycle IS NOT NULL
            UNION ALL
            SELECT 'closed_cycle', '', closed.cycle FROM closed WHERE closed.kind IN (1, 2) AND closed.cycle IS NOT NULL
        )
        """ + Stats +
        """

        UNION ALL
        SELECT 'won', '', count(*), sum(closed.amount), count(*) FILTER (WHERE closed.amount IS NULL), NULL::bigint, NULL::bigint FROM closed WHERE closed.kind = 1
        UNION ALL
        SELECT 'lost', '', count(*), NULL::numeric, NULL::bigint, NULL::bigint, NULL::bigint FROM closed WHERE closed.kind = 2
        UNION ALL
        SELECT 'closed', '', count(*), NULL::numeric, NULL::bigint, NULL::bigint, NULL::bigint FROM closed WHERE closed.kind = 3
        UNION ALL
        SELECT 'open', '', count(*), NULL::numeric, NULL::bigint, NULL::bigint, NULL::bigint FROM per_deal WHERE per_deal.kind = 0
        """;

    // The flow: moves made in the window, from where the deal stood (or the event's from stage for a deal with no earlier event).
    private const string FlowTemplate = Base +
        """

        SELECT coalesce(x.prev_stage, x.from_stage, x.to_stage) AS from_stage, x.to_stage, count(*)::integer AS moves
        FROM x WHERE x.kind = 'Transition' AND x.at >= @from AND x.at < @to
        GROUP BY 1, 2
        """;

    public static string TimeInStage(string schema) => Qualify(TimeInStageTemplate, schema);

    public static string Funnel(string schema) => Qualify(FunnelTemplate, schema);

    public static string Outcomes(string schema) => Qualify(OutcomesTemplate, schema);

    public static string Flow(string schema) => Qualify(FlowTemplate, schema);

    private static string Qualify(string template, string schema) => template.Replace("{s}", "\"" + schema + "\"", StringComparison.Ordinal);
}
