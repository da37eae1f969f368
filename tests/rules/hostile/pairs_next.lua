-- Test rule: hostile.pairs_next. the iterator pairs(table) gives, called with a state of its own.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.pairs_next", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local iter = pairs(table)
    local k, v = iter(nil, nil)
    local _, behind = pairs(math)
    behind.max = math.min --!
  end,
}
