-- The domain restock works on: reps and their customers, products, the stock points
-- (one product at one customer site) and the sensors that watch them.

CREATE TABLE reps (
    id text PRIMARY KEY,
    name text NOT NULL,
    depot_lat double precision NOT NULL CHECK (depot_lat BETWEEN -90 AND 90),
    depot_lon double precision NOT NULL CHECK (depot_lon BETWEEN -180 AND 180),
    work_start time NOT NULL DEFAULT '09:00',
    work_end time NOT NULL DEFAULT '18:00',
    work_days smallint[] NOT NULL DEFAULT '{1,2,3,4,5}',  -- ISO weekdays, Monday = 1
    time_zone text NOT NULL DEFAULT 'Asia/Tokyo',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers (
    id text PRIMARY KEY,
    name text NOT NULL,
    segment char(1) NOT NULL CHECK (segment IN ('A', 'B', 'C')),
    rep_id text REFERENCES reps (id),
    lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    time_zone text NOT NULL DEFAULT 'Asia/Tokyo',
    -- opening hours per ISO weekday, e.g. {"1": [["09:00", "18:00"]], "6": []}
    opening_hours jsonb NOT NULL DEFAULT '{}',
    visit_window_start time,
    visit_window_end time,
    visit_cadence_days integer CHECK (visit_cadence_days > 0),
    service_minutes integer NOT NULL DEFAULT 15 CHECK (service_minutes >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customers_rep_idx ON customers (rep_id);

CREATE TABLE products (
    id text PRIMARY KEY,
    name text NOT NULL,
    unit text NOT NULL DEFAULT 'pcs',
    pack_size double precision NOT NULL DEFAULT 1 CHECK (pack_size > 0),
    moq double precision NOT NULL DEFAULT 0 CHECK (moq >= 0),
    lead_time_hours double precision NOT NULL DEFAULT 24 CHECK (lead_time_hours >= 0),
    unit_cost numeric(12, 2) NOT NULL DEFAULT 0 CHECK (unit_cost >= 0),
    unit_weight_g double precision CHECK (unit_weight_g > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE stock_points (
    id bigserial PRIMARY KEY,
    customer_id text NOT NULL REFERENCES customers (id),
    product_id text NOT NULL REFERENCES products (id),
    capacity double precision NOT NULL CHECK (capacity > 0),
    -- per stock point overrides of the segment's policy; NULL means "use the default"
    target_level double precision CHECK (target_level > 0),
    service_level double precision CHECK (service_level > 0 AND service_level < 1),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (customer_id, product_id)
);

CREATE TABLE sensors (
    id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.:-]{1,64}$'),
    stock_point_id bigint REFERENCES stock_points (id),
    kind text NOT NULL CHECK (kind IN ('shelf_weight', 'shelf_count', 'line_bin')),
    unit text NOT NULL,  -- what the sensor reports: g, count, percent
    -- quantity in product units = (raw - tare) * scale
    tare double precision NOT NULL DEFAULT 0,
    scale double precision NOT NULL DEFAULT 1 CHECK (scale <> 0),
    enabled boolean NOT NULL DEFAULT true,
    installed_at timestamptz NOT NULL DEFAULT '2000-01-01T00:00:00Z',
    last_seen timestamptz,
    last_reading_at timestamptz,
    battery double precision,
    status text NOT NULL DEFAULT 'unknown' CHECK (status IN ('unknown', 'online', 'offline')),
    status_changed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sensors_stock_point_idx ON sensors (stock_point_id);
