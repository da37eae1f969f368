-- Test rule: hostile.move_bomb. table.move of 2^63 elements, in one C call.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.move_bomb", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    table.move({}, 1, math.maxinteger - 1, 2) --!
  end,
}
