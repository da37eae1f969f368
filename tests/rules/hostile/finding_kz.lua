-- Test rule: hostile.finding_kz. kz.finding(kz) set a metatable on the proxy from C, replacing its
-- locked one.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.finding_kz", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    kz.finding(kz) --!
  end,
}
