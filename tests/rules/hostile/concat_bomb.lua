-- Test rule: hostile.concat_bomb. table.concat over 2^63 elements that an __index invents.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.concat_bomb", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    table.concat(setmetatable({}, { __index = function() return "x" end }), "", 1, math.maxinteger) --!
  end,
}
