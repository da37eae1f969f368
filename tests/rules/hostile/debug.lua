-- Test rule: hostile.debug. The line marked --! must be named in its error.
rule {
  id = "hostile.debug", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local info = debug.getinfo(1) --!
    return info
  end,
}
