-- mistake: 日付を `"2024/6/1"` のように書く（文字列として比べられ、黙って誤る）
-- caught-by: check
-- expect-at: 16
-- expect-en: the date "2024/6/1" is not written YYYY-MM-DD, and dates are compared as text: write "2024-06-01"
-- expect-ja: 日付 "2024/6/1" が YYYY-MM-DD の形ではありません。日付は文字列として比べるので、"2024-06-01" と書いてください
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
    if child.birth_on >= "2024/6/1" then
      return nil
    end
  end,
}
