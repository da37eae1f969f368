-- Test rule: hostile.good. Behaves: one task for every household, so the
-- tests can prove the run went on past every hostile rule.
rule {
  id = "hostile.good", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    return kz.finding { since = kz.today, key = hh.id, reason = "世帯 " .. hh.id .. " を確認",
                        evidence = { hh, hh.members[1] } }
  end,
}
