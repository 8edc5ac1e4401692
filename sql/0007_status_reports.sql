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

-- ---- writes -----------------------------------------------------------------------------

-- ---- roll-up ----------------------------------------------------------------------------
-- The building blocks below are single-SELECT SQL functions: the planner inlines them into
-- the calling statement, so a roll-up is one statement. The callers run it with EXECUTE …
-- USING, so it is planned for the actual values every time: the organizations in scope are
-- passed as an array of ids (p.owner_org_id = ANY(…) is estimated right from the column's
-- statistics: a region's roll-up is planned for 300,000 items, a school's for 300).

-- ---- uploads: record writes travel as ops (RecordOp, server/handlers/ops.c) --------------
-- Op kinds served by a write function (p_device, a jsonb) → (status, message, id, version):
-- a table, so later migrations add kinds with an INSERT instead of redefining the dispatch.
CREATE TABLE op_kind (
	kind text PRIMARY KEY,
	fn   regproc NOT NULL
);

