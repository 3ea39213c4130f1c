-- One lifecycle for orders, visits and triggers (restock/replenish/lifecycle.py), enforced
-- here too: the states each may be in, and the uniqueness of what is open.
--
-- orders: 'cancelled' (an approved order withdrawn, or a draft no longer needed); the
--   visit that delivers it; when it was delivered; why it was rejected or cancelled.
-- order_lines: a planner's quantity kept off packs/MOQ/capacity is flagged `override`;
--   `open_need` mirrors the order's state while it is open, so that a stock point is
--   on at most one draft, and on at most one order on its way per visit.
-- planned_visits: one row per rep, customer and local day, with every purpose of the
--   visit (delivery, cadence, a trigger's); 'missed' when the day passed without it.
-- visit_triggers: cancelled with a reason (and the cancellation sent to the rep like
--   the trigger was); at most one unresolved trigger per purpose and subject.
-- audit_events: the audit trail of all three (was order_events, for orders only).
-- order_holds: a planner's rejection that the next replenishment runs respect.

ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
    CHECK (status IN ('draft', 'approved', 'sent', 'delivered', 'rejected', 'cancelled'));
ALTER TABLE orders ADD COLUMN visit_id bigint REFERENCES planned_visits (id);
ALTER TABLE orders ADD COLUMN delivered_at timestamptz;
ALTER TABLE orders ADD COLUMN closed_reason text;
ALTER TABLE orders ADD CONSTRAINT orders_closed_with_reason
    CHECK (status NOT IN ('rejected', 'cancelled') OR closed_reason IS NOT NULL);
ALTER TABLE orders ADD CONSTRAINT orders_delivered_at
    CHECK ((status = 'delivered') = (delivered_at IS NOT NULL));

-- visits: day, purposes, done_at; one planned visit per customer and day
ALTER TABLE planned_visits ADD COLUMN day date;
ALTER TABLE planned_visits ADD COLUMN purposes text[] NOT NULL DEFAULT '{}';
ALTER TABLE planned_visits ADD COLUMN done_at timestamptz;
UPDATE planned_visits v SET day = (v.planned_at AT TIME ZONE c.time_zone)::date,
                            purposes = ARRAY[v.purpose],
                            done_at = CASE WHEN v.status = 'done' THEN v.planned_at END
FROM customers c WHERE c.id = v.customer_id;
ALTER TABLE planned_visits ALTER COLUMN day SET NOT NULL;
UPDATE orders o SET visit_id = v.id FROM planned_visits v WHERE v.order_id = o.id;
UPDATE orders SET delivered_at = updated_at WHERE status = 'delivered';
UPDATE orders SET closed_reason = coalesce(
    (SELECT e.detail ->> 'reason' FROM order_events e
     WHERE e.order_id = orders.id AND e.action = 'rejected' ORDER BY e.id DESC LIMIT 1), '')
WHERE status = 'rejected';
-- merge planned visits to one customer on one day into the first
WITH dup AS (
    SELECT id, first_value(id) OVER w AS keep
    FROM planned_visits WHERE status = 'planned'
    WINDOW w AS (PARTITION BY customer_id, day ORDER BY id)
)
UPDATE orders o SET visit_id = dup.keep FROM dup WHERE o.visit_id = dup.id AND dup.id <> dup.keep;
WITH dup AS (
    SELECT id, first_value(id) OVER w AS keep
    FROM planned_visits WHERE status = 'planned'
    WINDOW w AS (PARTITION BY customer_id, day ORDER BY id)
), merged AS (
    SELECT keep, array_agg(DISTINCT p) AS purposes
    FROM dup JOIN planned_visits v ON v.id = dup.id, unnest(v.purposes) p GROUP BY keep
)
UPDATE planned_visits v SET purposes = merged.purposes FROM merged WHERE v.id = merged.keep;
DELETE FROM planned_visits v USING (
    SELECT id, first_value(id) OVER (PARTITION BY customer_id, day ORDER BY id) AS keep
    FROM planned_visits WHERE status = 'planned'
) dup WHERE v.id = dup.id AND dup.id <> dup.keep;
ALTER TABLE planned_visits DROP COLUMN order_id;
ALTER TABLE planned_visits DROP COLUMN purpose;
ALTER TABLE planned_visits DROP CONSTRAINT planned_visits_status_check;
ALTER TABLE planned_visits ADD CONSTRAINT planned_visits_status_check
    CHECK (status IN ('planned', 'done', 'cancelled', 'missed'));
ALTER TABLE planned_visits ADD CONSTRAINT planned_visits_done_at
    CHECK ((status = 'done') = (done_at IS NOT NULL));
CREATE UNIQUE INDEX planned_visits_one_per_day ON planned_visits (customer_id, day)
    WHERE status = 'planned';

-- a stock point is on at most one open order per need: one draft, and once per visit
-- among the orders on their way. `open_need` mirrors the order's state on its lines.
DROP INDEX orders_one_draft_per_customer;
ALTER TABLE order_lines ADD COLUMN override boolean NOT NULL DEFAULT false;
ALTER TABLE order_lines ADD COLUMN open_need text;
CREATE FUNCTION order_need(status text, visit_id bigint) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN status = 'draft' THEN 'draft'
                WHEN status IN ('approved', 'sent') THEN 'visit:' || coalesce(visit_id, 0) END
$$;
CREATE FUNCTION order_lines_open_need() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'orders' THEN
        UPDATE order_lines SET open_need = order_need(NEW.status, NEW.visit_id)
        WHERE order_id = NEW.id;
    ELSE
        NEW.open_need := (SELECT order_need(o.status, o.visit_id)
                          FROM orders o WHERE o.id = NEW.order_id);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER orders_open_need AFTER UPDATE OF status, visit_id ON orders
    FOR EACH ROW EXECUTE FUNCTION order_lines_open_need();
CREATE TRIGGER order_lines_open_need BEFORE INSERT OR UPDATE OF order_id ON order_lines
    FOR EACH ROW EXECUTE FUNCTION order_lines_open_need();
UPDATE order_lines l SET open_need = order_need(o.status, o.visit_id)
FROM orders o WHERE o.id = l.order_id;
-- orders already open twice for one stock point and visit keep a need of their own
UPDATE order_lines l SET open_need = 'legacy:' || l.order_id
FROM (SELECT order_id, stock_point_id, row_number() OVER (
          PARTITION BY stock_point_id, open_need ORDER BY order_id) AS n
      FROM order_lines WHERE open_need IS NOT NULL) d
WHERE d.order_id = l.order_id AND d.stock_point_id = l.stock_point_id AND d.n > 1;
CREATE UNIQUE INDEX order_lines_one_open_per_need ON order_lines (stock_point_id, open_need);
CREATE INDEX orders_customer_status_idx ON orders (customer_id, status);

-- an order on its way (or delivered) orders something
CREATE FUNCTION orders_positive_line() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('approved', 'sent', 'delivered') AND NOT EXISTS (
        SELECT 1 FROM order_lines WHERE order_id = NEW.id AND quantity > 0
    ) THEN
        RAISE EXCEPTION 'order % has no line with a positive quantity', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER orders_positive_line AFTER INSERT OR UPDATE OF status ON orders
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION orders_positive_line();

-- triggers: cancellation, sensors sending bad data, one unresolved per purpose and subject
ALTER TABLE visit_triggers DROP CONSTRAINT visit_triggers_purpose_check;
ALTER TABLE visit_triggers ADD CONSTRAINT visit_triggers_purpose_check CHECK (purpose IN (
    'stockout_risk', 'order_delivery', 'consumption_drop', 'sensor_offline',
    'sensor_bad_data', 'battery_low', 'unexplained_rise', 'shelf_too_small'));
ALTER TABLE visit_triggers ADD COLUMN cancelled_at timestamptz;
ALTER TABLE visit_triggers ADD COLUMN cancel_reason text;
ALTER TABLE visit_triggers ADD COLUMN cancel_sent_at timestamptz;
ALTER TABLE visit_triggers ADD COLUMN cancel_webhook_at timestamptz;
UPDATE visit_triggers SET cancelled_at = created_at, cancel_reason = 'cancelled'
WHERE status = 'cancelled';
ALTER TABLE visit_triggers ADD CONSTRAINT visit_triggers_cancelled
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL));
UPDATE visit_triggers t SET status = 'cancelled', cancelled_at = t.created_at,
                            cancel_reason = 'duplicate of trigger ' || d.keep
