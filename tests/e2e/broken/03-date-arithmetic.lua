-- mistake: 日付に数を足し引きする（`kz.today - 14`）
-- caught-by: check
-- expect-at: 16
-- expect-en: arithmetic on a date: dates are text (YYYY-MM-DD): for the day n days later use kz.add_days(date, n), for the days between two dates kz.days(from, to)
-- expect-ja: 日付に足し算・引き算をしています: 日付は文字列（YYYY-MM-DD）です。n日後の日は kz.add_days(日付, n)、二つの日付の間の日数は kz.days(はじめ, おわり) で求めます
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
    local from = kz.today - 14
    return nil
  end,
}
