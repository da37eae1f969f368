-- Test rule: isolate.loop. Runs out of its instruction budget everywhere.
rule {
  id = "isolate.loop", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    while true do end
  end,
}
