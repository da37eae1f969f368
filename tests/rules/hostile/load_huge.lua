-- Test rule: hostile.load_huge. Parsing a chunk is C work no hook sees: a
-- 20 MB chunk costs its bytes from the budget before it is parsed.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.load_huge", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local src = ("local x = 1 "):rep(2000000)
    load(src) --!
  end,
}
