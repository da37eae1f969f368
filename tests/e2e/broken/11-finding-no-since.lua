-- mistake: 所見に `since`（きっかけの日）を書き忘れる
-- caught-by: check
-- expect-at: 16
-- expect-en: kz.finding needs since = the day it began (a date, YYYY-MM-DD)
-- expect-ja: kz.finding には since = きっかけの日（日付、YYYY-MM-DD）が必要です
rule {
  id = "broken.x",
  label = "見本",
  title = "よくある間違いの見本",
  subject = "child",
  agency = "health_center",
  severity = "medium",
  due = 10,
  params = { "checkup_grace_days" },
  check = function(child, hh, p)
    return kz.finding {
      key = child.id,
      reason = "見本",
    }
  end,
}
