-- expect-exit: 2
-- Night file: hostile.due_huge. due = 100000 business days (a due date in
-- 2333): refused when the rules load, so nothing is written.
rule {
  id = "hostile.due_huge", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 100000,
  check = function(hh, p) end,
}
