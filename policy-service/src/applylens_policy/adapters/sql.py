"""The SQL of policy-service, in one place. Formulas live in migration 0004 (policy_precision/recall)."""

# One round trip per batch. Parameters: $1..$9 the history columns (one entry per event,
# ids unique): the text ones as JSON arrays, policy_id and occurred_at as arrays (see
# postgres.batch_arguments for why); $10 the window start (older events are stored but not
# counted), $11 window_days. The counters follow from the kind as in RECOMPUTE_STATS: proposed → fired,
# approved → approved, rejected → rejected (domain.stats.deltas is the same rule).
#
# Plans: asyncpg prepares this once per connection, and after five executions PostgreSQL
# keeps a generic plan, made without the arrays' sizes (it guesses 10 rows) and from the
# statistics of that moment (an ANALYZE makes it plan again). So no step may depend on a
# good estimate of the batch: the history is read by index probes per batch row, and batch
# rows are matched with each other by sorting (a window), never by a join the planner could
# make a nested loop of. (policy_manual_counts is joined: hashed whole while it is small,
# probed by index once ANALYZE has seen it grow; a probe per row measured slower.)
#
# Events already stored are skipped by a per-row primary-key probe (a scalar subquery is
# never turned into a join; NOT EXISTS was, into a scan of the whole history) rather than by
# ON CONFLICT DO NOTHING, whose speculative insertion costs a lock and an extra WAL record
# per row (docs/PERFORMANCE.md). The primary key still holds: a writer that races another
# on the same new id gets a unique violation, and PostgresPolicyStats.apply runs the
# statement again (it then sees the other's committed row and skips it).
#
# Every sub-statement sees the snapshot from before this statement, so the reads of
# policy_events below see the history *without* this batch; the batch's own new events
# come from ``new`` (the insert's RETURNING: only rows not seen before). A (manual action,
# policy proposal of the same email) pair is counted once, by whichever side arrives second:
# the manual side looks at history and the batch, the proposal side only at history.
#
# Cost (docs/PERFORMANCE.md): reads of policy_stats go through its indexes for the keys
# this batch touches, and the counter updates are HOT (no counter is indexed, migration 0005).
APPLY_BATCH = """
WITH new AS (
    INSERT INTO policy_events (event_id, user_id, kind, policy_id, policy_name, action, action_id, email_id, occurred_at)
    SELECT * FROM ROWS FROM (
        json_array_elements_text($1::json), json_array_elements_text($2::json), json_array_elements_text($3::json),
        unnest($4::int[]), json_array_elements_text($5::json), json_array_elements_text($6::json),
        json_array_elements_text($7::json), json_array_elements_text($8::json), unnest($9::timestamptz[])
    ) AS batch(event_id)
    WHERE (SELECT true FROM policy_events seen WHERE seen.event_id = batch.event_id) IS NULL
    RETURNING event_id, user_id, kind, policy_id, policy_name, action, email_id, occurred_at
),
counted AS (SELECT * FROM new WHERE occurred_at >= $10),
named AS (
    INSERT INTO policies AS p (policy_id, name, name_at)
    SELECT DISTINCT ON (policy_id) policy_id, policy_name, occurred_at FROM new
    WHERE policy_id IS NOT NULL AND policy_name IS NOT NULL
    ORDER BY policy_id, occurred_at DESC
    ON CONFLICT (policy_id) DO UPDATE SET name = excluded.name, name_at = excluded.name_at
    WHERE p.name_at <= excluded.name_at
),
manual_new AS (SELECT event_id, user_id, action, email_id FROM counted WHERE kind = 'manual'),
manual_totals AS (
    INSERT INTO policy_manual_counts AS m (user_id, action, manual)
    SELECT user_id, action, count(*) FROM manual_new GROUP BY user_id, action ORDER BY user_id, action
    ON CONFLICT (user_id, action) DO UPDATE SET manual = m.manual + excluded.manual
    RETURNING user_id, action, manual
),
proposed_new AS (SELECT DISTINCT user_id, policy_id, action, email_id FROM counted WHERE kind = 'proposed'),
overlap_by_manual AS (
    SELECT user_id, policy_id, count(*)::int AS n
    FROM (
        SELECT mn.event_id, mn.user_id, h.policy_id
        FROM manual_new mn
        JOIN policy_events h ON h.user_id = mn.user_id AND h.email_id = mn.email_id AND h.kind = 'proposed'
                            AND h.action = mn.action AND h.occurred_at >= $10
        UNION
        -- proposals of the same email in this batch: a window over the batch, not a join
        SELECT event_id, user_id, unnest(proposed_by) FROM (
            SELECT event_id, user_id, kind,
                   array_agg(policy_id) FILTER (WHERE kind = 'proposed')
                       OVER (PARTITION BY user_id, email_id, action) AS proposed_by
            FROM counted WHERE kind IN ('proposed', 'manual')
        ) same_email
        WHERE kind = 'manual' AND proposed_by IS NOT NULL
    ) pairs
    GROUP BY user_id, policy_id
),
overlap_by_proposal AS (
    SELECT q.user_id, q.policy_id, count(*)::int AS n
    FROM proposed_new q
    JOIN policy_events h ON h.user_id = q.user_id AND h.email_id = q.email_id AND h.kind = 'manual'
                        AND h.action = q.action AND h.occurred_at >= $10
    WHERE NOT EXISTS (
        SELECT 1 FROM policy_events e
        WHERE e.user_id = q.user_id AND e.email_id = q.email_id AND e.kind = 'proposed'
          AND e.policy_id = q.policy_id AND e.occurred_at >= $10)
    GROUP BY q.user_id, q.policy_id
),
touched AS (
    SELECT user_id, policy_id, (kind = 'proposed')::int AS fired, (kind = 'approved')::int AS approved,
           (kind = 'rejected')::int AS rejected, 0 AS on_proposed, action, occurred_at
    FROM counted WHERE policy_id IS NOT NULL
    UNION ALL SELECT user_id, policy_id, 0, 0, 0, n, NULL, NULL FROM overlap_by_manual
    UNION ALL SELECT user_id, policy_id, 0, 0, 0, n, NULL, NULL FROM overlap_by_proposal
    -- a manual action moves the recall of every policy of that kind the user has
    UNION ALL SELECT s.user_id, s.policy_id, 0, 0, 0, 0, NULL, NULL
    FROM (SELECT DISTINCT user_id, action FROM manual_new) k
    CROSS JOIN LATERAL (SELECT user_id, policy_id FROM policy_stats s
                        WHERE s.user_id = k.user_id AND s.action = k.action OFFSET 0) s
),
deltas AS (
    SELECT t.user_id, t.policy_id, sum(t.fired)::int AS fired, sum(t.approved)::int AS approved,
           sum(t.rejected)::int AS rejected, sum(t.on_proposed)::int AS on_proposed,
           coalesce((array_agg(t.action ORDER BY t.occurred_at DESC) FILTER (WHERE t.action IS NOT NULL))[1],
                    (SELECT cur.action FROM policy_stats cur
                     WHERE cur.policy_id = t.policy_id AND cur.user_id = t.user_id)) AS action
    FROM touched t
    GROUP BY t.user_id, t.policy_id
),
upserted AS (
    INSERT INTO policy_stats AS s (policy_id, user_id, fired, approved, rejected, action, manual,
                                   manual_on_proposed, precision, recall, window_days, updated_at)
    SELECT d.policy_id, d.user_id, d.fired, d.approved, d.rejected, d.action, mc.manual, d.on_proposed,
           policy_precision(d.approved, d.rejected), policy_recall(d.approved, mc.manual, d.on_proposed),
           $11, now()
    FROM deltas d
    -- the total after this batch if it had manual actions of that kind, else the stored one
    LEFT JOIN manual_totals t ON t.user_id = d.user_id AND t.action = d.action
    LEFT JOIN policy_manual_counts c ON c.user_id = d.user_id AND c.action = d.action
    CROSS JOIN LATERAL (SELECT coalesce(t.manual, c.manual, 0) AS manual) mc
    ORDER BY d.policy_id, d.user_id
    ON CONFLICT (policy_id, user_id) DO UPDATE SET
        fired = s.fired + excluded.fired,
        approved = s.approved + excluded.approved,
        rejected = s.rejected + excluded.rejected,
        manual_on_proposed = s.manual_on_proposed + excluded.manual_on_proposed,
        action = coalesce(excluded.action, s.action),
        manual = excluded.manual,
        precision = policy_precision(s.approved + excluded.approved, s.rejected + excluded.rejected),
        recall = policy_recall(s.approved + excluded.approved, excluded.manual,
                               s.manual_on_proposed + excluded.manual_on_proposed),
        window_days = excluded.window_days,
        updated_at = excluded.updated_at
)
SELECT kind, policy_id, user_id, count(*)::int AS n FROM new GROUP BY kind, policy_id, user_id
"""

