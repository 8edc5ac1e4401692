-- 0003: the plan API — one SQL function per write, so each protocol request is one
-- statement, one round trip and one transaction; authorization is checked inside, against
-- the device's organization (never against anything the client says).
-- Every function returns (status, message, id): status is one of
--   ok | conflict | denied | not_found | bad | precondition
-- and kartad maps it to the protocol status. Messages are for people: short, no SQL.

