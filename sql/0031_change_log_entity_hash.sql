-- 0031: change_log's entity index (an entity's changes: merges, the Upload's op stamp, a
-- registry row's history) becomes a hash index on entity_id (issues 18 and 22;
-- docs/performance.md «The feed's numbers taken once a statement; the entity index hashed»).
-- Every change appends one entry to it, and entity ids are random uuids: in the B-tree on
-- (entity_id, row_version) each entry was a descent to a random leaf — with a federal
-- package's half a million changes in the log, 3.7 ms of backend CPU per 1,000 changes
-- against 1.8 for the hash index's bucket (and 27.8 for the whole 1,000-row feed append
-- without either). Every reader looks an entity up by equality (entity_id = …, then
-- row_version compared on the entity's few rows): none reads the index in order.
DROP INDEX change_log_entity;
CREATE INDEX change_log_entity ON change_log USING hash (entity_id);
