-- Test rule: hostile.kz_write. The line marked --! must be named in its error.
rule {
  id = "hostile.kz_write", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    kz.risk_rank.low = 99 --!
  end,
}
