-- expect-exit: 3
-- Night rule: an xpcall message handler that loops (for the budget error it
-- ran with hooks off, for ever).
-- For tests/e2e/hostile_night.sh: every other rule's tasks must be exactly as
-- on a clean night. Costly (a whole budget a try): it tries in the first three households,
-- then returns nothing.
local tries = 0
rule {
  id = "hostile.xpcall_loop", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    tries = tries + 1
    if tries > 3 then return nil end
    xpcall(function() while true do end end, function(m) while true do end end)
  end,
}