FROM (SELECT id, first_value(id) OVER (
          PARTITION BY purpose, customer_id, coalesce(stock_point_id, 0), coalesce(order_id, 0)
          ORDER BY id) AS keep
      FROM visit_triggers WHERE status IN ('open', 'acknowledged')) d
WHERE t.id = d.id AND d.id <> d.keep;
CREATE UNIQUE INDEX visit_triggers_one_unresolved ON visit_triggers
    (purpose, customer_id, coalesce(stock_point_id, 0), coalesce(order_id, 0))
    WHERE status IN ('open', 'acknowledged');

-- the audit trail of orders, visits and triggers
CREATE TABLE audit_events (
    id bigserial PRIMARY KEY,
    entity text NOT NULL CHECK (entity IN ('order', 'visit', 'trigger')),
    entity_id bigint NOT NULL,
    at timestamptz NOT NULL,
    actor text NOT NULL,                        -- a person, 'rule:<id>' or 'job'
    action text NOT NULL,
    from_status text,
    to_status text,
    detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity, entity_id, id);
INSERT INTO audit_events (entity, entity_id, at, actor, action, to_status, detail)
SELECT 'order', order_id, at, actor, action,
       CASE action WHEN 'drafted' THEN 'draft' WHEN 'redrafted' THEN 'draft'
                   WHEN 'edited' THEN 'draft' WHEN 'waiting' THEN 'draft'
                   WHEN 'approved' THEN 'approved' WHEN 'rejected' THEN 'rejected'
                   WHEN 'sent' THEN 'sent' WHEN 'delivered' THEN 'delivered' END,
       detail
