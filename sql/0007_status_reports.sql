-- 0007: status reports — item statuses per executing organization (with history), report
-- requests and submissions (draft → submitted → accepted | returned → resubmitted), their
-- change feeds, and the roll-up (docs/reports.md).
--
-- Write functions follow 0003: (p_device bigint, a jsonb) → (status, message, id, version);
-- status is ok | conflict | denied | not_found | bad | precondition, authorization is taken
-- from the device's organization only. Read functions (karta_rollup, karta_overdue) return
-- rows with status 'ok', or one row with the error status and nothing else.
--
-- Overdue is never stored: it is computed from plan_item.deadline_kind/deadline_last (filled
-- by kartad from the deadline text, common/kt_deadline.c) or a request's due date, the date
-- asked about, and the status as it was at the end of that date.

-- ---- helpers ----------------------------------------------------------------------------

-- Is p_anc a strict ancestor of p_org (its municipality or its region)?
CREATE FUNCTION karta_org_above(p_anc bigint, p_org bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM organization o LEFT JOIN organization op ON op.id = o.parent_id
	               WHERE o.id = p_org AND (o.parent_id = p_anc OR op.parent_id = p_anc))
$$;

-- What a device's organization may read of p_org's reports: itself and everything below it
-- (the same rule as the feeds: karta_feed_visible scope 'all').
CREATE FUNCTION karta_org_sees(p_actor bigint, p_org bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT p_actor = p_org OR karta_org_above(p_actor, p_org)
$$;

-- Deadline kinds that can be overdue by date alone (docs/deadlines.md §5). kartad sets
-- deadline_last only for these; the kind is checked too, so a hand-written row cannot make a
-- continuous or external-schedule item overdue.
CREATE FUNCTION karta_dated_kind(p_kind text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT p_kind IN ('date', 'by_date', 'month', 'month_range', 'year', 'list')
$$;

-- Evidence: {"document": {"kind", "number", "date": "YYYY-MM-DD", "title"},
--            "attachment": {"ref", "name"}, "count": n, "records": [id, …]}; every key optional.
-- Returns NULL when valid, else what is wrong (for people).
CREATE FUNCTION karta_evidence_check(e jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	k text;
	d jsonb;
BEGIN
	IF e IS NULL OR e = 'null'::jsonb THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(e) <> 'object' THEN
		RETURN 'evidence must be an object';
	END IF;
	IF octet_length(e::text) > 262144 THEN
		RETURN 'evidence is larger than 256 KiB';
	END IF;
	FOR k IN SELECT jsonb_object_keys(e) LOOP
		IF k NOT IN ('document', 'attachment', 'count', 'records') THEN
			RETURN format('unknown evidence field %s (document, attachment, count, records)', k);
		END IF;
	END LOOP;
	d := e->'document';
	IF d IS NOT NULL THEN
		IF jsonb_typeof(d) <> 'object' THEN
			RETURN 'evidence document must be an object';
		END IF;
		FOR k IN SELECT jsonb_object_keys(d) LOOP
			IF k NOT IN ('kind', 'number', 'date', 'title') THEN
				RETURN format('unknown document field %s (kind, number, date, title)', k);
			END IF;
			IF jsonb_typeof(d->k) NOT IN ('string', 'null') OR length(d->>k) > 1000 THEN
				RETURN format('document %s must be text of at most 1000 characters', k);
			END IF;
		END LOOP;
		IF coalesce(d->>'date', '') <> '' THEN
			IF d->>'date' !~ '^\d{4}-\d{2}-\d{2}$' THEN
				RETURN 'document date must be YYYY-MM-DD';
			END IF;
			BEGIN
				PERFORM (d->>'date')::date;
			EXCEPTION WHEN OTHERS THEN
				RETURN format('document date %s is not a day', d->>'date');
			END;
		END IF;
	END IF;
	d := e->'attachment';
	IF d IS NOT NULL AND (jsonb_typeof(d) <> 'object' OR jsonb_typeof(d->'ref') <> 'string'
	                      OR length(d->>'ref') NOT BETWEEN 1 AND 500
	                      OR (d ? 'name' AND jsonb_typeof(d->'name') <> 'string')
	                      OR EXISTS (SELECT 1 FROM jsonb_object_keys(d) x WHERE x NOT IN ('ref', 'name'))) THEN
		RETURN 'evidence attachment must be {"ref": text, "name": text}';
	END IF;
	d := e->'count';
	IF d IS NOT NULL AND (jsonb_typeof(d) <> 'number' OR d::text !~ '^\d{1,15}$') THEN
		RETURN 'evidence count must be a whole number >= 0';
	END IF;
	d := e->'records';
	IF d IS NOT NULL THEN
		IF jsonb_typeof(d) <> 'array' OR jsonb_array_length(d) > 10000 THEN
			RETURN 'evidence records must be a list of at most 10000 record ids';
		END IF;
		IF EXISTS (SELECT 1 FROM jsonb_array_elements(d) x
		           WHERE jsonb_typeof(x) NOT IN ('string', 'number') OR length(x #>> '{}') > 100) THEN
			RETURN 'evidence records must be record ids (text or numbers)';
		END IF;
	END IF;
	RETURN NULL;
END $$;

-- ---- item status ------------------------------------------------------------------------
-- One row per (plan item, executing organization): the organization owning the item's plan
-- executes it (a school its school plan, a municipality its municipal plan). The id is
-- deterministic, so an offline client and the server agree on it.
CREATE TABLE item_status (
	id          uuid PRIMARY KEY,
	item_id     uuid NOT NULL REFERENCES plan_item(id),
	org_id      bigint NOT NULL REFERENCES organization(id),  -- the executor (its feed)
	plan_id     uuid NOT NULL REFERENCES plan(id),
	status      text NOT NULL DEFAULT 'not_started'
		CHECK (status IN ('not_started', 'in_progress', 'done', 'not_applicable', 'blocked')),
	comment     text NOT NULL DEFAULT '' CHECK (length(comment) <= 4000),
	evidence    jsonb NOT NULL DEFAULT '{}',
	row_version bigint NOT NULL DEFAULT 1,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	updated_by  bigint REFERENCES device(id),
	UNIQUE (item_id, org_id)
);
CREATE INDEX item_status_org ON item_status(org_id);
CREATE INDEX plan_parent ON plan(parent_plan_id);

CREATE FUNCTION karta_item_status_id(p_item uuid, p_org bigint) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
	SELECT md5('item_status:' || p_item::text || ':' || p_org::text)::uuid
$$;

-- Versioned rows: every write of a status closes the previous version (valid_to) and opens
-- a new one, so "the status as it was at time T" is the one row with
-- valid_from < T <= valid_to (or valid_to NULL). Written by trigger, so every path keeps it.
CREATE TABLE item_status_history (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	status_id   uuid NOT NULL REFERENCES item_status(id),
	item_id     uuid NOT NULL,
	org_id      bigint NOT NULL,
	row_version bigint NOT NULL,
	status      text NOT NULL,
	comment     text NOT NULL,
	evidence    jsonb NOT NULL,
	device_id   bigint,
	valid_from  timestamptz NOT NULL,
	valid_to    timestamptz,
	CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
-- An item's versions (item_rollup's triggers look up the open one by item).
CREATE INDEX item_status_history_item ON item_status_history(item_id)
	INCLUDE (org_id, status, valid_from, valid_to);
CREATE UNIQUE INDEX item_status_history_open ON item_status_history(status_id)
	WHERE valid_to IS NULL;

CREATE FUNCTION karta_item_status_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE item_status_history SET valid_to = now()
	WHERE status_id = NEW.id AND valid_to IS NULL;
	INSERT INTO item_status_history(status_id, item_id, org_id, row_version, status, comment,
		evidence, device_id, valid_from)
	VALUES (NEW.id, NEW.item_id, NEW.org_id, NEW.row_version, NEW.status, NEW.comment,
		NEW.evidence, NEW.updated_by, now());
	RETURN NULL;
END $$;
CREATE TRIGGER item_status_history_insert AFTER INSERT ON item_status
	FOR EACH ROW EXECUTE FUNCTION karta_item_status_version();
CREATE TRIGGER item_status_history_update AFTER UPDATE ON item_status
	FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION karta_item_status_version();

-- ---- the roll-up's per-item table -------------------------------------------------------
-- One narrow row per (plan item, executing organization) — per item, since its executor is
-- its plan's owner — with what the roll-up reads: the plan, the item it derives from, the
-- deadline's last day if the deadline is of a dated kind (karta_dated_kind; else NULL), when
-- the item was created and deleted, and the executor's current status (the open history
-- version: status and valid_from). Read-only references have no row (they are never
-- executed). The roll-up then takes every figure from one scan of this table grouped by
-- organization, with no join of the items to their statuses; the status at an earlier time
-- is the current one when it was set before then, else the closed history version valid
-- then (item_status_history_closed: only versions closed after that time are read).
-- Derived data, kept by triggers on plan_item, item_status_history and plan. They are
-- statement triggers over the transition tables (a bulk write is one set-based refresh) and
-- ENABLE ALWAYS: they fire under session_replication_role = replica too, so a bulk load or
-- a hand correction made with the other triggers off cannot leave the table stale.
CREATE TABLE item_rollup (
	item_id      uuid PRIMARY KEY,        -- plan_item.id (no FK: kept by the triggers below)
	plan_id      uuid NOT NULL,
	derived_from uuid,
	dated_last   date,                    -- deadline_last when karta_dated_kind(deadline_kind)
	created_at   timestamptz NOT NULL,
	deleted_at   timestamptz,
	st           text,                    -- the plan owner's open status version, NULL: none
	st_from      timestamptz              -- its valid_from
);
-- A municipality's or a school's roll-up reads its plans' rows from this index alone
-- (index-only scans: items of a plan need not be together in the table).
CREATE INDEX item_rollup_plan ON item_rollup(plan_id) INCLUDE (item_id, derived_from, dated_last,
	created_at, deleted_at, st, st_from);
-- Closed versions by the end of their validity: "valid at T but no longer current" is a
-- range scan valid_to >= T (nothing for T in the future, i.e. as of today).
CREATE INDEX item_status_history_closed ON item_status_history(valid_to)
	INCLUDE (item_id, org_id, status, valid_from) WHERE valid_to IS NOT NULL;

-- The triggers' statements run with EXECUTE, so each is planned for the rows at hand (a
-- transition table's size is known to the planner): index lookups for one status write,
-- hash joins for a bulk load.
-- Status columns of the items listed by the query p_ids (a SELECT of item ids, over the
-- transition tables): the plan owner's open version.
CREATE FUNCTION karta_item_rollup_status_sql(p_ids text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
	SELECT format($q$
	UPDATE item_rollup c SET st = x.status, st_from = x.valid_from
	FROM (SELECT c2.item_id, h.status, h.valid_from
	      FROM (%s) t(item_id) JOIN item_rollup c2 ON c2.item_id = t.item_id
	      JOIN plan p ON p.id = c2.plan_id
	      LEFT JOIN item_status_history h ON h.item_id = c2.item_id AND h.org_id = p.owner_org_id
	           AND h.valid_to IS NULL) x
	WHERE c.item_id = x.item_id AND (c.st, c.st_from) IS DISTINCT FROM (x.status, x.valid_from)
	$q$, p_ids)
$f$;

-- plan_item written: its rows, from the new item rows (never re-reading plan_item).
CREATE FUNCTION karta_item_rollup_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		EXECUTE 'DELETE FROM item_rollup c USING rollup_old o WHERE c.item_id = o.id';
		RETURN NULL;
	END IF;
	IF TG_OP = 'UPDATE' THEN
		EXECUTE 'DELETE FROM item_rollup c WHERE c.item_id IN (SELECT o.id FROM rollup_old o)
			AND c.item_id NOT IN (SELECT n.id FROM rollup_new n WHERE NOT n.reference_only)';
	END IF;
	EXECUTE $q$
	INSERT INTO item_rollup AS c (item_id, plan_id, derived_from, dated_last, created_at,
		deleted_at, st, st_from)
	SELECT n.id, n.plan_id, n.derived_from,
		CASE WHEN karta_dated_kind(n.deadline_kind) THEN n.deadline_last END,
		n.created_at, n.deleted_at, h.status, h.valid_from
	FROM rollup_new n JOIN plan p ON p.id = n.plan_id
	LEFT JOIN item_status_history h ON h.item_id = n.id AND h.org_id = p.owner_org_id
		AND h.valid_to IS NULL
	WHERE NOT n.reference_only
	ON CONFLICT (item_id) DO UPDATE SET plan_id = EXCLUDED.plan_id,
		derived_from = EXCLUDED.derived_from, dated_last = EXCLUDED.dated_last,
		created_at = EXCLUDED.created_at, deleted_at = EXCLUDED.deleted_at, st = EXCLUDED.st,
		st_from = EXCLUDED.st_from
	WHERE (c.plan_id, c.derived_from, c.dated_last, c.created_at, c.deleted_at, c.st, c.st_from)
		IS DISTINCT FROM (EXCLUDED.plan_id, EXCLUDED.derived_from, EXCLUDED.dated_last,
		EXCLUDED.created_at, EXCLUDED.deleted_at, EXCLUDED.st, EXCLUDED.st_from)
	$q$;
	RETURN NULL;
END $$;
-- item_status_history written: the status columns of its items.
CREATE FUNCTION karta_item_rollup_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE karta_item_rollup_status_sql(CASE TG_OP
		WHEN 'INSERT' THEN 'SELECT DISTINCT n.item_id FROM rollup_new n'
		WHEN 'DELETE' THEN 'SELECT DISTINCT o.item_id FROM rollup_old o'
		ELSE 'SELECT n.item_id FROM rollup_new n UNION SELECT o.item_id FROM rollup_old o' END);
	RETURN NULL;
END $$;
-- A plan changing owner changes whose status its items show.
CREATE FUNCTION karta_item_rollup_plan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE karta_item_rollup_status_sql('SELECT c.item_id FROM item_rollup c WHERE c.plan_id = $1')
	USING NEW.id;
	RETURN NULL;
END $$;
CREATE TRIGGER plan_item_rollup_insert AFTER INSERT ON plan_item
	REFERENCING NEW TABLE AS rollup_new FOR EACH STATEMENT EXECUTE FUNCTION karta_item_rollup_items();
CREATE TRIGGER plan_item_rollup_update AFTER UPDATE ON plan_item
	REFERENCING OLD TABLE AS rollup_old NEW TABLE AS rollup_new
	FOR EACH STATEMENT EXECUTE FUNCTION karta_item_rollup_items();
CREATE TRIGGER plan_item_rollup_delete AFTER DELETE ON plan_item
	REFERENCING OLD TABLE AS rollup_old FOR EACH STATEMENT EXECUTE FUNCTION karta_item_rollup_items();
CREATE TRIGGER item_status_history_rollup_insert AFTER INSERT ON item_status_history
	REFERENCING NEW TABLE AS rollup_new FOR EACH STATEMENT EXECUTE FUNCTION karta_item_rollup_history();
CREATE TRIGGER item_status_history_rollup_update AFTER UPDATE ON item_status_history
	REFERENCING OLD TABLE AS rollup_old NEW TABLE AS rollup_new
	FOR EACH STATEMENT EXECUTE FUNCTION karta_item_rollup_history();
CREATE TRIGGER item_status_history_rollup_delete AFTER DELETE ON item_status_history
	REFERENCING OLD TABLE AS rollup_old FOR EACH STATEMENT EXECUTE FUNCTION karta_item_rollup_history();
CREATE TRIGGER plan_rollup_owner AFTER UPDATE ON plan FOR EACH ROW
	WHEN (OLD.owner_org_id IS DISTINCT FROM NEW.owner_org_id) EXECUTE FUNCTION karta_item_rollup_plan();
ALTER TABLE plan_item ENABLE ALWAYS TRIGGER plan_item_rollup_insert,
	ENABLE ALWAYS TRIGGER plan_item_rollup_update, ENABLE ALWAYS TRIGGER plan_item_rollup_delete;
ALTER TABLE item_status_history ENABLE ALWAYS TRIGGER item_status_history_rollup_insert,
	ENABLE ALWAYS TRIGGER item_status_history_rollup_update,
	ENABLE ALWAYS TRIGGER item_status_history_rollup_delete;
ALTER TABLE plan ENABLE ALWAYS TRIGGER plan_rollup_owner;
-- Items that exist already when this migration runs.
INSERT INTO item_rollup (item_id, plan_id, derived_from, dated_last, created_at, deleted_at,
	st, st_from)
SELECT i.id, i.plan_id, i.derived_from,
	CASE WHEN karta_dated_kind(i.deadline_kind) THEN i.deadline_last END,
	i.created_at, i.deleted_at, h.status, h.valid_from
FROM plan_item i JOIN plan p ON p.id = i.plan_id
LEFT JOIN item_status_history h ON h.item_id = i.id AND h.org_id = p.owner_org_id
	AND h.valid_to IS NULL
WHERE NOT i.reference_only;

-- ---- report requests --------------------------------------------------------------------
-- What is asked (linked to a plan item), by when (a due date or a period), from whom (a
-- level below the receiver, named organizations below it, school groups), to whom (the
-- receiver, who issues it; its feed). A duty that recurs is one series (series_id = the
-- first request's id) with several dated requests.
CREATE TABLE report_request (
	id               uuid PRIMARY KEY,
	series_id        uuid NOT NULL,
	receiver_org_id  bigint NOT NULL REFERENCES organization(id),
	item_id          uuid NOT NULL REFERENCES plan_item(id),
	title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 2000),
	period_from      date,
	period_to        date,
	due_date         date,
	submitter_level  text CHECK (submitter_level IN ('municipality', 'school')),
	submitter_orgs   bigint[] NOT NULL DEFAULT '{}',  -- organization ids
	submitter_groups bigint[] NOT NULL DEFAULT '{}',  -- school_group ids
	submitters       jsonb NOT NULL DEFAULT '{}',     -- as given: {"level", "orgs": [code], "groups": [name]}
	cancelled        boolean NOT NULL DEFAULT false,
	row_version      bigint NOT NULL DEFAULT 1,
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now(),
	updated_by       bigint REFERENCES device(id),
	CHECK (due_date IS NOT NULL OR period_to IS NOT NULL),
	CHECK (period_from IS NULL OR period_to IS NULL OR period_from <= period_to),
	CHECK (submitter_level IS NOT NULL OR cardinality(submitter_orgs) > 0
	       OR cardinality(submitter_groups) > 0)
);
CREATE INDEX report_request_receiver ON report_request(receiver_org_id);
CREATE INDEX report_request_item ON report_request(item_id);
CREATE INDEX report_request_series ON report_request(series_id, due_date);

-- ---- report submissions -----------------------------------------------------------------
-- draft → submitted → accepted | returned (reason) → resubmitted → accepted | returned …
-- An accepted submission is frozen: a later change is a new submission (version_no + 1,
-- supersedes the accepted one). At most one open (not accepted) submission per request and
-- organization. The row lives in the submitting organization's feed, so the receiver and
-- everything above see it, siblings never.
CREATE TABLE report_submission (
	id            uuid PRIMARY KEY,
	request_id    uuid NOT NULL REFERENCES report_request(id),
	org_id        bigint NOT NULL REFERENCES organization(id),
	version_no    int NOT NULL DEFAULT 1 CHECK (version_no >= 1),
	supersedes    uuid REFERENCES report_submission(id),
	state         text NOT NULL DEFAULT 'draft'
		CHECK (state IN ('draft', 'submitted', 'returned', 'resubmitted', 'accepted')),
	comment       text NOT NULL DEFAULT '' CHECK (length(comment) <= 8000),
	evidence      jsonb NOT NULL DEFAULT '{}',
	return_reason text CHECK (length(return_reason) <= 4000),
	submitted_at  timestamptz,           -- the last submit or resubmit
	decided_at    timestamptz,           -- the last accept or return
	decided_by    bigint REFERENCES device(id),
	row_version   bigint NOT NULL DEFAULT 1,
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	updated_by    bigint REFERENCES device(id),
	UNIQUE (request_id, org_id, version_no)
);
CREATE UNIQUE INDEX report_submission_open ON report_submission(request_id, org_id)
	WHERE state <> 'accepted';
CREATE INDEX report_submission_org ON report_submission(org_id);

-- Defense in depth: nothing rewrites an accepted submission.
CREATE FUNCTION karta_submission_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.state = 'accepted' THEN
		RAISE EXCEPTION 'precondition:submission % is accepted: changes make a new submission', OLD.id;
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER report_submission_frozen BEFORE UPDATE ON report_submission
	FOR EACH ROW EXECUTE FUNCTION karta_submission_frozen();

-- Every transition: who (device and its organization) and when.
CREATE TABLE report_transition (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	submission_id uuid NOT NULL REFERENCES report_submission(id),
	from_state    text,                  -- NULL: created
	to_state      text NOT NULL,
	reason        text,
	device_id     bigint REFERENCES device(id),
	org_id        bigint REFERENCES organization(id),
	at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_transition_submission ON report_transition(submission_id, at, id);

CREATE FUNCTION karta_report_transition(p_sub uuid, p_from text, p_to text, p_reason text,
	p_device bigint) RETURNS void LANGUAGE sql AS $$
	INSERT INTO report_transition(submission_id, from_state, to_state, reason, device_id, org_id)
	SELECT p_sub, p_from, p_to, p_reason, p_device, (SELECT org_id FROM device WHERE id = p_device)
$$;

-- ---- feeds ------------------------------------------------------------------------------
CREATE FUNCTION karta_feed_item_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	n jsonb := to_jsonb(NEW);
BEGIN
	PERFORM karta_feed_append(NEW.org_id, 'item_status', NEW.id, lower(TG_OP), NEW.row_version,
		CASE WHEN TG_OP = 'UPDATE' THEN karta_changed_fields(to_jsonb(OLD), n) END, n,
		NEW.updated_by);
	RETURN NULL;
END $$;
CREATE FUNCTION karta_feed_report_request() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	n jsonb := to_jsonb(NEW);
BEGIN
	PERFORM karta_feed_append(NEW.receiver_org_id, 'report_request', NEW.id, lower(TG_OP),
		NEW.row_version, CASE WHEN TG_OP = 'UPDATE' THEN karta_changed_fields(to_jsonb(OLD), n) END,
		n, NEW.updated_by);
	RETURN NULL;
END $$;
CREATE FUNCTION karta_feed_report_submission() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	n jsonb := to_jsonb(NEW);
BEGIN
	PERFORM karta_feed_append(NEW.org_id, 'report_submission', NEW.id, lower(TG_OP),
		NEW.row_version, CASE WHEN TG_OP = 'UPDATE' THEN karta_changed_fields(to_jsonb(OLD), n) END,
		n, NEW.updated_by);
	RETURN NULL;
END $$;
CREATE TRIGGER item_status_feed_insert AFTER INSERT ON item_status
	FOR EACH ROW EXECUTE FUNCTION karta_feed_item_status();
CREATE TRIGGER item_status_feed_update AFTER UPDATE ON item_status
	FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION karta_feed_item_status();
CREATE TRIGGER report_request_feed_insert AFTER INSERT ON report_request
	FOR EACH ROW EXECUTE FUNCTION karta_feed_report_request();
CREATE TRIGGER report_request_feed_update AFTER UPDATE ON report_request
	FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION karta_feed_report_request();
CREATE TRIGGER report_submission_feed_insert AFTER INSERT ON report_submission
	FOR EACH ROW EXECUTE FUNCTION karta_feed_report_submission();
CREATE TRIGGER report_submission_feed_update AFTER UPDATE ON report_submission
	FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION karta_feed_report_submission();

-- Requests are issued downwards, like plan items: the organizations below the receiver read
-- its feed with scope 'plans' and must see what is asked of them. Statuses and submissions
-- stay in the executor's / submitter's feed, seen by it and its ancestors only.
CREATE OR REPLACE FUNCTION karta_plan_entity(p_type text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT p_type IN ('plan', 'plan_section', 'plan_item', 'abbreviation', 'report_request')
$$;

CREATE VIEW karta_feed_rows_reports AS
	SELECT s.org_id, 'item_status'::text AS entity_type, s.id AS entity_id, s.row_version,
		to_jsonb(s) AS payload
	FROM item_status s
	UNION ALL
	SELECT r.receiver_org_id, 'report_request', r.id, r.row_version, to_jsonb(r)
	FROM report_request r
	UNION ALL
	SELECT s.org_id, 'report_submission', s.id, s.row_version, to_jsonb(s)
	FROM report_submission s;
CREATE OR REPLACE VIEW karta_feed_rows AS
	SELECT * FROM karta_feed_rows_plans UNION ALL SELECT * FROM karta_feed_rows_reports;

-- ---- writes -----------------------------------------------------------------------------

-- Set an item's status for the device's own organization. a: {"item_id", "status",
-- "comment", "evidence", "base"}. base (optional): the status row's version the client saw
-- (0: none yet); a different current version is a conflict. Without base: last write wins.
CREATE FUNCTION karta_status_set(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	act record;
	it plan_item;
	pl plan;
	cur item_status;
	sid uuid;
	err text;
	v bigint;
	iid uuid;
BEGIN
	SELECT * INTO act FROM karta_actor(p_device);
	IF NOT FOUND OR act.role = 'viewer' THEN
		RETURN QUERY SELECT 'denied', 'this device cannot write', NULL::uuid, NULL::bigint; RETURN;
	END IF;
	BEGIN
		iid := (a->>'item_id')::uuid;
	EXCEPTION WHEN OTHERS THEN
		iid := NULL;
	END;
	IF iid IS NULL THEN
		RETURN QUERY SELECT 'bad', 'item_id must be an item id', NULL::uuid, NULL::bigint; RETURN;
	END IF;
	SELECT * INTO it FROM plan_item x WHERE x.id = iid;
	IF FOUND THEN
		SELECT * INTO pl FROM plan x WHERE x.id = it.plan_id;
	END IF;
	IF NOT FOUND OR karta_plan_access(act.org_id, act.level, pl.owner_org_id) = 'none' THEN
		RETURN QUERY SELECT 'not_found', format('no item %s', iid), NULL::uuid, NULL::bigint; RETURN;
	END IF;
	sid := karta_item_status_id(iid, act.org_id);
	IF pl.owner_org_id <> act.org_id THEN
		RETURN QUERY SELECT 'denied',
			'an organization reports status only on the items of its own plans', sid, NULL::bigint;
		RETURN;
	END IF;
	IF it.deleted_at IS NOT NULL THEN
		RETURN QUERY SELECT 'precondition', 'the item was deleted', sid, NULL::bigint; RETURN;
	END IF;
	IF it.reference_only THEN
		RETURN QUERY SELECT 'precondition',
			'the item is a read-only reference to the parent plan: nobody here reports on it', sid,
			NULL::bigint;
		RETURN;
	END IF;
	IF pl.status = 'archived' THEN
		RETURN QUERY SELECT 'precondition', 'the plan is archived', sid, NULL::bigint; RETURN;
	END IF;
	IF coalesce(a->>'status', '') NOT IN ('not_started', 'in_progress', 'done', 'not_applicable', 'blocked') THEN
		RETURN QUERY SELECT 'bad',
			'status must be not_started, in_progress, done, not_applicable or blocked', sid, NULL::bigint;
		RETURN;
	END IF;
	IF length(coalesce(a->>'comment', '')) > 4000 THEN
		RETURN QUERY SELECT 'bad', 'a comment has at most 4000 characters', sid, NULL::bigint; RETURN;
	END IF;
	err := karta_evidence_check(a->'evidence');
	IF err IS NOT NULL THEN
		RETURN QUERY SELECT 'bad', err, sid, NULL::bigint; RETURN;
	END IF;
	SELECT * INTO cur FROM item_status x WHERE x.item_id = iid AND x.org_id = act.org_id FOR UPDATE;
	IF a ? 'base' AND coalesce((a->>'base')::bigint, 0) <> coalesce(cur.row_version, 0) THEN
		RETURN QUERY SELECT 'conflict', format('status changed since version %s (now %s)',
			a->>'base', coalesce(cur.row_version, 0)), sid, cur.row_version;
		RETURN;
	END IF;
	IF cur.id IS NULL THEN
		INSERT INTO item_status AS x (id, item_id, org_id, plan_id, status, comment, evidence,
			updated_by)
		VALUES (sid, iid, act.org_id, pl.id, a->>'status', coalesce(a->>'comment', ''),
			coalesce(nullif(a->'evidence', 'null'::jsonb), '{}'), p_device)
		RETURNING x.row_version INTO v;
		RETURN QUERY SELECT 'ok', 'created', sid, v; RETURN;
	END IF;
	IF cur.status = a->>'status' AND cur.comment = coalesce(a->>'comment', '')
	   AND cur.evidence = coalesce(nullif(a->'evidence', 'null'::jsonb), '{}') THEN
		RETURN QUERY SELECT 'ok', 'unchanged', cur.id, cur.row_version; RETURN;
	END IF;
	UPDATE item_status x SET status = a->>'status', comment = coalesce(a->>'comment', ''),
		evidence = coalesce(nullif(a->'evidence', 'null'::jsonb), '{}'),
		row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
	WHERE x.id = cur.id RETURNING x.row_version INTO v;
	RETURN QUERY SELECT 'ok', 'updated', cur.id, v;
END $$;

-- Create or update a report request, issued by the device's organization (the receiver) or,
-- for the region, by it on behalf of an organization below. a: {"id", "base", "item_id",
-- "title", "due_date", "period_from", "period_to", "series_id", "receiver" (org code),
-- "submitters": {"level": "municipality"|"school", "orgs": [code], "groups": [name]},
-- "cancelled"}. base 0 (or absent) creates; otherwise it must be the current version.
CREATE FUNCTION karta_report_request_put(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	act record;
	rid uuid;
	base bigint;
	cur report_request;
	recv organization;
	it plan_item;
	owner bigint;
	lvl text;
	orgs bigint[];
	grps bigint[];
	n_named int;
	series uuid;
	v bigint;
	due date;
	pfrom date;
	pto date;
BEGIN
	SELECT * INTO act FROM karta_actor(p_device);
	IF NOT FOUND OR act.role = 'viewer' THEN
		RETURN QUERY SELECT 'denied', 'this device cannot write', NULL::uuid, NULL::bigint; RETURN;
	END IF;
	BEGIN
		rid := (a->>'id')::uuid;
		base := coalesce((a->>'base')::bigint, 0);
		due := nullif(a->>'due_date', '')::date;
		pfrom := nullif(a->>'period_from', '')::date;
		pto := nullif(a->>'period_to', '')::date;
		series := nullif(a->>'series_id', '')::uuid;
	EXCEPTION WHEN OTHERS THEN
		RETURN QUERY SELECT 'bad', 'id, base, dates (YYYY-MM-DD) or series_id malformed',
			NULL::uuid, NULL::bigint;
		RETURN;
	END;
	IF rid IS NULL THEN
		RETURN QUERY SELECT 'bad', 'a request needs an id', NULL::uuid, NULL::bigint; RETURN;
	END IF;
	SELECT * INTO cur FROM report_request x WHERE x.id = rid FOR UPDATE;
	IF FOUND AND NOT karta_org_sees(act.org_id, cur.receiver_org_id)
	   AND NOT karta_org_above(cur.receiver_org_id, act.org_id) THEN
		RETURN QUERY SELECT 'not_found', format('no request %s', rid), rid, NULL::bigint; RETURN;
	END IF;
	IF base = 0 AND FOUND THEN
		RETURN QUERY SELECT 'conflict', 'a request with this id exists', rid, cur.row_version; RETURN;
	ELSIF base <> 0 AND NOT FOUND THEN
		RETURN QUERY SELECT 'not_found', format('no request %s', rid), rid, NULL::bigint; RETURN;
	END IF;
	-- The receiver: given (by code), the current one, or the device's organization.
	IF coalesce(a->>'receiver', '') <> '' THEN
		SELECT * INTO recv FROM organization o WHERE o.code = a->>'receiver';
		IF NOT FOUND OR NOT karta_org_sees(act.org_id, recv.id) THEN
			RETURN QUERY SELECT 'not_found', format('no organization %s', a->>'receiver'), rid,
				NULL::bigint;
			RETURN;
		END IF;
	ELSE
		SELECT * INTO recv FROM organization o
		WHERE o.id = coalesce(cur.receiver_org_id, act.org_id);
	END IF;
	IF NOT (recv.id = act.org_id OR (act.level = 'region' AND karta_org_above(act.org_id, recv.id)))
	   OR (cur.id IS NOT NULL AND NOT (cur.receiver_org_id = act.org_id
	       OR (act.level = 'region' AND karta_org_above(act.org_id, cur.receiver_org_id)))) THEN
		RETURN QUERY SELECT 'denied', 'only the receiver (or the region) issues or changes a request',
			rid, NULL::bigint;
		RETURN;
	END IF;
	IF recv.level = 'school' THEN
		RETURN QUERY SELECT 'bad', 'a school receives no reports: nobody is below it', rid, NULL::bigint;
		RETURN;
	END IF;
	IF cur.id IS NOT NULL AND cur.row_version <> base THEN
		RETURN QUERY SELECT 'conflict', format('request changed since version %s (now %s)', base,
			cur.row_version), rid, cur.row_version;
		RETURN;
	END IF;
	-- The item: of a plan the receiver may read (its own or an ancestor's), not deleted.
	BEGIN
		SELECT * INTO it FROM plan_item x WHERE x.id = (a->>'item_id')::uuid;
	EXCEPTION WHEN OTHERS THEN
		it := NULL;
	END;
	IF it.id IS NOT NULL THEN
		SELECT p.owner_org_id INTO owner FROM plan p WHERE p.id = it.plan_id;
	END IF;
	IF it.id IS NULL OR karta_plan_access(recv.id, recv.level, owner) = 'none'
	   OR karta_org_above(recv.id, owner) THEN
		RETURN QUERY SELECT 'not_found', format('no item %s in a plan of %s or above', a->>'item_id',
			recv.code), rid, NULL::bigint;
		RETURN;
	END IF;
	IF it.deleted_at IS NOT NULL THEN
		RETURN QUERY SELECT 'precondition', 'the item was deleted', rid, NULL::bigint; RETURN;
	END IF;
	IF length(coalesce(a->>'title', '')) NOT BETWEEN 1 AND 2000 THEN
		RETURN QUERY SELECT 'bad', 'a request needs a title (at most 2000 characters)', rid, NULL::bigint;
		RETURN;
	END IF;
	IF due IS NULL AND pto IS NULL THEN
		RETURN QUERY SELECT 'bad', 'a request needs a due date or a period end', rid, NULL::bigint;
		RETURN;
	END IF;
	IF pfrom IS NOT NULL AND pto IS NOT NULL AND pfrom > pto THEN
		RETURN QUERY SELECT 'bad', 'the period ends before it starts', rid, NULL::bigint; RETURN;
	END IF;
	-- Submitters: a level strictly below the receiver, organizations below it, its groups.
	lvl := nullif(a #>> '{submitters,level}', '');
	IF lvl IS NOT NULL AND NOT (lvl = 'school' OR (lvl = 'municipality' AND recv.level = 'region')) THEN
		RETURN QUERY SELECT 'bad', format('submitters at level %s cannot report to a %s', lvl,
			recv.level), rid, NULL::bigint;
		RETURN;
	END IF;
	IF jsonb_typeof(coalesce(a #> '{submitters,orgs}', '[]')) <> 'array'
	   OR jsonb_typeof(coalesce(a #> '{submitters,groups}', '[]')) <> 'array' THEN
		RETURN QUERY SELECT 'bad', 'submitters orgs and groups must be lists', rid, NULL::bigint;
		RETURN;
	END IF;
	SELECT coalesce(array_agg(DISTINCT o.id ORDER BY o.id) FILTER (WHERE o.id IS NOT NULL), '{}'),
		count(DISTINCT c.code)
	INTO orgs, n_named
	FROM jsonb_array_elements_text(coalesce(a #> '{submitters,orgs}', '[]')) c(code)
	LEFT JOIN organization o ON o.code = c.code AND karta_org_above(recv.id, o.id);
	IF cardinality(orgs) <> n_named THEN
		RETURN QUERY SELECT 'bad', format('submitters must be organizations below %s', recv.code),
			rid, NULL::bigint;
		RETURN;
	END IF;
	SELECT coalesce(array_agg(DISTINCT g.id ORDER BY g.id) FILTER (WHERE g.id IS NOT NULL), '{}'), count(DISTINCT c.name)
	INTO grps, n_named
	FROM jsonb_array_elements_text(coalesce(a #> '{submitters,groups}', '[]')) c(name)
	LEFT JOIN school_group g ON g.name = c.name
		AND (g.owner_org_id = recv.id OR karta_org_above(g.owner_org_id, recv.id));
	IF cardinality(grps) <> n_named THEN
		RETURN QUERY SELECT 'bad', format('unknown school group for %s', recv.code), rid, NULL::bigint;
		RETURN;
	END IF;
	IF lvl IS NULL AND cardinality(orgs) = 0 AND cardinality(grps) = 0 THEN
		RETURN QUERY SELECT 'bad', 'a request needs submitters: a level, organizations or groups',
			rid, NULL::bigint;
		RETURN;
	END IF;
	-- A series: the first request's id; a later one names an existing series of the receiver.
	IF series IS NOT NULL AND series <> rid AND NOT EXISTS (SELECT 1 FROM report_request x
	   WHERE x.series_id = series AND x.receiver_org_id = recv.id AND x.id <> rid) THEN
		RETURN QUERY SELECT 'bad', format('no series %s of %s', series, recv.code), rid, NULL::bigint;
		RETURN;
	END IF;
	IF cur.id IS NULL THEN
		INSERT INTO report_request AS x (id, series_id, receiver_org_id, item_id, title, period_from,
			period_to, due_date, submitter_level, submitter_orgs, submitter_groups, submitters,
			cancelled, updated_by)
		VALUES (rid, coalesce(series, rid), recv.id, it.id, a->>'title', pfrom, pto, due, lvl, orgs,
			grps, jsonb_build_object('level', lvl, 'orgs', coalesce(a #> '{submitters,orgs}', '[]'),
				'groups', coalesce(a #> '{submitters,groups}', '[]')),
			coalesce((a->>'cancelled')::boolean, false), p_device)
		RETURNING x.row_version INTO v;
		RETURN QUERY SELECT 'ok', 'created', rid, v; RETURN;
	END IF;
	UPDATE report_request x SET series_id = coalesce(series, x.series_id), receiver_org_id = recv.id,
		item_id = it.id, title = a->>'title', period_from = pfrom, period_to = pto, due_date = due,
		submitter_level = lvl, submitter_orgs = orgs, submitter_groups = grps,
		submitters = jsonb_build_object('level', lvl, 'orgs', coalesce(a #> '{submitters,orgs}', '[]'),
			'groups', coalesce(a #> '{submitters,groups}', '[]')),
		cancelled = coalesce((a->>'cancelled')::boolean, x.cancelled),
		row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
	WHERE x.id = rid RETURNING x.row_version INTO v;
	RETURN QUERY SELECT 'ok', 'updated', rid, v;
END $$;

-- Is p_org asked to submit for request r?
CREATE FUNCTION karta_request_expects(r report_request, p_org bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT karta_org_above(r.receiver_org_id, p_org) AND (
		(r.submitter_level IS NOT NULL
		 AND (SELECT o.level FROM organization o WHERE o.id = p_org) = r.submitter_level)
		OR p_org = ANY (r.submitter_orgs)
		OR EXISTS (SELECT 1 FROM school_group_member m
		           WHERE m.school_id = p_org AND m.group_id = ANY (r.submitter_groups)))
$$;

-- Create or edit the device's organization's submission. a: {"id", "request_id", "base",
-- "comment", "evidence", "new_id"}. Editable: draft and returned. A submission under review
-- (submitted, resubmitted) waits for the decision. An accepted one is frozen: editing it
-- creates a new submission (id: new_id, or md5 of the accepted id and the next number) that
-- supersedes it; the reply names the new id.
CREATE FUNCTION karta_report_draft(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	act record;
	sid uuid;
	base bigint;
	cur report_submission;
	req report_request;
	openid uuid;
	err text;
	nv int;
	prev uuid;
	v bigint;
	newid uuid;
BEGIN
	SELECT * INTO act FROM karta_actor(p_device);
	IF NOT FOUND OR act.role = 'viewer' THEN
		RETURN QUERY SELECT 'denied', 'this device cannot write', NULL::uuid, NULL::bigint; RETURN;
	END IF;
	BEGIN
		sid := (a->>'id')::uuid;
		base := (a->>'base')::bigint;
		newid := nullif(a->>'new_id', '')::uuid;
	EXCEPTION WHEN OTHERS THEN
		RETURN QUERY SELECT 'bad', 'id, new_id or base malformed', NULL::uuid, NULL::bigint; RETURN;
	END;
	IF sid IS NULL THEN
		RETURN QUERY SELECT 'bad', 'a submission needs an id', NULL::uuid, NULL::bigint; RETURN;
	END IF;
	IF length(coalesce(a->>'comment', '')) > 8000 THEN
		RETURN QUERY SELECT 'bad', 'a comment has at most 8000 characters', sid, NULL::bigint; RETURN;
	END IF;
	err := karta_evidence_check(a->'evidence');
	IF err IS NOT NULL THEN
		RETURN QUERY SELECT 'bad', err, sid, NULL::bigint; RETURN;
	END IF;
	SELECT * INTO cur FROM report_submission x WHERE x.id = sid FOR UPDATE;
	IF FOUND THEN
		IF NOT karta_org_sees(act.org_id, cur.org_id) THEN
			RETURN QUERY SELECT 'not_found', format('no submission %s', sid), sid, NULL::bigint; RETURN;
		END IF;
		IF cur.org_id <> act.org_id THEN
			RETURN QUERY SELECT 'denied', 'only the submitting organization edits its submission',
				sid, cur.row_version;
			RETURN;
		END IF;
		IF base IS NOT NULL AND base <> cur.row_version THEN
			RETURN QUERY SELECT 'conflict', format('submission changed since version %s (now %s)',
				base, cur.row_version), sid, cur.row_version;
			RETURN;
		END IF;
		IF cur.state IN ('submitted', 'resubmitted') THEN
			RETURN QUERY SELECT 'precondition', format('submission %s is %s: wait for the decision', sid,
				cur.state), sid, cur.row_version;
			RETURN;
		END IF;
		IF cur.state IN ('draft', 'returned') THEN
			UPDATE report_submission x SET comment = coalesce(a->>'comment', x.comment),
				evidence = coalesce(nullif(a->'evidence', 'null'::jsonb), x.evidence),
				row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
			WHERE x.id = sid AND (x.comment, x.evidence) IS DISTINCT FROM
				(coalesce(a->>'comment', x.comment), coalesce(nullif(a->'evidence', 'null'::jsonb), x.evidence))
			RETURNING x.row_version INTO v;
			RETURN QUERY SELECT 'ok', CASE WHEN v IS NULL THEN 'unchanged' ELSE 'saved' END, sid,
				coalesce(v, cur.row_version);
			RETURN;
		END IF;
		-- accepted: the change becomes the next submission.
		prev := cur.id;
		SELECT * INTO req FROM report_request x WHERE x.id = cur.request_id;
		SELECT max(x.version_no) + 1 INTO nv FROM report_submission x
		WHERE x.request_id = cur.request_id AND x.org_id = cur.org_id;
		sid := coalesce(newid, md5('submission:' || cur.id::text || ':' || nv)::uuid);
	ELSE
		BEGIN
			SELECT * INTO req FROM report_request x WHERE x.id = (a->>'request_id')::uuid;
		EXCEPTION WHEN OTHERS THEN
			req := NULL;
		END;
		IF req.id IS NULL OR NOT (karta_org_sees(act.org_id, req.receiver_org_id)
		                          OR karta_org_above(req.receiver_org_id, act.org_id)) THEN
			RETURN QUERY SELECT 'not_found', format('no request %s', a->>'request_id'), sid, NULL::bigint;
			RETURN;
		END IF;
		IF base IS NOT NULL AND base <> 0 THEN
			RETURN QUERY SELECT 'not_found', format('no submission %s', sid), sid, NULL::bigint; RETURN;
		END IF;
		SELECT max(x.version_no) + 1, (array_agg(x.id ORDER BY x.version_no DESC))[1]
		INTO nv, prev FROM report_submission x
		WHERE x.request_id = req.id AND x.org_id = act.org_id;
		nv := coalesce(nv, 1);
	END IF;
	IF NOT karta_request_expects(req, act.org_id) THEN
		RETURN QUERY SELECT 'denied', 'this organization is not asked to submit this report', sid,
			NULL::bigint;
		RETURN;
	END IF;
	IF req.cancelled THEN
		RETURN QUERY SELECT 'precondition', 'the request was cancelled', sid, NULL::bigint; RETURN;
	END IF;
	SELECT x.id INTO openid FROM report_submission x
	WHERE x.request_id = req.id AND x.org_id = act.org_id AND x.state <> 'accepted';
	IF FOUND THEN
		RETURN QUERY SELECT 'conflict', format('submission %s of this request is still open', openid),
			openid, NULL::bigint;
		RETURN;
	END IF;
	IF EXISTS (SELECT 1 FROM report_submission x WHERE x.id = sid) THEN
		RETURN QUERY SELECT 'conflict', format('a submission with id %s exists', sid), sid, NULL::bigint;
		RETURN;
	END IF;
	INSERT INTO report_submission AS x (id, request_id, org_id, version_no, supersedes, comment,
		evidence, updated_by)
	VALUES (sid, req.id, act.org_id, nv, prev, coalesce(a->>'comment', cur.comment, ''),
		coalesce(nullif(a->'evidence', 'null'::jsonb), cur.evidence, '{}'), p_device)
	RETURNING x.row_version INTO v;
	PERFORM karta_report_transition(sid, NULL, 'draft', NULL, p_device);
	RETURN QUERY SELECT 'ok', CASE WHEN cur.id IS NULL THEN 'created'
		ELSE format('submission %s is accepted: the change is new submission %s', cur.id, sid) END,
		sid, v;
END $$;

-- Submit (draft → submitted) or resubmit (returned → resubmitted). a: {"id", "base"}; with
-- "request_id", "comment" or "evidence" the content is saved first (karta_report_draft), so
-- an offline client can create and submit in one op. An accepted submission with new content
-- becomes a new submission, which is then submitted.
CREATE FUNCTION karta_report_submit(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	act record;
	r record;
	sid uuid;
	cur report_submission;
	nxt text;
	v bigint;
BEGIN
	SELECT * INTO act FROM karta_actor(p_device);
	IF NOT FOUND OR act.role = 'viewer' THEN
		RETURN QUERY SELECT 'denied', 'this device cannot write', NULL::uuid, NULL::bigint; RETURN;
	END IF;
	BEGIN
		sid := (a->>'id')::uuid;
	EXCEPTION WHEN OTHERS THEN
		sid := NULL;
	END;
	IF sid IS NULL THEN
		RETURN QUERY SELECT 'bad', 'a submission needs an id', NULL::uuid, NULL::bigint; RETURN;
	END IF;
	IF a ?| array['request_id', 'comment', 'evidence'] THEN
		SELECT * INTO r FROM karta_report_draft(p_device, a);
		IF r.status <> 'ok' THEN
			RETURN QUERY SELECT r.status, r.message, r.id, r.version; RETURN;
		END IF;
		sid := r.id;
		a := a - 'base';
	END IF;
	SELECT * INTO cur FROM report_submission x WHERE x.id = sid FOR UPDATE;
	IF NOT FOUND OR NOT karta_org_sees(act.org_id, cur.org_id) THEN
		RETURN QUERY SELECT 'not_found', format('no submission %s', sid), sid, NULL::bigint; RETURN;
	END IF;
	IF cur.org_id <> act.org_id THEN
		RETURN QUERY SELECT 'denied', 'only the submitting organization submits', sid, cur.row_version;
		RETURN;
	END IF;
	IF a ? 'base' AND (a->>'base')::bigint <> cur.row_version THEN
		RETURN QUERY SELECT 'conflict', format('submission changed since version %s (now %s)',
			a->>'base', cur.row_version), sid, cur.row_version;
		RETURN;
	END IF;
	nxt := CASE cur.state WHEN 'draft' THEN 'submitted' WHEN 'returned' THEN 'resubmitted' END;
	IF nxt IS NULL THEN
		RETURN QUERY SELECT 'precondition', format('submission %s is %s: only a draft or a returned one is submitted',
			sid, cur.state), sid, cur.row_version;
		RETURN;
	END IF;
	IF (SELECT x.cancelled FROM report_request x WHERE x.id = cur.request_id) THEN
		RETURN QUERY SELECT 'precondition', 'the request was cancelled', sid, cur.row_version; RETURN;
	END IF;
	UPDATE report_submission x SET state = nxt, submitted_at = now(),
		row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
	WHERE x.id = sid RETURNING x.row_version INTO v;
	PERFORM karta_report_transition(sid, cur.state, nxt, NULL, p_device);
	RETURN QUERY SELECT 'ok', nxt, sid, v;
END $$;

-- The receiver's decision (the receiver or an organization above it; never the submitter):
-- submitted | resubmitted → accepted, or → returned with a reason.
CREATE FUNCTION karta_report_decide(p_device bigint, a jsonb, p_to text)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	act record;
	sid uuid;
	cur report_submission;
	recv bigint;
	reason text := btrim(coalesce(a->>'reason', ''));
	v bigint;
BEGIN
	SELECT * INTO act FROM karta_actor(p_device);
	IF NOT FOUND OR act.role = 'viewer' THEN
		RETURN QUERY SELECT 'denied', 'this device cannot write', NULL::uuid, NULL::bigint; RETURN;
	END IF;
	BEGIN
		sid := (a->>'id')::uuid;
	EXCEPTION WHEN OTHERS THEN
		sid := NULL;
	END;
	SELECT * INTO cur FROM report_submission x WHERE x.id = sid FOR UPDATE;
	IF NOT FOUND OR NOT karta_org_sees(act.org_id, cur.org_id) THEN
		RETURN QUERY SELECT 'not_found', format('no submission %s', a->>'id'), sid, NULL::bigint; RETURN;
	END IF;
	SELECT x.receiver_org_id INTO recv FROM report_request x WHERE x.id = cur.request_id;
	IF act.org_id = cur.org_id OR NOT (act.org_id = recv OR karta_org_above(act.org_id, recv)) THEN
		RETURN QUERY SELECT 'denied', CASE WHEN act.org_id = cur.org_id
			THEN 'an organization cannot accept or return its own report'
			ELSE 'only the receiver of the report (or an organization above it) decides' END,
			sid, cur.row_version;
		RETURN;
	END IF;
	IF a ? 'base' AND (a->>'base')::bigint <> cur.row_version THEN
		RETURN QUERY SELECT 'conflict', format('submission changed since version %s (now %s)',
			a->>'base', cur.row_version), sid, cur.row_version;
		RETURN;
	END IF;
	IF cur.state NOT IN ('submitted', 'resubmitted') THEN
		RETURN QUERY SELECT 'precondition', format('submission %s is %s: only a submitted one is %s',
			sid, cur.state, p_to), sid, cur.row_version;
		RETURN;
	END IF;
	IF p_to = 'returned' AND reason = '' THEN
		RETURN QUERY SELECT 'bad', 'a returned report needs a reason', sid, cur.row_version; RETURN;
	END IF;
	IF length(reason) > 4000 THEN
		RETURN QUERY SELECT 'bad', 'a reason has at most 4000 characters', sid, cur.row_version; RETURN;
	END IF;
	UPDATE report_submission x SET state = p_to, decided_at = now(), decided_by = p_device,
		return_reason = CASE WHEN p_to = 'returned' THEN reason ELSE x.return_reason END,
		row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
	WHERE x.id = sid RETURNING x.row_version INTO v;
	PERFORM karta_report_transition(sid, cur.state, p_to, nullif(reason, ''), p_device);
	RETURN QUERY SELECT 'ok', p_to, sid, v;
END $$;

-- a: {"id", "base"}
CREATE FUNCTION karta_report_accept(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE sql AS $$
	SELECT * FROM karta_report_decide(p_device, a, 'accepted')
$$;

-- a: {"id", "base", "reason"}
CREATE FUNCTION karta_report_return(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE sql AS $$
	SELECT * FROM karta_report_decide(p_device, a, 'returned')
$$;

-- ---- roll-up ----------------------------------------------------------------------------
-- The building blocks below are single-SELECT SQL functions: the planner inlines them into
-- the calling statement, so a roll-up is one statement. The callers run it with EXECUTE …
-- USING, so it is planned for the actual values every time: the organizations in scope are
-- passed as an array of ids (p.owner_org_id = ANY(…) is estimated right from the column's
-- statistics: a region's roll-up is planned for 300,000 items, a school's for 300).

-- The ids of p_scope and everything below it: [itself], [children], [grandchildren].
CREATE FUNCTION karta_scope_ids(p_scope bigint, OUT self bigint[], OUT children bigint[],
	OUT grandchildren bigint[]) LANGUAGE sql STABLE AS $$
	SELECT ARRAY[p_scope],
		ARRAY(SELECT o.id FROM organization o WHERE o.parent_id = p_scope ORDER BY o.id),
		ARRAY(SELECT o.id FROM organization o JOIN organization op ON op.id = o.parent_id
		      WHERE op.parent_id = p_scope ORDER BY o.id)
$$;

-- The organizations p_orgs, with their parent and grandparent.
CREATE FUNCTION karta_org_rows(p_orgs bigint[])
RETURNS TABLE (id bigint, code text, name text, level text, parent_id bigint, gp_id bigint,
	parent_code text) LANGUAGE sql STABLE AS $$
	SELECT o.id, o.code, o.name, o.level, o.parent_id, op.parent_id, op.code
	FROM organization o LEFT JOIN organization op ON op.id = o.parent_id
	WHERE o.id = ANY (p_orgs)
$$;

-- Every (item, executing organization) pair of p_orgs' plans as it stood at p_cutoff (the
-- end of p_as_of): plans of p_plan's derive cascade, or all plans not archived; items that
-- existed then, not deleted by then, not read-only references. Flags: due (a dated deadline
-- on or before the day), late (ended before it), st (the status then; NULL: never reported).
-- Reads item_rollup (one narrow row per item, with its current status) and, for the items
-- whose current status was set after p_cutoff, the closed version valid then
-- (item_status_history_closed: only versions closed after p_cutoff, none as of today).
CREATE FUNCTION karta_rollup_pairs(p_orgs bigint[], p_as_of date, p_cutoff timestamptz, p_plan uuid)
RETURNS TABLE (item_id uuid, derived_from uuid, org_id bigint, deadline_last date, due boolean,
	late boolean, st text) LANGUAGE sql STABLE AS $$
	SELECT c.item_id, c.derived_from, p.owner_org_id, c.dated_last,
		coalesce(c.dated_last <= p_as_of, false), coalesce(c.dated_last < p_as_of, false),
		CASE WHEN c.st_from < p_cutoff THEN c.st ELSE h.status END
	FROM plan p
	JOIN item_rollup c ON c.plan_id = p.id
	LEFT JOIN item_status_history h ON h.item_id = c.item_id AND h.org_id = p.owner_org_id
		AND h.valid_to IS NOT NULL AND h.valid_to >= p_cutoff AND h.valid_from < p_cutoff
	WHERE p.owner_org_id = ANY (p_orgs)
	  AND CASE WHEN p_plan IS NULL THEN p.status <> 'archived'
	           ELSE p.id = p_plan OR p.parent_plan_id = p_plan
	                OR p.parent_plan_id IN (SELECT x.id FROM plan x WHERE x.parent_plan_id = p_plan) END
	  AND c.created_at < p_cutoff
	  AND (c.deleted_at IS NULL OR c.deleted_at >= p_cutoff)
$$;

-- Every submission of p_orgs as it stood at p_cutoff: its state then and when it was last
-- (re)submitted before then.
CREATE FUNCTION karta_rollup_submissions(p_orgs bigint[], p_cutoff timestamptz)
RETURNS TABLE (id uuid, request_id uuid, org_id bigint, state text, sent_at timestamptz)
LANGUAGE sql STABLE AS $$
	SELECT s.id, s.request_id, s.org_id,
		(array_agg(t.to_state ORDER BY t.at DESC, t.id DESC))[1],
		max(t.at) FILTER (WHERE t.to_state IN ('submitted', 'resubmitted'))
	FROM report_submission s JOIN report_transition t ON t.submission_id = s.id
	WHERE s.org_id = ANY (p_orgs) AND t.at < p_cutoff
	GROUP BY s.id, s.request_id, s.org_id
$$;

-- Every (request, submitter) pair with the submitter in p_orgs, as it stood at p_cutoff,
-- with what that submitter had sent by then: sent (anything submitted, even if returned
-- since), ok_sent (submitted, resubmitted or accepted: the request is done for it),
-- returned (its submissions returned then), last (its last submit), state (for lists).
CREATE FUNCTION karta_rollup_requests(p_orgs bigint[], p_cutoff timestamptz)
RETURNS TABLE (request_id uuid, item_id uuid, title text, org_id bigint, due_on date,
	sent boolean, ok_sent boolean, returned bigint, last timestamptz, state text)
LANGUAGE sql STABLE AS $$
	WITH so AS MATERIALIZED (SELECT * FROM karta_org_rows(p_orgs)),
	rq AS MATERIALIZED (
		SELECT r.id, r.item_id, r.title, r.receiver_org_id, r.submitter_level, r.submitter_orgs,
			r.submitter_groups, coalesce(r.due_date, r.period_to) AS due_on
		FROM report_request r WHERE NOT r.cancelled AND r.created_at < p_cutoff),
	ex AS (
		SELECT rq.id, so.id AS org_id FROM rq JOIN so ON so.parent_id = rq.receiver_org_id
			AND so.level = rq.submitter_level
		UNION
		SELECT rq.id, so.id FROM rq JOIN so ON so.gp_id = rq.receiver_org_id
			AND so.level = rq.submitter_level
		UNION
		SELECT rq.id, so.id FROM rq CROSS JOIN LATERAL unnest(rq.submitter_orgs) u(org)
			JOIN so ON so.id = u.org
		UNION
		SELECT rq.id, so.id FROM rq CROSS JOIN LATERAL unnest(rq.submitter_groups) g(gid)
			JOIN school_group_member m ON m.group_id = g.gid JOIN so ON so.id = m.school_id),
	sub AS MATERIALIZED (SELECT * FROM karta_rollup_submissions(p_orgs, p_cutoff))
	SELECT rq.id, rq.item_id, rq.title, ex.org_id, rq.due_on,
		coalesce(bool_or(sub.state <> 'draft'), false),
		coalesce(bool_or(sub.state IN ('submitted', 'resubmitted', 'accepted')), false),
		count(*) FILTER (WHERE sub.state = 'returned'), max(sub.sent_at),
		CASE WHEN bool_or(sub.state = 'accepted') THEN 'accepted'
		     WHEN bool_or(sub.state IN ('submitted', 'resubmitted')) THEN 'submitted'
		     WHEN bool_or(sub.state = 'returned') THEN 'returned'
		     WHEN bool_or(sub.state = 'draft') THEN 'draft' ELSE 'missing' END
	FROM ex JOIN rq ON rq.id = ex.id
	LEFT JOIN sub ON sub.request_id = ex.id AND sub.org_id = ex.org_id
	GROUP BY rq.id, rq.item_id, rq.title, ex.org_id, rq.due_on
$$;

-- The organization a device may roll up: p_scope (a code) if it is the device's own or below
-- it, else the device's own. status 'ok' or why not.
CREATE FUNCTION karta_rollup_scope(p_device bigint, p_scope text, OUT org_id bigint,
	OUT level text, OUT status text, OUT message text) LANGUAGE plpgsql STABLE AS $$
DECLARE
	act record;
BEGIN
	SELECT * INTO act FROM karta_actor(p_device);
	IF NOT FOUND THEN
		status := 'denied'; message := 'device is not active'; RETURN;
	END IF;
	IF coalesce(p_scope, '') = '' THEN
		org_id := act.org_id; level := act.level; status := 'ok'; RETURN;
	END IF;
	SELECT o.id, o.level INTO org_id, level FROM organization o WHERE o.code = p_scope;
	IF org_id IS NULL OR NOT karta_org_sees(act.org_id, org_id) THEN
		org_id := NULL; level := NULL;
		status := 'not_found'; message := format('no organization %s', p_scope); RETURN;
	END IF;
	status := 'ok';
END $$;

-- The roll-up as of the end of p_as_of (default today; the end of a day in the server's
-- TimeZone), one statement:
--   p_by 'municipality' | 'school': one row per organization of that level in the scope
--     (p_scope, a code: the device's organization or one below it; default its own).
--     items..not_applicable count the organization's own (item, executor) pairs; returned,
--     requests_*, last_submission its own reports; for a municipality, sub_* sum its schools'
--     pairs (sub_orgs: schools, sub_orgs_overdue: schools with an overdue item).
--   p_by 'item': one row per item of the scope organization's own plans; own_status and
--     own_overdue are its own; items..not_applicable count the organizations one level down
--     holding an item derived from it (municipalities for a regional item), sub_* those two
--     levels down (schools); requests_*, returned, last_submission: the requests linked to
--     the item.
-- p_plan: a plan's derive cascade only (the plan, plans derived from it and from those);
-- default: every plan not archived.
CREATE FUNCTION karta_rollup(p_device bigint, p_as_of date, p_by text, p_scope text DEFAULT NULL,
	p_plan uuid DEFAULT NULL)
RETURNS TABLE (status text, message text, grp text, grp_name text, parent text, deadline date,
	own_status text, own_overdue boolean, items bigint, due bigint, done bigint, overdue bigint,
	not_reported bigint, in_progress bigint, blocked bigint, not_applicable bigint,
	returned bigint, requests_due bigint, requests_missing bigint, last_submission timestamptz,
	sub_orgs bigint, sub_items bigint, sub_due bigint, sub_done bigint, sub_overdue bigint,
	sub_not_reported bigint, sub_orgs_overdue bigint)
LANGUAGE plpgsql STABLE SET work_mem = '64MB' AS $$
DECLARE
	sc record;
	ids record;
	err text;
	d date := coalesce(p_as_of, current_date);
	cutoff timestamptz := (coalesce(p_as_of, current_date) + 1)::timestamptz;
BEGIN
	sc := karta_rollup_scope(p_device, p_scope);
	IF sc.status <> 'ok' THEN
		err := sc.status;
	ELSIF p_plan IS NOT NULL AND NOT EXISTS (SELECT 1 FROM plan p, karta_actor(p_device) a
	      WHERE p.id = p_plan AND karta_plan_access(a.org_id, a.level, p.owner_org_id) <> 'none') THEN
		err := 'not_found'; sc.message := format('no plan %s', p_plan);
	ELSIF p_by IS NULL OR p_by NOT IN ('municipality', 'school', 'item') THEN
		err := 'bad'; sc.message := 'by must be municipality, school or item';
	END IF;
	IF err IS NOT NULL THEN
		RETURN QUERY SELECT err, sc.message, NULL::text, NULL::text, NULL::text, NULL::date,
			NULL::text, NULL::boolean, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint,
			NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint,
			NULL::bigint, NULL::timestamptz, NULL::bigint, NULL::bigint, NULL::bigint,
			NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint;
		RETURN;
	END IF;
	ids := karta_scope_ids(sc.org_id);
	IF p_by IN ('municipality', 'school') THEN
		RETURN QUERY EXECUTE $q$
		WITH own AS MATERIALIZED (
			SELECT pr.org_id, count(*) AS items, count(*) FILTER (WHERE pr.due) AS due,
				count(*) FILTER (WHERE pr.st = 'done') AS done,
				count(*) FILTER (WHERE pr.late AND pr.st IS DISTINCT FROM 'done'
				                 AND pr.st IS DISTINCT FROM 'not_applicable') AS overdue,
				count(*) FILTER (WHERE pr.due AND pr.st IS NULL) AS not_reported,
				count(*) FILTER (WHERE pr.st = 'in_progress') AS in_progress,
				count(*) FILTER (WHERE pr.st = 'blocked') AS blocked,
				count(*) FILTER (WHERE pr.st = 'not_applicable') AS not_applicable
			FROM karta_rollup_pairs($1, $2, $3, $4) pr GROUP BY pr.org_id),
		sch AS MATERIALIZED (
			SELECT so.parent_id, count(*) AS orgs, coalesce(sum(own.items), 0) AS items,
				coalesce(sum(own.due), 0) AS due, coalesce(sum(own.done), 0) AS done,
				coalesce(sum(own.overdue), 0) AS overdue,
				coalesce(sum(own.not_reported), 0) AS not_reported,
				count(*) FILTER (WHERE own.overdue > 0) AS orgs_overdue
			FROM karta_org_rows($1) so LEFT JOIN own ON own.org_id = so.id
			WHERE so.level = 'school' AND $5 = 'municipality' GROUP BY so.parent_id),
		rq AS MATERIALIZED (
			SELECT r.org_id, count(*) FILTER (WHERE r.due_on <= $2) AS due,
				count(*) FILTER (WHERE r.due_on <= $2 AND NOT r.sent) AS missing
			FROM karta_rollup_requests($1, $3) r GROUP BY r.org_id),
		sb AS MATERIALIZED (
			SELECT s.org_id, count(*) FILTER (WHERE s.state = 'returned') AS returned,
				max(s.sent_at) AS last
			FROM karta_rollup_submissions($1, $3) s GROUP BY s.org_id)
		SELECT 'ok'::text, NULL::text, so.code, so.name, so.parent_code, NULL::date, NULL::text,
			NULL::boolean, coalesce(own.items, 0), coalesce(own.due, 0), coalesce(own.done, 0),
			coalesce(own.overdue, 0), coalesce(own.not_reported, 0), coalesce(own.in_progress, 0),
			coalesce(own.blocked, 0), coalesce(own.not_applicable, 0), coalesce(sb.returned, 0),
			coalesce(rq.due, 0), coalesce(rq.missing, 0), sb.last,
			sch.orgs, sch.items::bigint, sch.due::bigint, sch.done::bigint, sch.overdue::bigint,
			sch.not_reported::bigint, sch.orgs_overdue
		FROM karta_org_rows($1) so LEFT JOIN own ON own.org_id = so.id
		LEFT JOIN sch ON sch.parent_id = so.id
		LEFT JOIN rq ON rq.org_id = so.id LEFT JOIN sb ON sb.org_id = so.id
		WHERE so.level = $5
		ORDER BY so.parent_code NULLS FIRST, so.code
		$q$ USING ids.self || ids.children || ids.grandchildren, d, cutoff, p_plan, p_by;
	ELSE
		-- The scope's own items (root), the pairs one level down (c1, grouped by the item they
		-- derive from), the pairs two levels down grouped by the item they derive from (g2),
		-- then joined to c1 on it and summed per root: the join is of grouped rows (one per
		-- item one level down), never of the two-levels-down pairs themselves.
		-- An organization holds at most one item derived from a given item (one derived plan
		-- per organization and parent plan: plan_one_derive), so pairs count organizations.
		RETURN QUERY EXECUTE $q$
		WITH root AS MATERIALIZED (SELECT * FROM karta_rollup_pairs($1, $2, $3, $4)),
		c1 AS MATERIALIZED (
			SELECT c.derived_from AS root, c.item_id, c.org_id, c.due, c.late, c.st
			FROM karta_rollup_pairs($6, $2, $3, $4) c),
		a1 AS (
			SELECT c1.root, count(*) AS items,
				count(*) FILTER (WHERE c1.due) AS due,
				count(*) FILTER (WHERE c1.st = 'done') AS done,
				count(*) FILTER (WHERE c1.late AND c1.st IS DISTINCT FROM 'done'
				                 AND c1.st IS DISTINCT FROM 'not_applicable') AS overdue,
				count(*) FILTER (WHERE c1.due AND c1.st IS NULL) AS not_reported,
				count(*) FILTER (WHERE c1.st = 'in_progress') AS in_progress,
				count(*) FILTER (WHERE c1.st = 'blocked') AS blocked,
				count(*) FILTER (WHERE c1.st = 'not_applicable') AS not_applicable
			FROM c1 GROUP BY c1.root),
		g2 AS (
			SELECT g.derived_from, count(*) AS items,
				count(*) FILTER (WHERE g.due) AS due, count(*) FILTER (WHERE g.st = 'done') AS done,
				count(*) FILTER (WHERE g.late AND g.st IS DISTINCT FROM 'done'
				                 AND g.st IS DISTINCT FROM 'not_applicable') AS overdue,
				count(*) FILTER (WHERE g.due AND g.st IS NULL) AS not_reported
			FROM karta_rollup_pairs($7, $2, $3, $4) g GROUP BY g.derived_from),
		a2 AS (
			SELECT c1.root, sum(g2.items)::bigint AS orgs, sum(g2.items)::bigint AS items,
				sum(g2.due)::bigint AS due, sum(g2.done)::bigint AS done,
				sum(g2.overdue)::bigint AS overdue, sum(g2.not_reported)::bigint AS not_reported,
				sum(g2.overdue)::bigint AS orgs_overdue
			FROM g2 JOIN c1 ON c1.item_id = g2.derived_from
			GROUP BY c1.root),
		rq AS (
			SELECT r.item_id, count(*) FILTER (WHERE r.due_on <= $2) AS due,
				count(*) FILTER (WHERE r.due_on <= $2 AND NOT r.sent) AS missing,
				sum(r.returned) AS returned, max(r.last) AS last
			FROM karta_rollup_requests($5, $3) r
			WHERE r.item_id IN (SELECT root.item_id FROM root) GROUP BY r.item_id)
		SELECT 'ok'::text, NULL::text, i.id::text, btrim(i.number || ' ' || i.title), NULL::text,
			i.deadline_last, root.st,
			root.late AND root.st IS DISTINCT FROM 'done' AND root.st IS DISTINCT FROM 'not_applicable',
			coalesce(a1.items, 0), coalesce(a1.due, 0), coalesce(a1.done, 0),
			coalesce(a1.overdue, 0), coalesce(a1.not_reported, 0), coalesce(a1.in_progress, 0),
			coalesce(a1.blocked, 0), coalesce(a1.not_applicable, 0), coalesce(rq.returned, 0)::bigint,
			coalesce(rq.due, 0), coalesce(rq.missing, 0), rq.last,
			coalesce(a2.orgs, 0), coalesce(a2.items, 0), coalesce(a2.due, 0), coalesce(a2.done, 0),
			coalesce(a2.overdue, 0), coalesce(a2.not_reported, 0), coalesce(a2.orgs_overdue, 0)
		FROM root JOIN plan_item i ON i.id = root.item_id
		JOIN plan_section s ON s.id = i.section_id
		LEFT JOIN a1 ON a1.root = root.item_id LEFT JOIN a2 ON a2.root = root.item_id
		LEFT JOIN rq ON rq.item_id = root.item_id
		ORDER BY i.plan_id, s.ordinal, i.ordinal, i.id
		$q$ USING ids.self, d, cutoff, p_plan, ids.self || ids.children || ids.grandchildren,
			ids.children, ids.grandchildren;
	END IF;
END $$;

-- What was overdue at the end of p_as_of in the scope (see karta_rollup), one statement:
-- items whose dated deadline ended before the day and whose status then was not done (nor
-- not applicable), and requests due before the day for which a submitter had nothing
-- submitted, resubmitted or accepted (a returned report is overdue again until resubmitted).
CREATE FUNCTION karta_overdue(p_device bigint, p_as_of date, p_scope text DEFAULT NULL,
	p_plan uuid DEFAULT NULL)
RETURNS TABLE (status text, message text, kind text, org text, org_name text, parent text,
	id uuid, number text, title text, due date, state text)
LANGUAGE plpgsql STABLE SET work_mem = '64MB' AS $$
DECLARE
	sc record;
	ids record;
	d date := coalesce(p_as_of, current_date);
	cutoff timestamptz := (coalesce(p_as_of, current_date) + 1)::timestamptz;
BEGIN
	sc := karta_rollup_scope(p_device, p_scope);
	IF sc.status = 'ok' AND p_plan IS NOT NULL AND NOT EXISTS (SELECT 1 FROM plan p,
	   karta_actor(p_device) a WHERE p.id = p_plan
	   AND karta_plan_access(a.org_id, a.level, p.owner_org_id) <> 'none') THEN
		sc.status := 'not_found'; sc.message := format('no plan %s', p_plan);
	END IF;
	IF sc.status <> 'ok' THEN
		RETURN QUERY SELECT sc.status, sc.message, NULL::text, NULL::text, NULL::text, NULL::text,
			NULL::uuid, NULL::text, NULL::text, NULL::date, NULL::text;
		RETURN;
	END IF;
	ids := karta_scope_ids(sc.org_id);
	RETURN QUERY EXECUTE $q$
	WITH x AS (
		SELECT 'item'::text AS kind, pr.org_id, pr.item_id AS id, i.number, i.title,
			pr.deadline_last AS due, coalesce(pr.st, 'not_reported') AS state
		FROM karta_rollup_pairs($1, $2, $3, $4) pr JOIN plan_item i ON i.id = pr.item_id
		WHERE pr.late AND pr.st IS DISTINCT FROM 'done' AND pr.st IS DISTINCT FROM 'not_applicable'
		UNION ALL
		SELECT 'request', r.org_id, r.request_id, '', r.title, r.due_on, r.state
		FROM karta_rollup_requests($1, $3) r
		WHERE r.due_on < $2 AND NOT r.ok_sent
		  AND ($4 IS NULL OR r.item_id IN (SELECT i.id FROM plan_item i JOIN plan p ON p.id = i.plan_id
		       WHERE p.id = $4 OR p.parent_plan_id = $4
		          OR p.parent_plan_id IN (SELECT y.id FROM plan y WHERE y.parent_plan_id = $4))))
	SELECT 'ok'::text, NULL::text, x.kind, so.code, so.name, so.parent_code, x.id, x.number,
		x.title, x.due, x.state
	FROM x JOIN karta_org_rows($1) so ON so.id = x.org_id
	ORDER BY x.due, so.parent_code NULLS FIRST, so.code, x.kind, x.number, x.id
	$q$ USING ids.self || ids.children || ids.grandchildren, d, cutoff, p_plan;
END $$;

-- ---- uploads: record writes travel as ops (RecordOp, server/handlers/ops.c) --------------
-- Op kinds served by a write function (p_device, a jsonb) → (status, message, id, version):
-- a table, so later migrations add kinds with an INSERT instead of redefining the dispatch.
CREATE TABLE op_kind (
	kind text PRIMARY KEY,
	fn   regproc NOT NULL
);
INSERT INTO op_kind(kind, fn) VALUES
	('status_set', 'karta_status_set'),
	('report_request_put', 'karta_report_request_put'),
	('report_draft', 'karta_report_draft'),
	('report_submit', 'karta_report_submit'),
	('report_accept', 'karta_report_accept'),
	('report_return', 'karta_report_return');

-- The plan and item kinds keep their dispatch (0006); karta_upload calls this one.
ALTER FUNCTION karta_op_apply(bigint, text, jsonb) RENAME TO karta_op_apply_plan;
CREATE FUNCTION karta_op_apply(p_device bigint, p_kind text, a jsonb,
	OUT status text, OUT message text, OUT id uuid, OUT version bigint, OUT conflict_id uuid,
	OUT detail jsonb, OUT merged boolean) LANGUAGE plpgsql AS $$
DECLARE
	f regproc;
BEGIN
	SELECT k.fn INTO f FROM op_kind k WHERE k.kind = p_kind;
	IF f IS NULL THEN
		SELECT * INTO status, message, id, version, conflict_id, detail, merged
		FROM karta_op_apply_plan(p_device, p_kind, a);
		RETURN;
	END IF;
	merged := false;
	EXECUTE format('SELECT x.status, x.message, x.id, x.version FROM %s($1, $2) x', f)
	INTO status, message, id, version USING p_device, a;
END $$;
