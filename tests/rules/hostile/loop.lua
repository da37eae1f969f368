-- Test rule: hostile.loop. The line marked --! must be named in its error.
rule {
  id = "hostile.loop", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local n = 0
    while true do n = n + 1 end --!
  end,
}
