-- The op kinds an Upload applies (karta_op_apply) and the write function of each:
-- fn(p_device bigint, a jsonb) → (status, message, id, version). The whole list, replaced on
-- every pass (after every file above, since a regproc names an existing function); a kind
-- is added here and in server/handlers/record_kinds.c.
DELETE FROM op_kind;
INSERT INTO op_kind(kind, fn) VALUES
	('status_set', 'karta_status_set'),
	('report_request_put', 'karta_report_request_put'),
	('report_draft', 'karta_report_draft'),
	('report_submit', 'karta_report_submit'),
	('report_accept', 'karta_report_accept'),
	('report_return', 'karta_report_return'),
	('registry_put', 'karta_registry_put_op'),
	('registry_delete', 'karta_registry_delete_op'),
	('exam_point_assign', 'karta_exam_point_assign'),
	('exam_plan_point', 'karta_exam_plan_point'),
	('exam_auditorium_assign', 'karta_exam_auditorium_assign'),
	('exam_settings', 'karta_exam_settings'),
	('exam_distribute', 'karta_exam_distribute'),
	('exam_distribute_manual', 'karta_exam_distribute_manual'),
	('exam_seat', 'karta_exam_seat'),
	('exam_seat_manual', 'karta_exam_seat_manual'),
	('exam_assign_staff', 'karta_exam_assign_staff'),
	('exam_lock', 'karta_exam_lock'),
	('exam_unlock', 'karta_exam_unlock'),
	('registry_gds_put', 'karta_registry_gds_put');
