-- Lever as Fivetran's Lever connector writes it to PostgreSQL (schema ${lever}).
-- Column names follow Fivetran's Lever schema (as read by fivetran/dbt_lever); Lever ids
-- are opaque strings. An opportunity is one candidacy; opportunity.contact is the contact
-- (person) id that contact_email hangs off. Only what the enricher or its fixtures need
-- is declared; every table carries _fivetran_deleted / _fivetran_synced. Idempotent.

CREATE SCHEMA IF NOT EXISTS ${lever};

CREATE TABLE IF NOT EXISTS ${lever}.stage (
    id                  text PRIMARY KEY,  -- e.g. "applicant-new", "offer", or a UUID
    text                text,              -- stage name: "Phone screen", "On-site interview", …
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${lever}.archive_reason (
    id                  text PRIMARY KEY,
    text                text,              -- "Hired", "Withdrew", "Underqualified", …
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${lever}.posting (
    id                  text PRIMARY KEY,
    text                text,              -- the job title
    state               text,              -- published | internal | closed | draft | pending | rejected
    categories_commitment text,
    categories_department text,
    categories_level    text,
    categories_location text,
    categories_team     text,
    content_description text,
    creator_id          text,
    owner_id            text,
    requisition_code    text,
    created_at          timestamptz,
    updated_at          timestamptz,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${lever}.opportunity (
    id                  text PRIMARY KEY,
    contact             text,              -- -> contact_email.contact_id
    name                text,
    headline            text,
    location            text,
    origin              text,              -- agency | applied | internal | referred | sourced | university
    stage_id            text,              -- -> stage.id (current stage)
    archived_at         timestamptz,
    archived_reason_id  text,              -- -> archive_reason.id
    last_advanced_at    timestamptz,       -- when it entered its current stage
    last_interaction_at timestamptz,
    snoozed_until       timestamptz,
    owner_id            text,
    is_anonymized       boolean,
    data_protection_contact_allowed boolean,
    data_protection_store_allowed boolean,
    created_at          timestamptz,
    updated_at          timestamptz,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${lever}.contact_email (
    contact_id          text NOT NULL,
    email               text NOT NULL,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contact_id, email)
);

CREATE TABLE IF NOT EXISTS ${lever}.application (
    id                  text PRIMARY KEY,
    opportunity_id      text,
    posting_id          text,              -- -> posting.id
    type                text,              -- posting | referral | user
    company             text,              -- the candidate's current employer, not the hiring one
    comments            text,
    archived_at         timestamptz,
    archived_reason_id  text,
    posting_hiring_manager_id text,
    posting_owner_id    text,
    referrer_id         text,
    requisition_for_hire_id text,
    created_at          timestamptz,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${lever}.opportunity_stage_history (
    opportunity_id      text NOT NULL,
    updated_at          timestamptz NOT NULL,  -- when the opportunity moved to stage_id
    stage_id            text,
    to_stage_index      integer,
    updater_id          text,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (opportunity_id, updated_at)
);

CREATE TABLE IF NOT EXISTS ${lever}.interview (
    id                  text PRIMARY KEY,
    opportunity_id      text,
    panel_id            text,
    stage_id            text,              -- stage the candidate was in when it was scheduled
    subject             text,
    note                text,
    location            text,
    date                timestamptz,       -- when the interview takes place
    duration            integer,           -- minutes
    timezone            text,
    canceled_at         timestamptz,
    feedback_reminder   text,
    gcal_event_url      text,
    creator_id          text,
    created_at          timestamptz,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${lever}.offer (
    id                  text PRIMARY KEY,
    opportunity_id      text,
    candidate_id        text,
    status              text,              -- draft | approval-sent | approved | sent | sent-manually | opened | denied | signed
    creator_id          text,
    created_at          timestamptz,
    _fivetran_deleted   boolean NOT NULL DEFAULT false,
    _fivetran_synced    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS contact_email_email_idx ON ${lever}.contact_email (lower(email));
CREATE INDEX IF NOT EXISTS opportunity_contact_idx ON ${lever}.opportunity (contact);
CREATE INDEX IF NOT EXISTS opportunity_synced_idx ON ${lever}.opportunity (_fivetran_synced);
CREATE INDEX IF NOT EXISTS interview_opportunity_idx ON ${lever}.interview (opportunity_id, date);
