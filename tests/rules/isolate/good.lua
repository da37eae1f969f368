-- Test rule: isolate.good. Behaves: one task for every household.
rule {
  id = "isolate.good", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 3,
  check = function(hh, p)
    return kz.finding { since = kz.today, reason = "世帯 " .. hh.id, evidence = { hh } }
  end,
}
