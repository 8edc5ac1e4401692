-- 0015: pulls at set speed (docs/sync.md, docs/performance.md).
--  - A feed the client does not name yet (a new device, a RESYNC, a feed newly visible) and
--    that has rows is filled from its current rows (karta_snapshot), not by replaying every
--    version in change_log: karta_pull answers it RESYNC at seq 0, as it did for a pruned
--    feed. The snapshot's first page carries the (epoch, last_seq) read with it; the client
--    pulls from there, so what commits during the snapshot arrives by the feed (gap-free:
--    seqs are taken under the feed row's lock, see 0005).
--  - karta_pull and karta_snapshot are single SQL statements: no PL/pgSQL row loop, each
--    payload serialized to text once, the page cut by a running sum of its bytes.

