-- Test rule: hostile.good. Behaves: one task for every household, so the
-- tests can prove the run went on past every hostile rule. Its reason is made
-- by string.format and its finding by kz.finding, which hostile rules try to
-- redefine: its tasks show they could not.
rule {
  id = "hostile.good", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    return kz.finding { since = kz.today, key = hh.id, reason = string.format("世帯 %s を確認", hh.id),
                        evidence = { hh, hh.members[1] } }
  end,
}
