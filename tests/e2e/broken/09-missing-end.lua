-- mistake: `if` を閉じる `end` を忘れる
-- caught-by: check
-- expect-at: 18
-- expect-en: 'end' expected (to close 'if' at line 16) near 'return' — the 'if' of line 16 needs its 'end' before this line
-- expect-ja: 'end' expected (to close 'if' at line 16) near 'return' — 16 行目の 'if' を閉じる 'end' が、この行より前に必要です
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
    if child.birth_on == nil then
      return nil
    return nil
  end,
}
