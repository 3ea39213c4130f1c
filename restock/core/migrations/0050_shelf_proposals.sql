-- Visit triggers may ask a rep to propose a larger shelf: 'shelf_too_small' is raised
-- when a stock point is due for an order but not even one pack fits when it would
-- arrive (see replenish/triggers.py).

ALTER TABLE visit_triggers DROP CONSTRAINT visit_triggers_purpose_check;
ALTER TABLE visit_triggers ADD CONSTRAINT visit_triggers_purpose_check CHECK (purpose IN (
    'stockout_risk', 'order_delivery', 'consumption_drop', 'sensor_offline',
    'battery_low', 'unexplained_rise', 'shelf_too_small'));
