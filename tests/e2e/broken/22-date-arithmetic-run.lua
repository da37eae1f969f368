-- mistake: 日付に数を足す（関数の中など、`kizuki check` が追えないところで）
-- caught-by: test
-- expect-at: 16
-- expect-en: rule broken.x, subject C1: attempt to add a 'string' with a 'number' — dates are text (YYYY-MM-DD): for the day n days later use kz.add_days(date, n), for the days between two dates kz.days(from, to)
-- expect-ja: ルール broken.x、対象 C1: attempt to add a 'string' with a 'number' — 日付は文字列（YYYY-MM-DD）です: n日後の日は kz.add_days(日付, n)、二つの日付の間の日数は kz.days(はじめ, おわり) で求めます
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
    local function weeks_later(day, n) return day + 7 * n end
    local due = weeks_later(kz.today, 2)
    return nil
  end,
}
