-- Test rule: hostile.finding_params. kz.finding on the rule's read-only params, and on string.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.finding_params", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    pcall(kz.finding, string)
    kz.finding(p) --!
  end,
}
