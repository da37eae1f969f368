-- expect-exit: 3
-- Night file: hostile.finding_due. A finding's own due out of range (0,
-- 100000, -1 days): that finding is the rule's error, the night goes on.
rule {
  id = "hostile.finding_due", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local dues = { 0, 100000, kz.calendar_days(3650) }
    return kz.finding { since = kz.today, reason = "期限", due = dues[tonumber(hh.id:sub(-1)) % 3 + 1] }
  end,
}
