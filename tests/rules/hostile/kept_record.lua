-- Test rule: hostile.kept_record. Keeps a record view (a child) and reads a
-- field of it during the next household.
local previous

rule {
  id = "hostile.kept_record", label = "test", title = "test", subject = "child",
  agency = "health_center", severity = "low", due = 1,
  check = function(child, hh, p)
    local old = previous
    previous = child
    if old then
      local leaked = old.birth_on --!
      return kz.finding { since = kz.today, reason = "leak:" .. tostring(leaked) }
    end
  end,
}
