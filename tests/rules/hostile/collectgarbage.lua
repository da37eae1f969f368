-- Test rule: hostile.collectgarbage. The line marked --! must be named in its error.
rule {
  id = "hostile.collectgarbage", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    collectgarbage("collect") --!
  end,
}
