-- Test rule: hostile.load_eq_name. load() named "=..." like another rule file.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.load_eq_name", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    load("local x = nil; return x.y", "=tests/rules/hostile/good.lua")() --!
  end,
}
