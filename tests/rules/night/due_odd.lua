-- expect-exit: 2
-- Night file: hostile.due_odd. due = 0 (due the day it opens) and due =
-- 2.5 calendar days, both refused when the rules load.
rule {
  id = "hostile.due_odd", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 0,
  check = function(hh, p) end,
}
rule {
  id = "hostile.due_odd2", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = { days = 2.5, unit = "calendar" },
  check = function(hh, p) end,
}
