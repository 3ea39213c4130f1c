-- Forecast runs and their results: per stock point and as_of, the model, the level and
-- consumption rate, the stockout-time quantiles and distribution, the probability of a
-- stockout before the product's lead time / the customer's next visit, and the span of
-- readings used. Keyed by (stock_point_id, as_of): re-running an as_of overwrites (or,
-- by default, skips) what a previous run finished, so a crashed run can be resumed.

CREATE TABLE forecast_runs (
    id bigserial PRIMARY KEY,
    as_of timestamptz NOT NULL,
    horizon_hours integer NOT NULL CHECK (horizon_hours > 0),
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    forecast integer NOT NULL DEFAULT 0,   -- stock points written by this run
    failed integer NOT NULL DEFAULT 0,     -- stock points that could not be forecast
    settings jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX forecast_runs_as_of_idx ON forecast_runs (as_of);

CREATE TABLE forecasts (
    stock_point_id bigint NOT NULL REFERENCES stock_points (id) ON DELETE CASCADE,
    as_of timestamptz NOT NULL,
    run_id bigint NOT NULL REFERENCES forecast_runs (id),
    model text NOT NULL,
    level double precision NOT NULL,           -- estimated stock at as_of, product units
    rate_per_hour double precision NOT NULL,   -- expected consumption, next 7 days
    stockout_p10 timestamptz,                  -- NULL: beyond the horizon
    stockout_p50 timestamptz,
    stockout_p90 timestamptz,
    p_stockout_lead_time double precision CHECK (p_stockout_lead_time BETWEEN 0 AND 1),
    p_stockout_next_visit double precision CHECK (p_stockout_next_visit BETWEEN 0 AND 1),
    horizon_hours integer NOT NULL,
    -- stockout_cdf[i] = P(stockout by as_of + (i - 1) * cdf_step_hours), i = 1 … (1-based)
    stockout_cdf real[] NOT NULL,
    cdf_step_hours real NOT NULL CHECK (cdf_step_hours > 0),
    history_start timestamptz NOT NULL,        -- first reading used
    history_end timestamptz NOT NULL,          -- last reading used
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stock_point_id, as_of)
);
CREATE INDEX forecasts_as_of_idx ON forecasts (as_of);
CREATE INDEX forecasts_run_idx ON forecasts (run_id);

-- Stock points a run could not forecast (no readings, every model failed): kept, not dropped.
CREATE TABLE forecast_failures (
    run_id bigint NOT NULL REFERENCES forecast_runs (id),
    stock_point_id bigint NOT NULL REFERENCES stock_points (id) ON DELETE CASCADE,
    reason text NOT NULL,
    PRIMARY KEY (run_id, stock_point_id)
);
