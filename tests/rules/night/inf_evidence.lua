-- expect-exit: 3
-- Night file: hostile.inf_evidence. Infinities in the evidence: a rate over
-- zero days (1/0), its negative, and math.huge on its own as an item.
rule {
  id = "hostile.inf_evidence", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local n = #hh.members
    local e = n % 3 == 0 and { per_day = n / 0 } or n % 3 == 1 and { per_day = -n / 0 } or math.huge
    return kz.finding { since = kz.today, reason = "連絡頻度の確認", evidence = { e } }
  end,
}
