-- Test rule: hostile.rep_loop. a loop of 40 MB string.rep calls, a few instructions a turn.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.rep_loop", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    while true do local s = ("x"):rep(40000000) end --!
  end,
}
