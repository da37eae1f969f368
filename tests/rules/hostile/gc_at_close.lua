-- Test rule: hostile.gc_at_close. a finalizer kept in a file-level local: it ran at lua_close, after
-- the commit, and the process never exited.
-- The line marked --! must be named in its error.
local kept
rule {
  id = "hostile.gc_at_close", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    kept = setmetatable({}, { __gc = function() while true do end end }) --!
  end,
}
