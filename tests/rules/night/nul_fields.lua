-- expect-exit: 3
-- Night file: hostile.nul_fields. A NUL inside the reason, the subject, the
-- ward or the agency ("chuo\0x" must not pass as chuo), and a key too long.
rule {
  id = "hostile.nul_fields", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local k = tonumber(hh.id:sub(-1)) % 5
    if k == 0 then return kz.finding { since = kz.today, reason = "理由\0隠し" } end
    if k == 1 then return kz.finding { since = kz.today, reason = "x", subject = hh.id .. "\0" } end
    if k == 2 then return kz.finding { since = kz.today, reason = "x", ward = "chuo\0x" } end
    if k == 3 then return kz.finding { since = kz.today, reason = "x", agency = "health_center\0" } end
    return kz.finding { since = kz.today, reason = "x", key = string.rep("k", 100000) }
  end,
}
