-- API access and scheduled-job bookkeeping.
--
-- api_tokens: bearer tokens, stored only as a SHA-256 digest (tokens are 256-bit random
-- strings, so a fast hash is enough; a leaked table gives no usable token). A rep token
-- names the rep whose customers, triggers and routes it may see.
--
-- job_runs: one row per scheduled job and time slot. The unique key is what lets two
-- scheduler processes run side by side without running a slot twice.

CREATE TABLE api_tokens (
    id bigserial PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    role text NOT NULL CHECK (role IN ('admin', 'planner', 'rep', 'device')),
    rep_id text REFERENCES reps (id),
    name text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CHECK ((role = 'rep') = (rep_id IS NOT NULL))
);

CREATE TABLE job_runs (
    id bigserial PRIMARY KEY,
    job text NOT NULL,
    as_of timestamptz NOT NULL,
    scheduler text NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
    detail text NOT NULL DEFAULT '',
    UNIQUE (job, as_of)
);
