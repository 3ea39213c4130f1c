-- The people who use the pages, and the visit log they keep.
--
-- users: a name and a password (scrypt, never the password), a role, and for a rep the
-- rep whose customers they see. sessions: one row per signed-in browser, found by the
-- SHA-256 of its cookie; it carries the CSRF token every changing request must send.
-- sign_in_failures: failed attempts by
-- name and by address, counted to slow down password guessing.
--
-- visit_log: a rep's check-in at a customer and, at check-out, the outcome, notes and
-- the next action. Kept per customer, not per rep: whoever takes a customer over reads
-- its history (against knowledge locked in one rep's head).

CREATE TABLE users (
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    role text NOT NULL CHECK (role IN ('admin', 'planner', 'rep')),
    rep_id text REFERENCES reps (id),
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL,
    password_changed_at timestamptz NOT NULL,
    CHECK ((role = 'rep') = (rep_id IS NOT NULL))
);

CREATE TABLE sessions (
    id_hash text PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE sign_in_failures (
    name text NOT NULL,
    address text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_name_idx ON sign_in_failures (name, at);
CREATE INDEX sign_in_failures_address_idx ON sign_in_failures (address, at);

CREATE TABLE visit_log (
    id bigserial PRIMARY KEY,
    customer_id text NOT NULL REFERENCES customers (id),
    rep_id text NOT NULL REFERENCES reps (id),
    checked_in_at timestamptz NOT NULL,
    checked_out_at timestamptz,
    outcome text CHECK (outcome IN (
        'delivered', 'order_taken', 'proposal_made', 'information', 'follow_up', 'no_contact')),
    notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
    next_action text NOT NULL DEFAULT '' CHECK (length(next_action) <= 500),
    next_action_due date,
    checked_in_by text NOT NULL,
    checked_out_by text,
    CHECK ((checked_out_at IS NULL) = (outcome IS NULL)),
    CHECK (checked_out_at IS NULL OR checked_out_at >= checked_in_at)
);
CREATE INDEX visit_log_customer_idx ON visit_log (customer_id, checked_in_at DESC);
-- a rep is at one customer at a time
CREATE UNIQUE INDEX visit_log_one_open_per_rep ON visit_log (rep_id) WHERE checked_out_at IS NULL;
