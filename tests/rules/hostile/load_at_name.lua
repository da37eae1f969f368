-- Test rule: hostile.load_at_name. load() named like another rule file: its errors pointed there.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.load_at_name", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    load("error('boom')", "@tests/rules/hostile/good.lua")() --!
  end,
}
