-- Test rule: hostile.pattern. The line marked --! must be named in its error.
-- A pattern that backtracks for hours inside one C call: patterns are gone.
rule {
  id = "hostile.pattern", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local s = string.rep("a", 5000)
    return s:match("a*a*a*a*a*a*a*b") --!
  end,
}
