-- expect-exit: 3
-- Night rule: load() with a chunk name of another rule file: its errors
-- pointed at rules/casework.lua.
-- For tests/e2e/hostile_night.sh: every other rule's tasks must be exactly as
-- on a clean night. Cheap: it tries in every household.
rule {
  id = "hostile.load_name", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    load("error('boom')", "@rules/casework.lua")()
  end,
}
