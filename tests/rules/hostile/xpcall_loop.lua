-- Test rule: hostile.xpcall_loop. an xpcall message handler that loops: for the budget error it ran
-- with hooks off, for ever.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.xpcall_loop", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    xpcall(function() while true do end end, function(m) while true do end end) --!
  end,
}
