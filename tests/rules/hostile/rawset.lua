-- Test rule: hostile.rawset. The line marked --! must be named in its error.
rule {
  id = "hostile.rawset", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    rawset(string, "format", nil) --!
  end,
}
