-- Test rule: hostile.print. The line marked --! must be named in its error.
rule {
  id = "hostile.print", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    print("a rule may not print") --!
  end,
}
