-- Test rule: hostile.remove_len. table.remove from a table whose __len claims math.maxinteger.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.remove_len", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    table.remove(setmetatable({}, { __len = function() return math.maxinteger end }), 1) --!
  end,
}
