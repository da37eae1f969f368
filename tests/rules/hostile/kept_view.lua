-- Test rule: hostile.kept_view. Keeps the household view in an upvalue and
-- reads it while the next household is evaluated: that must be an error, not
-- the other family's data.
local previous

rule {
  id = "hostile.kept_view", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local old = previous
    previous = hh
    if old then
      local leaked = old.id .. #old.members --!
      return kz.finding { since = kz.today, reason = "leak:" .. leaked }
    end
  end,
}
