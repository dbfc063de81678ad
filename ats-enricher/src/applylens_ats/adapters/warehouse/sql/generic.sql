-- The one shape the enricher reads: ${ats}.ats_applications.
--
-- One row per (application, candidate e-mail address), so the enricher can select a
-- mailbox's applications with `WHERE candidate_email = lower(<mailbox address>)`:
--
--   system             text         greenhouse | lever | workday | ashby | … (lower case)
--   application_id     text         the ATS's id: Greenhouse application.id,
--                                   Lever opportunity.id (a Lever candidacy), or the external id
--   candidate_email    text         lower-cased address of the candidate
--   company            text         the hiring company (from ${ats}.job_company: ATS data
--                                   does not name the employer — a connector is one employer)
--   company_domain     text         its registrable e-mail domain, e.g. acme.com (may be null)
--   job_title          text         Greenhouse job.name, Lever posting.text
--   stage              text         the ATS's raw stage name; Greenhouse status rejected/hired
--                                   become "Rejected"/"Hired", an archived Lever opportunity is
--                                   "archived:<archive reason>"; the enricher normalises it
--                                   (applylens_ats.domain.stages.normalize_stage)
--   last_stage_change  timestamptz  the latest move: application_history / stage history,
--                                   rejection or archive time, else the application time
--   next_interview_at  timestamptz  the earliest interview after now(), else null
--   last_interview_at  timestamptz  the latest interview at or before now(), else null
--   job_closed         boolean      the job / posting is closed
--   synced_at          timestamptz  greatest _fivetran_synced of every row that feeds this one,
--                                   so an incremental run selects `synced_at > last successful run`
--
-- Soft-deleted rows (_fivetran_deleted) and Greenhouse prospects are left out.
-- Fivetran's Workday connector carries no applicant data: Workday and any other ATS are
-- loaded into ${ats}.external_application in this same shape. Idempotent.

CREATE SCHEMA IF NOT EXISTS ${ats};

-- Which employer each ATS connector (job_id = '') or individual job/posting belongs to.
CREATE TABLE IF NOT EXISTS ${ats}.job_company (
    system          text NOT NULL,             -- greenhouse | lever
    job_id          text NOT NULL DEFAULT '',  -- Greenhouse job.id / Lever posting.id; '' = whole connector
    company         text NOT NULL,
    company_domain  text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (system, job_id)
);

-- Applications from ATSs with no Fivetran applicant data (Workday, Ashby, SmartRecruiters, …).
-- next_interview_at may be stored once and left: the view moves it to last_interview_at
-- when its time has passed.
CREATE TABLE IF NOT EXISTS ${ats}.external_application (
    system              text NOT NULL,
    application_id      text NOT NULL,
    candidate_email     text NOT NULL,
    company             text,
    company_domain      text,
    job_title           text,
    stage               text,
    last_stage_change   timestamptz,
    next_interview_at   timestamptz,
    last_interview_at   timestamptz,
    job_closed          boolean NOT NULL DEFAULT false,
    synced_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (system, application_id, candidate_email)
);

CREATE OR REPLACE VIEW ${ats}.ats_applications AS
SELECT
    'greenhouse'::text                                   AS system,
    a.id::text                                           AS application_id,
    lower(e.value)                                       AS candidate_email,
    coalesce(jc.company, dc.company)                     AS company,
    coalesce(jc.company_domain, dc.company_domain)       AS company_domain,
    j.name                                               AS job_title,
    CASE a.status
        WHEN 'rejected' THEN 'Rejected'
        WHEN 'hired' THEN 'Hired'
        ELSE js.name
    END                                                  AS stage,
    coalesce(greatest(h.last_moved_at, a.rejected_at), a.applied_at) AS last_stage_change,
    i.next_at                                            AS next_interview_at,
    i.last_at                                            AS last_interview_at,
    coalesce(j.status = 'closed', false)                 AS job_closed,
    greatest(a._fivetran_synced, c._fivetran_synced, e._fivetran_synced, j._fivetran_synced,
             js._fivetran_synced, h.synced, i.synced, jc.updated_at, dc.updated_at) AS synced_at
FROM ${greenhouse}.application a
JOIN ${greenhouse}.candidate c
    ON c.id = a.candidate_id AND NOT c._fivetran_deleted
JOIN ${greenhouse}.email_address e
    ON e.candidate_id = c.id AND NOT e._fivetran_deleted AND e.value IS NOT NULL
LEFT JOIN LATERAL (
    SELECT jb.*
    FROM ${greenhouse}.job_application ja
    JOIN ${greenhouse}.job jb ON jb.id = ja.job_id AND NOT jb._fivetran_deleted
    WHERE ja.application_id = a.id AND NOT ja._fivetran_deleted
    ORDER BY jb.id
    LIMIT 1
) j ON true
LEFT JOIN ${greenhouse}.job_stage js
    ON js.id = a.current_stage_id AND NOT js._fivetran_deleted
