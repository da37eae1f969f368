-- Test rule: hostile.sort_len. table.sort of a table whose __len claims 2^40 elements.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.sort_len", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    table.sort(setmetatable({}, { __len = function() return 2^40 end })) --!
  end,
}
