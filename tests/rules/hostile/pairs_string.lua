-- Test rule: hostile.pairs_string. pairs(string), then string.format rewritten for every rule.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.pairs_string", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local _, behind = pairs(string)
    behind.format = function() return "rewritten" end --!
  end,
}
