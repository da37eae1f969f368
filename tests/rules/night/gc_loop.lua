-- expect-exit: 3
-- Night rule: a finalizer that loops (finalizers run with hooks off; one
-- ran at lua_close, after the commit, and the process never exited).
-- For tests/e2e/hostile_night.sh: every other rule's tasks must be exactly as
-- on a clean night. Cheap: it tries in every household.
local kept = {}
rule {
  id = "hostile.gc_loop", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    kept[#kept + 1] = setmetatable({}, { __gc = function() while true do end end })
  end,
}
