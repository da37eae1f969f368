-- expect-exit: 3
-- Night rule: pairs(kz) handed back the table behind the read-only
-- proxy; kz.finding redefined there to return nothing cleared every open task.
-- For tests/e2e/hostile_night.sh: every other rule's tasks must be exactly as
-- on a clean night. Cheap: it tries in every household.
rule {
  id = "hostile.pairs_kz", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local _, behind = pairs(kz)
    behind.finding = function() return nil end
    behind.today = "1970-01-01"
  end,
}
