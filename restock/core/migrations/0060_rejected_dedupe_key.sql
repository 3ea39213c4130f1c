-- A rejected message is kept once: the same message delivered again (a redelivery after
-- a crash, a retained message on every resubscribe, a device resending) has the same
-- key, a digest of topic and payload (and element index, for one element of a gateway
-- array), and ingest inserts with ON CONFLICT (dedupe_key) DO NOTHING.
-- Rows kept before this migration have no key: they stay as they are.
ALTER TABLE rejected_messages ADD COLUMN dedupe_key bytea;
CREATE UNIQUE INDEX rejected_messages_dedupe_key ON rejected_messages (dedupe_key);
