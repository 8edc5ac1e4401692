-- 0030: a change's payload is stored as the JSON text the pull sends (type json), no longer
-- as jsonb (issues 18 and 22; docs/performance.md «The feed's payload as the text it is sent
-- as»). jsonb was built at every write (to_jsonb parses the row into its binary form, sorts and
-- de-duplicates its keys) and printed back to text at every pull (jsonb_out): per 1,000 rows
-- of plan_item, participant, exam_registration to_jsonb cost 6.2 / 10.2 / 2.9 ms of backend
-- CPU against to_json's 5.1 / 6.5 / 2.3, and payload::text 8.4 / 12.6 / 8.9 ms against json's
-- 1.7 / 4.1 / 2.6 (the text as stored). A row has no duplicate keys, and every reader parses
-- the payload (the client with jansson or SQLite's JSON functions, the server's few `->>`
-- reads work on json as on jsonb), so neither the sorted keys nor the binary form served
-- anyone. The feed's own fields (entity id, row_version, feed, origin device) are taken from
-- the typed row (sql/functions/30_feeds.sql), not parsed back from the payload.
-- The rows already in the log are converted in place: their text is jsonb's
-- ({"a": 1, "b": 2}, keys sorted), which a client reads as it reads the new rows'.
ALTER TABLE change_log ALTER COLUMN payload TYPE json USING payload::json;
-- the pull sizes a page's read of keys by the payload's average stored width (pg_stats), which
-- the change of type dropped
ANALYZE change_log;
