-- Test rule: isolate.flaky. A task for every household on 2024-08-05; from
-- the next day on, NaN in its evidence (a rate over zero days).
rule {
  id = "isolate.flaky", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 5,
  check = function(hh, p)
    local days = kz.today == "2024-08-05" and 1 or 0
    return kz.finding { since = "2024-08-05", reason = "世帯 " .. hh.id,
                        evidence = { { rate = 0 / days } } }
  end,
}
