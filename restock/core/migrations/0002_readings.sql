-- Sensor readings and the messages ingest could not accept.
--
-- The same SQL runs on plain PostgreSQL and on TimescaleDB: where the extension can be
-- loaded, `readings` becomes a hypertable with compression; elsewhere it stays a plain
-- table whose primary key serves the same queries. The unique key includes the time
-- column, as hypertables require, and is what absorbs duplicates and redeliveries.

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
        BEGIN
            CREATE EXTENSION IF NOT EXISTS timescaledb;
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'timescaledb is available but could not be loaded: %', SQLERRM;
        END;
    END IF;
END
$$;

CREATE TABLE readings (
    time timestamptz NOT NULL,
    sensor_id text NOT NULL,
    raw_value double precision NOT NULL,
    quantity double precision NOT NULL,
    seq bigint,
    PRIMARY KEY (sensor_id, time)
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        PERFORM create_hypertable('readings', 'time',
                                  chunk_time_interval => INTERVAL '7 days',
                                  if_not_exists => TRUE);
        EXECUTE 'ALTER TABLE readings SET (timescaledb.compress, '
                'timescaledb.compress_segmentby = ''sensor_id'', '
                'timescaledb.compress_orderby = ''time'')';
        PERFORM add_compression_policy('readings', INTERVAL '14 days', if_not_exists => TRUE);
    ELSE
        -- time-range scans across all sensors (jobs, retention) on plain PostgreSQL
        CREATE INDEX readings_time_brin ON readings USING brin (time);
    END IF;
END
$$;

CREATE TABLE rejected_messages (
    id bigserial PRIMARY KEY,
    received_at timestamptz NOT NULL,
    topic text NOT NULL,
    payload bytea NOT NULL,
    reason text NOT NULL,
    detail text NOT NULL DEFAULT '',
    sensor_id text,          -- when the topic names one
    replayed_at timestamptz  -- set once a replay has accepted it
);
CREATE INDEX rejected_messages_pending_idx ON rejected_messages (reason, sensor_id)
    WHERE replayed_at IS NULL;
CREATE INDEX rejected_messages_received_idx ON rejected_messages (received_at);
