-- Test rule: hostile.rawequal_state. rawequal tells the proxy from the table behind pairs(); the
-- table behind, if any, is written to.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.rawequal_state", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local _, s = pairs(utf8)
    if rawequal(s, utf8) then s = rawget(s, "char") or s end
    s.char = nil --!
  end,
}
