-- Test rule: hostile.kz_today. The line marked --! must be named in its error.
rule {
  id = "hostile.kz_today", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    kz.today = "2000-01-01" --!
  end,
}
