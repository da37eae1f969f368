-- Test rule: hostile.concat_loop. a loop of big concatenations, by .. and table.concat.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.concat_loop", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local big = ("x"):rep(8000000)
    while true do local s = big .. big; s = table.concat({ big, big, big }) end --!
  end,
}
