-- expect-exit: 3
-- Night file: hostile.many_evidence. Evidence of 200,000 small items: no one
-- item is big, the JSON is (past the 64 KiB cap after a few thousand).
rule {
  id = "hostile.many_evidence", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local ev = {}
    for i = 1, 200000 do ev[i] = { n = i } end
    return kz.finding { since = kz.today, reason = "証拠が多すぎる", evidence = ev }
  end,
}
