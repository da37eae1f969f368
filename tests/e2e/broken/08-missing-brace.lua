-- mistake: 閉じ波括弧 `}` を忘れる
-- caught-by: check
-- expect-at: 19:20
-- expect-en: missing '}' at the end of this line (Lua noticed at line 20: '}' expected (to close '{' at line 16) near 'end')
-- expect-ja: この行の終わりに '}' がありません（Lua が気づいたのは 20 行目: '}' expected (to close '{' at line 16) near 'end'）
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
      since = child.birth_on,
      reason = "見本"
  end,
}
