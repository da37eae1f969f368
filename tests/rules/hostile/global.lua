-- Test rule: hostile.global. The line marked --! must be named in its error.
rule {
  id = "hostile.global", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    counter = 1 --!
  end,
}
