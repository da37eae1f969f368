-- mistake: 時計を読む（`os.time()`・`os.date()`）
-- caught-by: check
-- expect-at: 16
-- expect-en: uses os: wall-clock time and the system are not available to rules; use kz.today, the run date
-- expect-ja: os を使っています: ルールでは時計の時刻やシステムは使えません。実行日の kz.today を使ってください
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
    local now = os.time()
    return nil
  end,
}
