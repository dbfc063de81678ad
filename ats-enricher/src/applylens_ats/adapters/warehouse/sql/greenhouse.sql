-- Greenhouse as Fivetran's Greenhouse connector writes it to PostgreSQL (schema ${greenhouse}).
-- Column names follow Fivetran's Greenhouse schema (as read by fivetran/dbt_greenhouse_source);
-- only the tables and columns the enricher or its fixtures need are declared, and every
-- table carries Fivetran's _fivetran_deleted / _fivetran_synced system columns.
-- In production Fivetran owns these tables; this DDL builds the same shape for tests,
-- fixtures and local runs. Idempotent.

CREATE SCHEMA IF NOT EXISTS ${greenhouse};

CREATE TABLE IF NOT EXISTS ${greenhouse}.candidate (
    id                  bigint PRIMARY KEY,
    first_name          text,
    last_name           text,
    company             text,          -- where the candidate works now, not the employer
    title               text,
    is_private          boolean,
    coordinator_id      bigint,
    recruiter_id        bigint,
    new_candidate_id    bigint,
    photo_url           text,
    last_activity       timestamptz,
    created_at          timestamptz,
    updated_at          timestamptz,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${greenhouse}.email_address (
    candidate_id        bigint NOT NULL,
    index               integer NOT NULL,
    type                text,          -- personal | work | other
    value               text,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (candidate_id, index)
);

CREATE TABLE IF NOT EXISTS ${greenhouse}.job (
    id                  bigint PRIMARY KEY,
    name                text,          -- the job title
    status              text,          -- open | closed | draft
    confidential        boolean,
    requisition_id      text,
    notes               text,
    created_at          timestamptz,
    closed_at           timestamptz,   -- when the last opening closed
    updated_at          timestamptz,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${greenhouse}.job_stage (
    id                  bigint PRIMARY KEY,
    job_id              bigint,
    name                text,          -- free text per job: "Application Review", "Face to Face", …
    created_at          timestamptz,
    updated_at          timestamptz,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${greenhouse}.application (
    id                  bigint PRIMARY KEY,
    candidate_id        bigint,
    applied_at          timestamptz,
    rejected_at         timestamptz,
    last_activity_at    timestamptz,
    status              text,          -- active | rejected | hired | converted
    current_stage_id    bigint,        -- -> job_stage.id
    prospect            boolean,
    is_deleted          boolean,
    location_address    text,
    source_id           bigint,
    credited_to_user_id bigint,
    rejected_reason_id  bigint,
    prospect_owner_id   bigint,
    prospect_pool_id    bigint,
    prospect_stage_id   bigint,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${greenhouse}.job_application (
    application_id      bigint NOT NULL,
    job_id              bigint NOT NULL,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (application_id, job_id)
);

CREATE TABLE IF NOT EXISTS ${greenhouse}.application_history (
    application_id      bigint NOT NULL,
    updated_at          timestamptz NOT NULL,  -- when the application moved
    new_stage_id        bigint,
    new_status          text,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (application_id, updated_at)
);

CREATE TABLE IF NOT EXISTS ${greenhouse}.scheduled_interview (
    id                  bigint PRIMARY KEY,
    application_id      bigint,
    interview_id        bigint,
    start_time          timestamptz,
    end_time            timestamptz,
    location            text,
    organizer_id        bigint,
    status              text,          -- scheduled | awaiting_feedback | complete
    created_at          timestamptz,
    updated_at          timestamptz,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${greenhouse}.interview (
    id                  bigint PRIMARY KEY,
    job_stage_id        bigint,
    name                text,
    interview_kit_content text,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${greenhouse}.job_post (
    id                  bigint PRIMARY KEY,
    job_id              bigint,
    title               text,
    location_name       text,
    live                boolean,
    internal            boolean,
    external            boolean,
    content             text,
    internal_content    text,
    created_at          timestamptz,
    updated_at          timestamptz,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now()
);

-- Lookup paths of the ats_applications view and of incremental runs (by _fivetran_synced).
CREATE INDEX IF NOT EXISTS email_address_value_idx ON ${greenhouse}.email_address (lower(value));
CREATE INDEX IF NOT EXISTS application_candidate_idx ON ${greenhouse}.application (candidate_id);
CREATE INDEX IF NOT EXISTS application_synced_idx ON ${greenhouse}.application (_fivetran_synced);
CREATE INDEX IF NOT EXISTS scheduled_interview_application_idx
    ON ${greenhouse}.scheduled_interview (application_id, start_time);
