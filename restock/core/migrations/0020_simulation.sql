-- Deliveries: stock that arrived at a stock point. The simulator's closed loop reads
-- this to raise simulated levels (restock.simulators.deliveries_db). Until orders exist,
-- it is the place a delivered order line is recorded; once `orders`/`order_lines` exist,
-- marking a line delivered should insert here (or a later migration may replace this
-- table by a view over delivered order lines with the same columns).

CREATE TABLE deliveries (
    id bigserial PRIMARY KEY,
    stock_point_id bigint NOT NULL REFERENCES stock_points (id),
    delivered_at timestamptz NOT NULL,
    quantity double precision NOT NULL CHECK (quantity >= 0),
    order_ref text,  -- the order (line) it fulfils, when there is one
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_delivered_at_idx ON deliveries (delivered_at);
