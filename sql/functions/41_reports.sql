-- 41_reports: report requests and submissions: draft, submit, accept, return.

-- Defense in depth: nothing rewrites an accepted submission.
CREATE OR REPLACE FUNCTION karta_submission_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.state = 'accepted' THEN
		RAISE EXCEPTION 'precondition:submission % is accepted: changes make a new submission', OLD.id;
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER report_submission_frozen BEFORE UPDATE ON report_submission
	FOR EACH ROW EXECUTE FUNCTION karta_submission_frozen();

CREATE OR REPLACE FUNCTION karta_report_transition(p_sub uuid, p_from text, p_to text, p_reason text,
	p_device bigint) RETURNS void LANGUAGE sql AS $$
	INSERT INTO report_transition(submission_id, from_state, to_state, reason, device_id, org_id)
	SELECT p_sub, p_from, p_to, p_reason, p_device, (SELECT org_id FROM device WHERE id = p_device)
$$;

-- Create or update a report request, issued by the device's organization (the receiver) or,
-- for the region, by it on behalf of an organization below. a: {"id", "base", "item_id",
-- "title", "due_date", "period_from", "period_to", "series_id", "receiver" (org code),
-- "submitters": {"level": "municipality"|"school", "orgs": [code], "groups": [name]},
-- "cancelled"}. base 0 (or absent) creates; otherwise it must be the current version.
CREATE OR REPLACE FUNCTION karta_report_request_put(p_device bigint, a jsonb)
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
	act := karta_writer(p_device);
	IF act.denied IS NOT NULL THEN
		RETURN QUERY SELECT 'denied', act.denied, NULL::uuid, NULL::bigint; RETURN;
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
		RETURN QUERY SELECT 'conflict', karta_stale('request', base::text, cur.row_version), rid,
			cur.row_version;
		RETURN;
	END IF;
	-- The item: of a plan the receiver may read (its own or an ancestor's), not deleted.
	SELECT * INTO it FROM plan_item x WHERE x.id = karta_uuid_arg(a, 'item_id');
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
CREATE OR REPLACE FUNCTION karta_request_expects(r report_request, p_org bigint) RETURNS boolean
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
CREATE OR REPLACE FUNCTION karta_report_draft(p_device bigint, a jsonb)
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
	act := karta_writer(p_device);
	IF act.denied IS NOT NULL THEN
		RETURN QUERY SELECT 'denied', act.denied, NULL::uuid, NULL::bigint; RETURN;
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
		err := karta_base_conflict('submission', base::text, cur.row_version);
		IF err IS NOT NULL THEN
			RETURN QUERY SELECT 'conflict', err, sid, cur.row_version; RETURN;
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
		SELECT * INTO req FROM report_request x WHERE x.id = karta_uuid_arg(a, 'request_id');
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
CREATE OR REPLACE FUNCTION karta_report_submit(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	act record;
	r record;
	sid uuid;
	cur report_submission;
	nxt text;
	err text;
	v bigint;
BEGIN
	act := karta_writer(p_device);
	IF act.denied IS NOT NULL THEN
		RETURN QUERY SELECT 'denied', act.denied, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	sid := karta_uuid_arg(a, 'id');
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
	err := karta_base_conflict('submission', a->>'base', cur.row_version);
	IF err IS NOT NULL THEN
		RETURN QUERY SELECT 'conflict', err, sid, cur.row_version; RETURN;
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
CREATE OR REPLACE FUNCTION karta_report_decide(p_device bigint, a jsonb, p_to text)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	act record;
	sid uuid;
	cur report_submission;
	recv bigint;
	reason text := btrim(coalesce(a->>'reason', ''));
	err text;
	v bigint;
BEGIN
	act := karta_writer(p_device);
	IF act.denied IS NOT NULL THEN
		RETURN QUERY SELECT 'denied', act.denied, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	sid := karta_uuid_arg(a, 'id');
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
	err := karta_base_conflict('submission', a->>'base', cur.row_version);
	IF err IS NOT NULL THEN
		RETURN QUERY SELECT 'conflict', err, sid, cur.row_version; RETURN;
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
CREATE OR REPLACE FUNCTION karta_report_accept(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE sql AS $$
	SELECT * FROM karta_report_decide(p_device, a, 'accepted')
$$;

-- a: {"id", "base", "reason"}
CREATE OR REPLACE FUNCTION karta_report_return(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE sql AS $$
	SELECT * FROM karta_report_decide(p_device, a, 'returned')
$$;
