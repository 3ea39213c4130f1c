-- Replenishment: draft orders and their lines (with the reasoning shown to planners),
-- the audit trail of who or which rule did what, auto-approve rules, visit triggers
-- (one per cause, so never sent twice), planned visits, and daily routes per rep.

CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    customer_id text NOT NULL REFERENCES customers (id),
    status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'approved', 'rejected', 'sent', 'delivered')),
    as_of timestamptz NOT NULL,                 -- the job run that last drafted it
    deliver_at timestamptz NOT NULL,            -- planned delivery
    on_planned_visit boolean NOT NULL DEFAULT false,
    value numeric(14, 2) NOT NULL DEFAULT 0,
    approved_by text,                           -- user, or 'rule:<id>'
    approved_rule_id bigint,
    approved_at timestamptz,
    waiting_reasons text[] NOT NULL DEFAULT '{}',  -- failed auto-approve checks
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
-- at most one open draft per customer: re-running the job updates it instead
CREATE UNIQUE INDEX orders_one_draft_per_customer ON orders (customer_id) WHERE status = 'draft';
CREATE INDEX orders_status_idx ON orders (status, deliver_at);

CREATE TABLE order_lines (
    order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    stock_point_id bigint NOT NULL REFERENCES stock_points (id),
    quantity double precision NOT NULL CHECK (quantity >= 0),
    suggested_quantity double precision NOT NULL CHECK (suggested_quantity >= 0),
    unit_cost numeric(12, 2) NOT NULL DEFAULT 0,
    reason text NOT NULL,                       -- due / consolidated / pulled_forward
    reasoning jsonb NOT NULL DEFAULT '{}',
    delivered_quantity double precision,
    reconciled text CHECK (reconciled IN ('matched', 'no_jump', 'wrong_size')),
    PRIMARY KEY (order_id, stock_point_id)
);
CREATE INDEX order_lines_stock_point_idx ON order_lines (stock_point_id);

CREATE TABLE order_events (
    id bigserial PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    at timestamptz NOT NULL,
    actor text NOT NULL,                        -- user, 'rule:<id>' or 'job'
    action text NOT NULL,                       -- drafted, redrafted, edited, approved, ...
    detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX order_events_order_idx ON order_events (order_id, at);

CREATE TABLE auto_approve_rules (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    segment char(1) CHECK (segment IN ('A', 'B', 'C')),
    customer_id text REFERENCES customers (id),
    product_id text REFERENCES products (id),
    max_value numeric(14, 2) CHECK (max_value >= 0),
    max_deviation double precision CHECK (max_deviation >= 0),
    max_interval_ratio double precision CHECK (max_interval_ratio > 0),
    require_healthy_sensor boolean NOT NULL DEFAULT true,
    min_battery double precision NOT NULL DEFAULT 0.15 CHECK (min_battery BETWEEN 0 AND 1),
    max_silence_hours double precision NOT NULL DEFAULT 6 CHECK (max_silence_hours > 0),
    enabled boolean NOT NULL DEFAULT true,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- the default rule: modest orders, close to the usual quantity, healthy sensors
INSERT INTO auto_approve_rules (name, max_value, max_deviation, max_interval_ratio, created_by)
VALUES ('default', 200000, 1.0, 3.0, 'migration');

CREATE TABLE planned_visits (
    id bigserial PRIMARY KEY,
    rep_id text REFERENCES reps (id),
    customer_id text NOT NULL REFERENCES customers (id),
    planned_at timestamptz NOT NULL,
    purpose text NOT NULL,                      -- delivery / cadence / trigger
    order_id bigint REFERENCES orders (id),
    status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'done', 'cancelled')),
    UNIQUE (order_id)
);
CREATE INDEX planned_visits_customer_idx ON planned_visits (customer_id, planned_at);

CREATE TABLE visit_triggers (
    id bigserial PRIMARY KEY,
    cause text NOT NULL UNIQUE,                 -- e.g. 'stockout_risk:12:2026-09-07'
    rep_id text REFERENCES reps (id),
    customer_id text NOT NULL REFERENCES customers (id),
    stock_point_id bigint REFERENCES stock_points (id),
    order_id bigint REFERENCES orders (id),
    purpose text NOT NULL CHECK (purpose IN (
        'stockout_risk', 'order_delivery', 'consumption_drop', 'sensor_offline',
        'battery_low', 'unexplained_rise')),
    due_by timestamptz NOT NULL,
    priority integer NOT NULL,
    detail jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'acknowledged', 'completed', 'cancelled')),
    created_at timestamptz NOT NULL,
    sent_at timestamptz,                        -- published on MQTT (broker acked)
    webhook_at timestamptz,                     -- webhook answered 2xx
    webhook_attempts integer NOT NULL DEFAULT 0,
    acknowledged_at timestamptz,
    acknowledged_by text,
    completed_at timestamptz
);
CREATE INDEX visit_triggers_rep_idx ON visit_triggers (rep_id, status, due_by);

CREATE TABLE routes (
    id bigserial PRIMARY KEY,
    rep_id text NOT NULL REFERENCES reps (id),
    day date NOT NULL,
    as_of timestamptz NOT NULL,
    distance_km double precision NOT NULL,
    duration_minutes double precision NOT NULL,
    skipped_required text[] NOT NULL DEFAULT '{}',  -- required customers that did not fit
    UNIQUE (rep_id, day)
);

CREATE TABLE route_stops (
    route_id bigint NOT NULL REFERENCES routes (id) ON DELETE CASCADE,
    seq integer NOT NULL,
    customer_id text NOT NULL REFERENCES customers (id),
    arrive_at timestamptz NOT NULL,
    depart_at timestamptz NOT NULL,
    required boolean NOT NULL,
    purposes text[] NOT NULL DEFAULT '{}',
    trigger_ids bigint[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (route_id, seq)
);