# The recompute runs in a transaction that first takes ``LOCK_FOR_RECOMPUTE``. EXCLUSIVE mode
# conflicts with the ROW EXCLUSIVE lock every APPLY_BATCH statement holds on policy_stats
# until it commits, and allows plain reads: the job waits for in-flight batches to commit,
# consumers wait (they do not fail) while it runs, and readers are never blocked. The
# statements after the lock take their snapshot after it, so they see every committed batch,
# and every batch after the job adds to the recomputed figures.
LOCK_FOR_RECOMPUTE = "LOCK TABLE policy_stats IN EXCLUSIVE MODE"

RECOMPUTE_MANUAL_COUNTS = """
WITH fresh AS (
    SELECT user_id, action, count(*)::int AS manual FROM policy_events
    WHERE kind = 'manual' AND occurred_at >= $1 GROUP BY user_id, action
),
gone AS (
    DELETE FROM policy_manual_counts m
    WHERE NOT EXISTS (SELECT 1 FROM fresh f WHERE f.user_id = m.user_id AND f.action = m.action)
)
INSERT INTO policy_manual_counts AS m (user_id, action, manual)
SELECT user_id, action, manual FROM fresh
ON CONFLICT (user_id, action) DO UPDATE SET manual = excluded.manual
"""

# $1 window start, $2 window_days. Rows whose events all left the window are zeroed (kept).
RECOMPUTE_STATS = """
WITH w AS (SELECT * FROM policy_events WHERE occurred_at >= $1),
per_policy AS (
    SELECT user_id, policy_id,
           count(*) FILTER (WHERE kind = 'proposed')::int AS fired,
           count(*) FILTER (WHERE kind = 'approved')::int AS approved,
           count(*) FILTER (WHERE kind = 'rejected')::int AS rejected,
           (array_agg(action ORDER BY occurred_at DESC))[1] AS action
    FROM w WHERE kind <> 'manual' AND policy_id IS NOT NULL
    GROUP BY user_id, policy_id
),
proposed AS (SELECT DISTINCT user_id, policy_id, action, email_id FROM w WHERE kind = 'proposed'),
overlap AS (
    SELECT p.user_id, p.policy_id, count(*)::int AS n
    FROM proposed p JOIN w m ON m.kind = 'manual' AND m.user_id = p.user_id
                             AND m.email_id = p.email_id AND m.action = p.action
    GROUP BY p.user_id, p.policy_id
),
all_rows AS (
    SELECT coalesce(pp.user_id, s.user_id) AS user_id, coalesce(pp.policy_id, s.policy_id) AS policy_id,
           coalesce(pp.fired, 0) AS fired, coalesce(pp.approved, 0) AS approved,
           coalesce(pp.rejected, 0) AS rejected, coalesce(pp.action, s.action) AS action
    FROM per_policy pp FULL JOIN policy_stats s ON s.user_id = pp.user_id AND s.policy_id = pp.policy_id
),
figures AS (
    SELECT r.*, coalesce(mc.manual, 0) AS manual, coalesce(o.n, 0) AS on_proposed
    FROM all_rows r
    LEFT JOIN policy_manual_counts mc ON mc.user_id = r.user_id AND mc.action = r.action
    LEFT JOIN overlap o ON o.user_id = r.user_id AND o.policy_id = r.policy_id
)
INSERT INTO policy_stats AS s (policy_id, user_id, fired, approved, rejected, action, manual,
                               manual_on_proposed, precision, recall, window_days, updated_at)
SELECT policy_id, user_id, fired, approved, rejected, action, manual, on_proposed,
       policy_precision(approved, rejected), policy_recall(approved, manual, on_proposed), $2, now()
FROM figures
ORDER BY policy_id, user_id
ON CONFLICT (policy_id, user_id) DO UPDATE SET
    fired = excluded.fired, approved = excluded.approved, rejected = excluded.rejected,
    action = excluded.action, manual = excluded.manual, manual_on_proposed = excluded.manual_on_proposed,
    precision = excluded.precision, recall = excluded.recall,
    window_days = excluded.window_days, updated_at = excluded.updated_at
"""

LIST_STATS = """
SELECT s.policy_id, p.name, s.precision, s.recall, s.approved, s.rejected, s.fired, s.window_days, s.updated_at
FROM policy_stats s LEFT JOIN policies p ON p.policy_id = s.policy_id
WHERE s.user_id = $1
ORDER BY s.fired DESC, s.policy_id
"""

GET_STATS = """
SELECT s.policy_id, p.name, s.precision, s.recall, s.approved, s.rejected, s.fired, s.window_days, s.updated_at
FROM policy_stats s LEFT JOIN policies p ON p.policy_id = s.policy_id
WHERE s.user_id = $1 AND s.policy_id = $2
"""

DAILY_COUNTS = """
SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day,
       count(*) FILTER (WHERE kind = 'proposed')::int AS fired,
       count(*) FILTER (WHERE kind = 'approved')::int AS approved,
       count(*) FILTER (WHERE kind = 'rejected')::int AS rejected
FROM policy_events
WHERE user_id = $1 AND policy_id = $2 AND occurred_at >= $3
GROUP BY 1 ORDER BY 1
"""
