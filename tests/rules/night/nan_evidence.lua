-- expect-exit: 3
-- Night file: hostile.nan_evidence. A careless rate: visits / days with
-- days = 0 gives NaN (0/0) in the evidence, which JSON cannot hold. It must be
-- this rule's error in each household, never the night's.
rule {
  id = "hostile.nan_evidence", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local visits, days = 0, 0
    return kz.finding { since = kz.today, reason = "訪問頻度の確認",
                        evidence = { hh, { rate = visits / days } } }
  end,
}
