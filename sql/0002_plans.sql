-- 0002: plans — the regional roadmap and the municipal and school sub-plans derived from it,
-- their sections and items, abbreviations, party aliases, school groups, and item history.
-- Ids are UUIDs chosen by whoever creates a row (offline clients included).

CREATE TABLE plan (
	id              uuid PRIMARY KEY,
	owner_org_id    bigint NOT NULL REFERENCES organization(id),
	level           text NOT NULL CHECK (level IN ('region', 'municipality', 'school')),
	parent_plan_id  uuid REFERENCES plan(id),
	title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 2000),
	academic_year   int NOT NULL CHECK (academic_year BETWEEN 2000 AND 2100),
	act_kind        text NOT NULL DEFAULT '' CHECK (length(act_kind) <= 100),
	act_number      text NOT NULL DEFAULT '' CHECK (length(act_number) <= 100),
	act_date        date,
	implements      text NOT NULL DEFAULT '' CHECK (length(implements) <= 4000),
	status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'archived')),
	row_version     bigint NOT NULL DEFAULT 1,
	created_at      timestamptz NOT NULL DEFAULT now(),
	updated_at      timestamptz NOT NULL DEFAULT now(),
	updated_by      bigint REFERENCES device(id)
);
CREATE INDEX plan_owner ON plan(owner_org_id);
-- One derived plan per organization and parent plan: a second derive is refused.
CREATE UNIQUE INDEX plan_one_derive ON plan(owner_org_id, parent_plan_id)
	WHERE parent_plan_id IS NOT NULL;

CREATE TABLE plan_section (
	id          uuid PRIMARY KEY,
	plan_id     uuid NOT NULL REFERENCES plan(id),
	ordinal     int NOT NULL CHECK (ordinal >= 1),
	number      text NOT NULL DEFAULT '' CHECK (length(number) <= 32),
	title       text NOT NULL CHECK (length(title) <= 2000),
	row_version bigint NOT NULL DEFAULT 1
);
CREATE INDEX plan_section_plan ON plan_section(plan_id, ordinal);

CREATE TABLE plan_item (
	id                   uuid PRIMARY KEY,
	plan_id              uuid NOT NULL REFERENCES plan(id),
	section_id           uuid NOT NULL REFERENCES plan_section(id),
	ordinal              int NOT NULL CHECK (ordinal >= 1),
	number               text NOT NULL DEFAULT '' CHECK (length(number) <= 32),
	parent_item_id       uuid REFERENCES plan_item(id),
	title                text NOT NULL CHECK (length(title) BETWEEN 1 AND 4000),
	deadline_text        text NOT NULL DEFAULT '' CHECK (length(deadline_text) <= 1000),
	deadline             jsonb NOT NULL DEFAULT '{}',
	deadline_kind        text NOT NULL DEFAULT 'empty',
	deadline_last        date,            -- end of the last window: for overdue queries
	responsible_text     text NOT NULL DEFAULT '' CHECK (length(responsible_text) <= 4000),
	responsible          jsonb NOT NULL DEFAULT '{}',
	municipal_action     text NOT NULL DEFAULT '' CHECK (length(municipal_action) <= 8000),
	institutional_action text NOT NULL DEFAULT '' CHECK (length(institutional_action) <= 8000),
	result_text          text NOT NULL DEFAULT '' CHECK (length(result_text) <= 8000),
	target_text          text NOT NULL DEFAULT '' CHECK (length(target_text) <= 4000),
	targets              jsonb NOT NULL DEFAULT '{}',
	derived_from         uuid REFERENCES plan_item(id),
	reference_only       boolean NOT NULL DEFAULT false,
	row_version          bigint NOT NULL DEFAULT 1,
	deleted_at           timestamptz,
	delete_reason        text CHECK (length(delete_reason) <= 1000),
	created_at           timestamptz NOT NULL DEFAULT now(),
	updated_at           timestamptz NOT NULL DEFAULT now(),
	updated_by           bigint REFERENCES device(id)
);
CREATE INDEX plan_item_plan ON plan_item(plan_id, section_id, ordinal);
CREATE INDEX plan_item_derived ON plan_item(derived_from);

-- The abbreviation table at the top of each document.
CREATE TABLE abbreviation (
	plan_id   uuid NOT NULL REFERENCES plan(id),
	short     text NOT NULL CHECK (length(short) BETWEEN 1 AND 50),
	full_text text NOT NULL CHECK (length(full_text) <= 1000),
	PRIMARY KEY (plan_id, short)
);

-- «УО», «Управление образования», «МОУО» … → one party (an organization or a role).
CREATE TABLE party_alias (
	id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	alias   text NOT NULL UNIQUE,          -- lower-cased, spaces folded
	org_id  bigint REFERENCES organization(id),
	party   text NOT NULL CHECK (party IN ('region_body', 'municipal_body', 'school', 'all_schools', 'person', 'other'))
);
INSERT INTO party_alias(alias, party) VALUES
	('уо', 'municipal_body'), ('управление образования', 'municipal_body'),
	('моуо', 'municipal_body'), ('омсу', 'municipal_body'), ('муо', 'municipal_body'),
	('органы местного самоуправления', 'municipal_body'),
	('оо', 'all_schools'), ('моу', 'all_schools'), ('руководители оо', 'all_schools'),
	('оу', 'all_schools'), ('образовательные организации', 'all_schools'),
	('ркцмко', 'region_body'), ('гку кцмко', 'region_body'), ('ирок', 'region_body'),
	('рцои', 'region_body'), ('гэк', 'region_body'), ('цои', 'region_body');

-- School groups (clusters) and their membership, with the act they come from.
CREATE TABLE school_group (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	owner_org_id bigint NOT NULL REFERENCES organization(id),
	name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	source_act   text NOT NULL DEFAULT '',
	UNIQUE (owner_org_id, name)
);
CREATE TABLE school_group_member (
	group_id   bigint NOT NULL REFERENCES school_group(id),
	school_id  bigint NOT NULL REFERENCES organization(id),
	source_act text NOT NULL DEFAULT '',
	since      date,
	PRIMARY KEY (group_id, school_id)
);

-- Who changed what, when: one row per write of an item (karta item history).
CREATE TABLE item_history (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	item_id     uuid NOT NULL REFERENCES plan_item(id),
	row_version bigint NOT NULL,
	op          text NOT NULL CHECK (op IN ('create', 'update', 'move', 'delete', 'derive')),
	fields      text[] NOT NULL DEFAULT '{}',
	device_id   bigint REFERENCES device(id),
	org_id      bigint REFERENCES organization(id),
	at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX item_history_item ON item_history(item_id, id);
