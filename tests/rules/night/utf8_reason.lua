-- expect-exit: 3
-- Night file: hostile.utf8_reason. A reason that is not UTF-8: a lone
-- continuation byte, a truncated sequence, an overlong NUL.
rule {
  id = "hostile.utf8_reason", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local bad = { "\x80理由", "理由\xe3\x81", "\xc0\x80" }
    return kz.finding { since = kz.today, reason = bad[tonumber(hh.id:sub(-1)) % 3 + 1] }
  end,
}
