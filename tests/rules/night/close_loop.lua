-- expect-exit: 3
-- Night rule: a to-be-closed variable whose __close loops on the way out.
-- For tests/e2e/hostile_night.sh: every other rule's tasks must be exactly as
-- on a clean night. Costly (a whole budget a try): it tries in the first three households,
-- then returns nothing.
local tries = 0
rule {
  id = "hostile.close_loop", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    tries = tries + 1
    if tries > 3 then return nil end
    local x <close> = setmetatable({}, { __close = function() while true do end end })
  end,
}
