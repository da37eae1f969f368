-- Test rule: hostile.pcall_loop. The line marked --! must be named in its error.
rule {
  id = "hostile.pcall_loop", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    -- pcall must not swallow the instruction budget: this would never end.
    while true do pcall(function() while true do end end) end --!
  end,
}
