-- 0031: change_log's entity index (an entity's changes: merges, the Upload's op stamp, a
-- registry row's history) becomes a hash index on entity_id (issues 18 and 22;
-- docs/performance.md «The feed's numbers taken once a statement», «The entity index hashed»).
-- Every change appends one entry to it, and entity ids are random uuids: in the B-tree on
-- (entity_id, row_version) each entry was a descent to a random leaf — with a federal
-- package's half a million changes in the log, an INSERT of 1,000 rows with the feed trigger
-- took 31.5 ms of backend CPU with the B-tree, 29.6 with the hash index, 27.8 with neither.
-- Every reader looks an entity up by equality (entity_id = …, then row_version compared on
-- the entity's few rows): none reads the index in order.
DROP INDEX change_log_entity;
CREATE INDEX change_log_entity ON change_log USING hash (entity_id);
