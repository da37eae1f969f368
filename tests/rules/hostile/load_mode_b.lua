-- Test rule: hostile.load_mode_b. The line marked --! must be named in its error.
rule {
  id = "hostile.load_mode_b", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local f = load("return 1", "chunk", "b") --!
    return f and f()
  end,
}
