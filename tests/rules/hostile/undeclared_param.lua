-- Test rule: hostile.undeclared_param. The line marked --! must be named in its error.
rule {
  id = "hostile.undeclared_param", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  params = { "young_age" },
  check = function(hh, p)
    if p.young_age and p.not_seen_days then return nil end --!
  end,
}
