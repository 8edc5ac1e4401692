-- 0004: importing a roadmap document as a plan, in one transaction.
-- A new import creates the plan, its sections, items and abbreviations. A re-import into
-- an existing draft plan matches sections (by number, else title, else position) and items
-- (by number as written + occurrence, or by title when unnumbered) and updates matched items
-- in place, adds new ones and soft-deletes the ones the document no longer has, so nothing
-- is duplicated. With p_dry only the change list is returned.