FROM order_events ORDER BY id;
DROP TABLE order_events;

-- a planner's rejection, respected by the next runs until something material changes
CREATE TABLE order_holds (
    stock_point_id bigint NOT NULL REFERENCES stock_points (id) ON DELETE CASCADE,
    order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    reason text NOT NULL,
    level double precision NOT NULL,            -- the stock when the order was rejected
    p_stockout double precision NOT NULL,       -- its risk then
    released_at timestamptz,
    released_by text,                           -- a planner, or 'job: <what changed>'
    PRIMARY KEY (stock_point_id, order_id)
);
CREATE UNIQUE INDEX order_holds_one_active ON order_holds (stock_point_id)
    WHERE released_at IS NULL;

-- a customer moved to another rep takes its unresolved triggers and planned visits
-- along: the new rep sees (and is sent) them, the old one no longer does
CREATE FUNCTION customers_follow_rep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_events (entity, entity_id, at, actor, action, from_status, to_status,
                              detail)
    SELECT 'trigger', t.id, now(), 'reassignment', 'reassign', t.status, t.status,
           jsonb_build_object('from_rep', OLD.rep_id, 'to_rep', NEW.rep_id)
    FROM visit_triggers t
    WHERE t.customer_id = NEW.id AND t.status IN ('open', 'acknowledged');
    UPDATE visit_triggers SET rep_id = NEW.rep_id,
        sent_at = CASE WHEN status = 'open' THEN NULL ELSE sent_at END,
        webhook_at = CASE WHEN status = 'open' THEN NULL ELSE webhook_at END,
        webhook_attempts = CASE WHEN status = 'open' THEN 0 ELSE webhook_attempts END
    WHERE customer_id = NEW.id AND status IN ('open', 'acknowledged');
    UPDATE planned_visits SET rep_id = NEW.rep_id WHERE customer_id = NEW.id AND status = 'planned';
    RETURN NULL;
END
$$;
CREATE TRIGGER customers_follow_rep AFTER UPDATE OF rep_id ON customers
    FOR EACH ROW WHEN (OLD.rep_id IS DISTINCT FROM NEW.rep_id)
    EXECUTE FUNCTION customers_follow_rep();
