-- Test rule: hostile.unpack_bomb. table.unpack of ten million values.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.unpack_bomb", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local n = select("#", table.unpack({}, 1, 10000000)) --!
  end,
}
