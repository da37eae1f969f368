-- Test rule: hostile.xpcall_budget. the body spends the budget, the handler catches and loops on.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.xpcall_budget", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    xpcall(function() while true do end end, function(m) local n = 0 while true do n = n + 1 end end) --!
  end,
}