LEFT JOIN LATERAL (
    SELECT max(ah.updated_at) AS last_moved_at, max(ah._fivetran_synced) AS synced
    FROM ${greenhouse}.application_history ah
    WHERE ah.application_id = a.id AND NOT ah._fivetran_deleted
) h ON true
LEFT JOIN LATERAL (
    SELECT min(si.start_time) FILTER (WHERE si.start_time > now())  AS next_at,
           max(si.start_time) FILTER (WHERE si.start_time <= now()) AS last_at,
           max(si._fivetran_synced)                                 AS synced
    FROM ${greenhouse}.scheduled_interview si
    WHERE si.application_id = a.id AND NOT si._fivetran_deleted
) i ON true
LEFT JOIN ${ats}.job_company jc
    ON jc.system = 'greenhouse' AND jc.job_id = j.id::text
LEFT JOIN ${ats}.job_company dc
    ON dc.system = 'greenhouse' AND dc.job_id = ''
WHERE NOT a._fivetran_deleted
  AND NOT coalesce(a.prospect, false)
  AND NOT coalesce(a.is_deleted, false)

UNION ALL

SELECT
    'lever'::text                                        AS system,
    o.id                                                 AS application_id,
    lower(ce.email)                                      AS candidate_email,
    coalesce(jc.company, dc.company)                     AS company,
    coalesce(jc.company_domain, dc.company_domain)       AS company_domain,
    p.text                                               AS job_title,
    CASE
        WHEN o.archived_at IS NOT NULL THEN 'archived:' || coalesce(ar.text, '')
        ELSE coalesce(s.text, o.stage_id)
    END                                                  AS stage,
    coalesce(greatest(o.archived_at, o.last_advanced_at, h.last_moved_at), o.created_at)
                                                         AS last_stage_change,
    i.next_at                                            AS next_interview_at,
    i.last_at                                            AS last_interview_at,
    coalesce(p.state = 'closed', false)                  AS job_closed,
    greatest(o._fivetran_synced, ce._fivetran_synced, p._fivetran_synced, s._fivetran_synced,
             ar._fivetran_synced, h.synced, i.synced, jc.updated_at, dc.updated_at) AS synced_at
FROM ${lever}.opportunity o
JOIN ${lever}.contact_email ce
    ON ce.contact_id = o.contact AND NOT ce._fivetran_deleted
LEFT JOIN LATERAL (
    SELECT po.*
    FROM ${lever}.application la
    JOIN ${lever}.posting po ON po.id = la.posting_id AND NOT po._fivetran_deleted
    WHERE la.opportunity_id = o.id AND NOT la._fivetran_deleted
    ORDER BY la.created_at DESC NULLS LAST, la.id
    LIMIT 1
) p ON true
LEFT JOIN ${lever}.stage s
    ON s.id = o.stage_id AND NOT s._fivetran_deleted
LEFT JOIN ${lever}.archive_reason ar
    ON ar.id = o.archived_reason_id AND NOT ar._fivetran_deleted
LEFT JOIN LATERAL (
    SELECT max(sh.updated_at) AS last_moved_at, max(sh._fivetran_synced) AS synced
    FROM ${lever}.opportunity_stage_history sh
    WHERE sh.opportunity_id = o.id AND NOT sh._fivetran_deleted
) h ON true
LEFT JOIN LATERAL (
    SELECT min(iv.date) FILTER (WHERE iv.date > now())  AS next_at,
           max(iv.date) FILTER (WHERE iv.date <= now()) AS last_at,
           max(iv._fivetran_synced)                     AS synced
    FROM ${lever}.interview iv
    WHERE iv.opportunity_id = o.id AND iv.canceled_at IS NULL AND NOT iv._fivetran_deleted
) i ON true
LEFT JOIN ${ats}.job_company jc
    ON jc.system = 'lever' AND jc.job_id = p.id
LEFT JOIN ${ats}.job_company dc
    ON dc.system = 'lever' AND dc.job_id = ''
WHERE NOT o._fivetran_deleted
  AND NOT coalesce(o.is_anonymized, false)

UNION ALL

SELECT
    lower(x.system),
    x.application_id,
    lower(x.candidate_email),
    x.company,
    x.company_domain,
    x.job_title,
    x.stage,
    x.last_stage_change,
    CASE WHEN x.next_interview_at > now() THEN x.next_interview_at END,
    greatest(x.last_interview_at,
             CASE WHEN x.next_interview_at <= now() THEN x.next_interview_at END),
    x.job_closed,
    x.synced_at
FROM ${ats}.external_application x;

COMMENT ON VIEW ${ats}.ats_applications IS
    'One row per (application, candidate email) from Greenhouse, Lever and external_application; '
    'columns documented in applylens_ats/adapters/warehouse/sql/generic.sql';
