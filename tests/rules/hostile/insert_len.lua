-- Test rule: hostile.insert_len. table.insert into a table whose __len claims 2^62.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.insert_len", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    table.insert(setmetatable({}, { __len = function() return 2^62 end }), 1, "x") --!
  end,
}
