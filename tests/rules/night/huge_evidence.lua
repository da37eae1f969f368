-- expect-exit: 3
-- Night file: hostile.huge_evidence. Twelve references to one 20 MiB string:
-- 240 MiB of JSON if the engine built it. It must stop at the evidence cap
-- before copying anything, quickly.
rule {
  id = "hostile.huge_evidence", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local s = string.rep("証", 20 * 1024 * 1024 // 3)
    return kz.finding { since = kz.today, reason = "証拠が多すぎる",
                        evidence = { s, s, s, s, s, s, s, s, s, s, s, { big = s } } }
  end,
}
