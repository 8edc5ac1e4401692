-- 0017_own_seats: a school reads where its own participants sit.
--
-- Seating lives in the feed of the exam point's municipality and never goes down to schools
-- (0009): a school's replica holds no seat. Yet the school prints its participants'
-- notifications (karta print notice) and tells them where to go. karta_own_seats gives a
-- device the seats of the participants its own organization owns — point code, name and
-- address, auditorium, row and seat — and nothing of anybody else: no other school's
-- people, no other seat of the point. A municipality or the region holds the seating of
-- its points in its replica already; for them this returns the few participants they own
-- directly, if any.
CREATE FUNCTION karta_own_seats(p_device bigint, p_exam uuid)
RETURNS TABLE (status text, message text, participant uuid, exam uuid, point text,
	point_name text, point_address text, auditorium text, seat_row int, seat int)
LANGUAGE sql STABLE AS $$
	SELECT 'ok'::text, ''::text, s.participant_id, s.exam_id, pt.code, pt.name, pt.address,
		au.code, s.seat_row::int, s.seat::int
	FROM karta_actor(p_device) a
	JOIN participant p ON p.org_id = a.org_id AND p.deleted_at IS NULL
	JOIN seating s ON s.participant_id = p.id AND s.deleted_at IS NULL
	JOIN exam_point pt ON pt.id = s.point_id
	JOIN auditorium au ON au.id = s.auditorium_id
	WHERE p_exam IS NULL OR s.exam_id = p_exam
	ORDER BY s.participant_id, s.exam_id
$$;
